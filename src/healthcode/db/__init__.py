"""Storage infrastructure: the engine, column types, bulk reads and writes, the fact tables every
feature shares, migrations, and the unit of work that builds each feature's repositories."""
