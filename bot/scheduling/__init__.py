"""The nudge engine: wakes at the earliest due instant, claims in the database, sends."""
