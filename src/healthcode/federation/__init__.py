"""Federation between cities: peers (other jurisdictions, their root keys pinned), the exchange
of their signed trust lists, and the combined trust this city vouches for (docs/federation.md)."""
