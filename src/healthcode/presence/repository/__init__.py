"""Storage for presence: venues and their devices, presences in bulk, retention deletes."""
