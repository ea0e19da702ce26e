"""Turning state into what a person sees: message text and inline keyboards."""
