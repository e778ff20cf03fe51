"""Storage for identity: people, channels, logins."""
