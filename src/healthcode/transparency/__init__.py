"""The transparency report: what the system did in a period, in counts only (no one named)."""
