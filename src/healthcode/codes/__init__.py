"""Signed codes: a jurisdiction's keys and their rotation, the trust list it publishes, issuing a
person's short-lived code, and checking a code online."""
