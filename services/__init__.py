"""Application services: rules that need the database or the app config, but never a request."""
