"""Tracing: cases reported and confirmed by four eyes, the contacts tracing finds (recorded with
their evidence, corrected and withdrawn), risk areas, and quarantine orders."""
