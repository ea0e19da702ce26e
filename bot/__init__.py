"""A chat-native companion that helps therapy clients do their home exercises."""

__version__ = "0.1.0"
