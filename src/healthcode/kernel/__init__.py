"""What every feature shares: errors, the clock, ids, facts, the status a policy gives, GB/T 2260
regions, and the unit-of-work protocol. Pure: the standard library only."""
