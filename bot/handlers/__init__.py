"""Thin Telegram handlers: read the update, call the store and domain, answer."""
