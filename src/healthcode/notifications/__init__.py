"""Notifications: colour changes told to the citizen's channels by signed webhook, through a
transactional outbox."""
