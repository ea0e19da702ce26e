"""Orchestration that needs both Telegram and the database."""
