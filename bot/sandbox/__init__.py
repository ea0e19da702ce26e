"""The sandbox: the real bot against an embedded Bot API, played in a browser.

`python -m bot sandbox` (bot/sandbox/cli.py). The bot's own code never imports this
package (tests/test_architecture.py): it is wiring around the bot, like the tests.
"""
