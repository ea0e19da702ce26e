"""Pure domain rules (time parsing, schedules, time zones): no I/O, no Telegram, no database."""
