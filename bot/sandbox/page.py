"""The chat page and the small JSON endpoints it talks to.

The page acts only as the people in the chats could in a Telegram app: send text,
press a button, share a location or a photo. Everything it shows is read from the
embedded Bot API's record of the chats, i.e. what Telegram would show.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.sandbox.botapi import FakeUser, StoredMessage
from bot.sandbox.world import PEOPLE, Sandbox

STATIC = Path(__file__).resolve().parent / "static"
# A long-poll is answered after this long even if nothing changed (the page asks again).
LONG_POLL_S = 20.0
MAX_PHOTO = 10 * 1024 * 1024
SANDBOX_KEY = web.AppKey("sandbox", Sandbox)
# Places the location button offers to "share": (name, latitude, longitude).
CITIES = (
    ("London", 51.5072, -0.1276),
    ("Madrid", 40.4168, -3.7038),
    ("Berlin", 52.52, 13.405),
    ("New York", 40.7128, -74.006),
    ("Tokyo", 35.6762, 139.6503),
)


def _media(message: StoredMessage) -> dict[str, Any]:
    """Where the page fetches a message's photo, video or document from."""
    content = message.content
    if "photo" in content:
        largest = content["photo"][-1]
        return {"photo": f"/media/{largest['file_id']}"}
    if "video" in content:
        return {"video": f"/media/{content['video']['file_id']}"}
    if "document" in content:
        document = content["document"]
        return {
            "document": {
                "url": f"/media/{document['file_id']}",
                "file_name": document.get("file_name", "document"),
                "mime_type": document.get("mime_type", ""),
            }
        }
    if "location" in content:
        return {"location": content["location"]}
    if "sticker" in content:
        return {"sticker": content["sticker"].get("emoji", "")}
    return {}


def message_json(message: StoredMessage) -> dict[str, Any]:
    return {
        "id": message.message_id,
        "from_bot": message.from_bot,
        "date": message.date,
        "text": message.text,
        "entities": message.entities,
        "caption": message.caption,
        "caption_entities": message.caption_entities,
        "inline_keyboard": message.inline_keyboard,
        "edited": message.edit_date is not None,
        **_media(message),
    }


def _commands(sandbox: Sandbox, user: FakeUser, language: str) -> list[dict[str, Any]]:
    """The menu Telegram shows this person: the narrowest scope the bot set, in their
    language if the bot set one for it (Bot API: "Determining list of commands")."""
    scopes = ({"type": "chat", "chat_id": user.chat_id}, {"type": "all_private_chats"}, None)
    for scope in scopes:
        for lang in (language, ""):
            found = sandbox.stub.commands(scope, lang)
            if found:
                return found
    return []


def snapshot(sandbox: Sandbox) -> dict[str, Any]:
    chats = []
    for person in PEOPLE:
        user = sandbox.users[person.key]
        chat = sandbox.stub.chat(user.chat_id)
        chats.append(
            {
                "key": person.key,
                "name": person.first_name,
                "role": person.role,
                "language": person.language_code,
                "messages": [message_json(m) for m in chat.visible()],
                "reply_keyboard": chat.reply_keyboard,
                "commands": _commands(sandbox, user, person.language_code),
                "action": sandbox.chat_action(user.chat_id),
            }
        )
    return {
        "version": sandbox.stub.state.version,
        "bot": sandbox.stub.bot_username,
        "now": sandbox.clock.now().isoformat(),
        "chats": chats,
        "cities": [name for name, _lat, _lon in CITIES],
        "photos": sorted(p.name for p in (STATIC / "photos").glob("*.png")),
    }


# -- handlers ---------------------------------------------------------------------------------


def _sandbox(request: web.Request) -> Sandbox:
    return request.app[SANDBOX_KEY]


async def _body(request: web.Request) -> tuple[FakeUser, dict[str, Any]]:
    try:
        body = await request.json()
    except json.JSONDecodeError as exc:
        raise web.HTTPBadRequest(text="expected a JSON body") from exc
    user = _sandbox(request).users.get(str(body.get("user")))
    if user is None:
        raise web.HTTPBadRequest(text="unknown user")
    return user, body


def _ok(request: web.Request) -> web.Response:
    return web.json_response({"ok": True, "version": _sandbox(request).stub.state.version})


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def state(request: web.Request) -> web.Response:
    """The chats now, or (with ?since=<version>) as soon as anything changes after it."""
    sandbox = _sandbox(request)
    since = request.query.get("since")
    if since is not None and since.isdigit():
        seen = int(since)
        stub_state = sandbox.stub.state
        await stub_state.wait_until(
            lambda: True if stub_state.version != seen else None, LONG_POLL_S
        )
    return web.json_response(snapshot(sandbox))


async def send(request: web.Request) -> web.Response:
    user, body = await _body(request)
    text = str(body.get("text", "")).strip()
    if not text:
        raise web.HTTPBadRequest(text="Telegram does not send empty messages")
    await user.send(text)
    return _ok(request)


async def press(request: web.Request) -> web.Response:
    """An inline button, by the data it carries, on a message of this person's chat."""
    user, body = await _body(request)
    try:
        await user.press_data(int(body["message_id"]), str(body["data"]))
    except (KeyError, ValueError, AssertionError) as exc:
        raise web.HTTPBadRequest(text=f"no such button: {exc}") from exc
    return _ok(request)


async def location(request: web.Request) -> web.Response:
    user, body = await _body(request)
    found = [c for c in CITIES if c[0] == body.get("city")]
    if not found:
        raise web.HTTPBadRequest(text="unknown city")
    _name, latitude, longitude = found[0]
    await user.send_location(latitude, longitude)
    return _ok(request)


async def photo(request: web.Request) -> web.Response:
    """A bundled picture by name, or the bytes of an upload (base64 in `data`)."""
    user, body = await _body(request)
    caption = str(body.get("caption") or "").strip() or None
    if body.get("name"):
        path = STATIC / "photos" / Path(str(body["name"])).name
        if not path.is_file():
            raise web.HTTPBadRequest(text="unknown picture")
        data = path.read_bytes()
    else:
        try:
            data = base64.b64decode(str(body.get("data", "")), validate=True)
        except binascii.Error as exc:
            raise web.HTTPBadRequest(text="data must be base64") from exc
        if not data or len(data) > MAX_PHOTO:
            raise web.HTTPBadRequest(text="a photo of up to 10 MB, please")
    await user.send_photo(caption, data)
    return _ok(request)


async def clock(request: web.Request) -> web.Response:
    sandbox = _sandbox(request)
    try:
        body = await request.json()
        how = str(body.get("by"))
        moved = await sandbox.fast_forward(how)
    except (json.JSONDecodeError, ValueError) as exc:
        raise web.HTTPBadRequest(text=str(exc)) from exc
    return web.json_response(
        {
            "ok": moved is not None,
            "now": sandbox.clock.now().isoformat(),
            "note": None if moved is not None else "nothing is scheduled yet",
        }
    )


async def media(request: web.Request) -> web.Response:
    """A file's bytes, as Telegram's file download serves them after getFile."""
    stored = _sandbox(request).stub.state.files.get(request.match_info["file_id"])
    if stored is None or stored.data is None:
        raise web.HTTPNotFound()
    headers = {}
    if stored.kind == "document":
        headers["Content-Disposition"] = f'inline; filename="{stored.file_name or "document"}"'
    return web.Response(
        body=stored.data,
        content_type=stored.mime_type or "application/octet-stream",
        headers=headers,
    )


def build_app(sandbox: Sandbox) -> web.Application:
    app = web.Application(client_max_size=MAX_PHOTO * 2)
    app[SANDBOX_KEY] = sandbox
    app.router.add_get("/", index)
    app.router.add_get("/api/state", state)
    app.router.add_post("/api/send", send)
    app.router.add_post("/api/press", press)
    app.router.add_post("/api/location", location)
    app.router.add_post("/api/photo", photo)
    app.router.add_post("/api/clock", clock)
    app.router.add_get("/media/{file_id}", media)
    app.router.add_static("/static/", STATIC)
    return app
