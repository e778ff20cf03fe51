"""The pure rules of tracing: case records, who counts as a contact and why, risk areas, quarantine
orders."""
