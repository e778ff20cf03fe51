"""Oversight: who may do what and why (role x action x purpose), four eyes for every change that
can harm a citizen, and the hash-chained log of every read of a person's data."""
