"""The durable queue: background work queued inside the transaction that makes it necessary, run by
workers with leases, retried with back-off."""
