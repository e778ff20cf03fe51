"""The simulator's pure model: the synthetic city, the residents' days, the disease and its
transmission at shared places. No I/O, no clock: every draw comes from a seeded generator, so a
seed gives the same city and the same epidemic."""
