"""A citizen's rights over their data: a copy of all of it, and closing their account when they
leave (personal data purged, aggregates kept)."""
