"""The bot's own HTTP server: Telegram's webhook, /healthz and Prometheus /metrics."""
