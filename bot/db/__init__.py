"""Persistence: the database is the source of truth for everything a user said."""
