"""The sunset: ending the emergency, retiring the instance and purging its personal data."""
