"""Presence: where people were. Organisations, venues and their place codes, checkpoint devices and
their scan uploads, check-ins, transit rides, location pings and the itinerary, employers' gate
checks, and deleting it all when retention ends."""
