"""Identity: registering people (personal data encrypted), channels that vouch for their users,
sessions and logins (website, officials with TOTP, channels by OAuth2), officials' accounts, and
a person's masked profile."""
