"""`python -m bot sandbox` clicked through in headless Chromium, as a visitor would.

Debian's chromium and chromium-driver (apt), driven with Selenium; nothing is
downloaded. Without them the test is skipped on a developer machine, and fails
under CI, where .ci/run installs them. Screenshots of each step land in
artifacts/sandbox/ (kept out of git); docs/ holds two of them for the README.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.settings import REPO_ROOT
from bot.texts import Texts
from tests.botprocess import REPO, free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = REPO / "artifacts" / "sandbox"
WAIT_S = 20.0
# FOLLOW-UP for the lead: set to True once issue #9's /clients and chart are merged; then
# the workspace steps must run (a missing /clients fails the test instead of warning).
WORKSPACE_MERGED = False


def _missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    """`python -m bot sandbox` as a user runs it, in an empty folder, on a free port."""
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
        env["PYTHONPATH"] = str(REPO)
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "sandbox", "--port", str(port)],
            cwd=workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert f"http://127.0.0.1:{port}/" in line, line + proc.stdout.read()
            yield f"http://127.0.0.1:{port}/"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    problem = _missing()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the browser test needs Chromium under CI: {problem}", pytrace=False)
        pytest.skip(problem)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    with tempfile.TemporaryDirectory() as profile:
        for flag in (
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1500,900",
            "--lang=en-GB",
            f"--user-data-dir={profile}",
        ):
            options.add_argument(flag)
        # An explicit driver path: Selenium Manager never looks anything up or downloads.
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        try:
            yield driver
        finally:
            driver.quit()


class Page:
    """The sandbox page, acted on by clicking and typing, in each person's chat."""

    def __init__(self, driver: Any, url: str) -> None:
        self.driver = driver
        self.url = url
        self.shots: list[Path] = []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def css(self, selector: str, within: Any = None) -> list[Any]:
        from selenium.webdriver.common.by import By

        return (within or self.driver).find_elements(By.CSS_SELECTOR, selector)

    def until(self, what: str, found: Callable[[], Any]) -> Any:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            try:
                value = found()
            except Exception:  # an element redrawn under us: look again
                value = None
            if value:
                return value
            time.sleep(0.1)
        self.shot("failed-" + re.sub(r"\W+", "-", what)[:40])
        raise AssertionError(f"not within {WAIT_S:g} s: {what}")

    def chat(self, key: str) -> Any:
        return self.until(f"the chat {key}", lambda: self.css(f'section[data-chat="{key}"]'))[0]

    def last_id(self, key: str) -> int:
        ids = [int(m.get_attribute("data-id")) for m in self.css(".msg", self.chat(key))]
        return max(ids, default=0)

    def message(self, key: str, message_id: int) -> Any:
        """A message as drawn now (the page redraws a message when it is edited)."""
        return self.css(f'.msg[data-id="{message_id}"]', self.chat(key))[0]

    def wait_for(self, key: str, text: str, after: int = 0) -> int:
        """The id of the newest bot message in this chat saying `text`, newer than `after`."""

        def find() -> int | None:
            for message in reversed(self.css(".msg.bot", self.chat(key))):
                message_id = int(message.get_attribute("data-id"))
                if message_id <= after:
                    return None
                if text in message.text:
                    return message_id
            return None

        return int(self.until(f"{text!r} in {key}'s chat", find))

    def type(self, key: str, text: str) -> int:
        """Type and send; returns the id before it, for `wait_for(after=...)`."""
        before = self.last_id(key)
        box = self.css(".compose-text", self.chat(key))[0]
        box.send_keys(text)
        self.css(".send", self.chat(key))[0].click()
        self.until(f"{text!r} sent by {key}", lambda: self.last_id(key) > before)
        return before

    def press(self, key: str, message_id: int, button: str) -> None:
        """An inline button of a message in `key`'s chat, by (part of) its text."""

        def find() -> Any:
            buttons = self.css("button.inline", self.message(key, message_id))
            return next((b for b in buttons if button in b.text), None)

        self.until(f"button {button!r} in {key}'s chat", find).click()

    def menu(self, key: str) -> list[str]:
        """Open the chat's command menu; the commands it lists."""
        self.css(".menu-button", self.chat(key))[0].click()
        items = self.until(f"{key}'s menu", lambda: self.css("#popup .item"))
        return [item.text for item in items]

    def close_popup(self) -> None:
        self.css(".topbar")[0].click()

    def shot(self, name: str) -> Path:
        time.sleep(0.3)  # let the last redraw and images settle
        path = ARTIFACTS / f"{len(self.shots) + 1:02d}-{name}.png"
        self.driver.save_screenshot(str(path))
        self.shots.append(path)
        return path


def _copy(lang: str, key: str) -> str:
    """The fixed start of a piece of the bot's copy (its first variant, before any field)."""
    return Texts.load(REPO_ROOT / "config").variants(lang, key)[0].split("{")[0].strip()


def test_the_whole_journey_clicked_through_in_a_browser(browser: Any, sandbox_url: str) -> None:
    page = Page(browser, sandbox_url)
    browser.get(sandbox_url)
    page.until("three chats", lambda: len(page.css("section[data-chat]")) == 3)
    page.shot("start")

    # The therapist opens the command menu and picks /newclient.
    assert any("/newclient" in item for item in page.menu("therapist"))
    next(i for i in page.css("#popup .item") if "/newclient" in i.text).click()
    page.wait_for("therapist", "What name should I show you")
    after = page.type("therapist", "Alex (knee)")
    page.wait_for("therapist", "name of exercise 1", after)
    after = page.type("therapist", "Bridge")
    page.wait_for("therapist", 'dose for "Bridge"', after)
    after = page.type("therapist", "3 x 10")
    extras = page.wait_for("therapist", 'Anything to add for "Bridge"', after)
    page.press("therapist", extras, "Skip")
    added = page.wait_for("therapist", "Added: Bridge", extras)
    page.press("therapist", added, "That's all")
    often = page.wait_for("therapist", "How often", after)
    page.press("therapist", often, "Every day")
    review = page.wait_for("therapist", "the routine for Alex (knee)", often)
    page.shot("therapist-review")
    page.press("therapist", review, "Save and make the invite")
    invite = page.wait_for("therapist", "Here is the invite", review)
    assert page.css("img", page.message("therapist", invite)), "the invite has its QR code"
    page.shot("therapist-invite")

    # Alex opens the invite from the therapist's chat, agrees, and picks zone and time.
    page.css('.invite-actions button[data-as="client1"]', page.message("therapist", invite))[
        0
    ].click()
    consent = page.wait_for("client1", "here is what I keep")
    page.press("client1", consent, "Yes, that's fine")
    page.wait_for("client1", "Which time zone", consent)
    alex = page.chat("client1")
    share = page.until(
        "the location button",
        lambda: next((b for b in page.css(".reply-kb button", alex) if "location" in b.text), None),
    )
    share.click()
    page.until("the cities", lambda: page.css('#popup .item[data-city="London"]'))[0].click()
    ask_time = page.wait_for("client1", "When would a nudge suit you")
    page.type("client1", "9am")
    confirmation = page.message("client1", page.wait_for("client1", "All set", ask_time)).text
    assert "9:00 am" in confirmation and "Europe/London" in confirmation, confirmation
    page.wait_for("therapist", "Alex (knee) joined")
    page.shot("client-enrolled")

    # Fast-forward to the nudge; Alex taps Done and says how it felt.
    before = page.last_id("client1")
    page.css("#ff-next")[0].click()
    nudge = page.wait_for("client1", "Bridge: 3 x 10", before)
    page.shot("nudge-arrives")
    page.press("client1", nudge, "Done")
    feeling = page.wait_for("client1", "How did it feel?", nudge)
    page.press("client1", feeling, "OK")
    page.wait_for("client1", "Thank", feeling)
    page.until("Done, in place", lambda: "Done. Noted." in page.message("client1", nudge).text)
    page.shot("done-and-feeling")

    # Alex's records as a CSV document, which opens from the chat.
    after = page.type("client1", "/export")
    export = page.wait_for("client1", "", after)
    link = page.until("the CSV", lambda: page.css("a.doc-open", page.message("client1", export)))
    csv = page.driver.execute_async_script(
        "fetch(arguments[0]).then(r => r.text()).then(arguments[1])", link[0].get_attribute("href")
    )
    assert "done" in csv.splitlines()[1], csv

    # A photo from the 📎 menu: it shows in Alex's chat, and the bot answers it.
    before = page.last_id("client1")
    page.css(".attach", page.chat("client1"))[0].click()
    page.until("the pictures", lambda: page.css("#popup .item[data-photo]"))[0].click()
    page.until("the photo sent", lambda: page.css(".msg.mine img", page.chat("client1")))
    page.until("the bot's answer", lambda: page.last_id("client1") > before + 1)

    # Lucía, whose Telegram is in Spanish, joins in Spanish.
    after = page.type("therapist", "/newclient")
    page.wait_for("therapist", "What name should I show you", after)
    after = page.type("therapist", "Lucía")
    page.wait_for("therapist", "name of exercise 1", after)
    after = page.type("therapist", "Calf stretch")
    page.wait_for("therapist", "dose for", after)
    after = page.type("therapist", "hold 30 s x 3")
    extras = page.wait_for("therapist", "Anything to add for", after)
    page.press("therapist", extras, "Skip")
    page.press("therapist", page.wait_for("therapist", "Added:", extras), "That's all")
    often = page.wait_for("therapist", "How often", after)
    page.press("therapist", often, "Every day")
    review = page.wait_for("therapist", "the routine for Lucía", often)
    page.press("therapist", review, "Save and make the invite")
    invite = page.wait_for("therapist", "Here is the invite", review)
    page.css('.invite-actions button[data-as="client2"]', page.message("therapist", invite))[
        0
    ].click()
    consent = page.wait_for("client2", _copy("es", "start.consent"))
    page.press("client2", consent, _copy("es", "buttons.agree"))
    page.wait_for("client2", _copy("es", "timing.ask_timezone"), consent)
    after = page.type("client2", "Madrid")
    page.wait_for("client2", _copy("es", "timing.ask_time"), after)
    after = page.type("client2", "19:00")
    confirmation = page.wait_for("client2", _copy("es", "enrol.confirm_daily"), after)
    assert "Europe/Madrid" in page.message("client2", confirmation).text
    page.wait_for("therapist", "Lucía joined")
    page.shot("spanish-client-enrolled")

    # Lucía's command menu is the one the bot set for Spanish.
    menu = page.menu("client2")
    assert any(_copy("es", "commands.help") in item for item in menu), menu
    page.shot("spanish-menu")
    page.close_popup()

    _therapist_workspace(page)
    print(f"\nsandbox screenshots: {ARTIFACTS}")


def _therapist_workspace(page: Page) -> None:
    """/clients and the chart (issue #9's therapist workspace, built on other branches).

    Driven by the callback prefixes reserved for them in bot/views/callbacks.py
    (CLIENT_DETAIL "Td", CLIENT_CHART "Tc"), so the wording may change freely. Runs by
    itself once the therapist's menu offers /clients; until then it says so (a warning),
    and with WORKSPACE_MERGED it is required.
    """
    offered = any("/clients" in item for item in page.menu("therapist"))
    page.close_popup()
    if not offered:
        assert not WORKSPACE_MERGED, "the therapist's menu has no /clients"
        warnings.warn(
            "sandbox browser test: /clients is not in the therapist's menu yet, so the "
            "workspace steps (/clients, chart) did not run",
            stacklevel=2,
        )
        return
    therapist = page.chat("therapist")
    after = page.type("therapist", "/clients")
    listing = page.wait_for("therapist", "Alex (knee)", after)
    page.until(
        "Alex in /clients",
        lambda: [
            button
            for button in page.css(
                'button.inline[data-cb^="Td:"]', page.message("therapist", listing)
            )
            if "Alex" in button.text
        ],
    )[0].click()
    page.shot("therapist-clients")
    chart = page.until("the chart button", lambda: page.css('button.inline[data-cb^="Tc:"]'))
    before = page.last_id("therapist")
    chart[-1].click()
    page.until(
        "the chart",
        lambda: [
            m
            for m in page.css(".msg.bot", therapist)
            if int(m.get_attribute("data-id")) > before and page.css("img", m)
        ],
    )
    page.shot("therapist-chart")
