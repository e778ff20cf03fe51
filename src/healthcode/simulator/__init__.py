"""The city simulator (issue 14): a seeded synthetic city, an epidemic spreading through it, and
(later) the real system driven in virtual time. It sits above every feature, like the command
line, and may call their use cases; its model (``simulator.model``) is pure."""
