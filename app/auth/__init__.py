"""Staff users, sessions, second factor, API keys and roles."""
