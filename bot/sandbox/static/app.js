// The sandbox page: three Telegram-like chats drawn from the embedded Bot API's record.
// Plain JavaScript, no build step. Every action is one small POST as one of the people.
"use strict";

const INVITE_RE = /https:\/\/t\.me\/(\w+)\?start=([A-Za-z0-9_-]+)/;
let world = null; // the last snapshot from /api/state
const drawn = {}; // per chat: what was drawn last, so unchanged parts are left alone
const hiddenKeyboards = {}; // one-time reply keyboards already used, per chat

// -- talking to the sandbox ---------------------------------------------------------------------

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    const why = await response.text();
    flash(`${path}: ${why}`);
    throw new Error(why);
  }
  return response.json();
}

const sendText = (user, text) => post("/api/send", { user, text });
const press = (user, messageId, data) => post("/api/press", { user, message_id: messageId, data });

async function poll() {
  for (;;) {
    try {
      const since = world ? `?since=${world.version}` : "";
      const response = await fetch(`/api/state${since}`);
      if (response.ok) {
        world = await response.json();
        render();
      } else {
        await sleep(1000);
      }
    } catch (error) {
      await sleep(1000); // the sandbox restarting, or stopped
    }
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function flash(text) {
  const note = document.getElementById("clock-note");
  note.textContent = text;
  setTimeout(() => { if (note.textContent === text) note.textContent = ""; }, 6000);
}

// -- formatting: Telegram entities (UTF-16 offsets, as JavaScript strings count) --------------

function esc(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function wrap(entity, inner, raw) {
  switch (entity.type) {
    case "bold": return `<b>${inner}</b>`;
    case "italic": return `<i>${inner}</i>`;
    case "underline": return `<u>${inner}</u>`;
    case "strikethrough": return `<s>${inner}</s>`;
    case "code": return `<code>${inner}</code>`;
    case "pre": return `<pre>${inner}</pre>`;
    case "spoiler": return `<span class="spoiler">${inner}</span>`;
    case "blockquote": case "expandable_blockquote": return `<blockquote>${inner}</blockquote>`;
    case "text_link": return `<a href="${esc(entity.url)}" target="_blank" rel="noopener">${inner}</a>`;
    case "url": {
      const href = /^https?:\/\//.test(raw) ? raw : `https://${raw}`;
      return `<a href="${esc(href)}" target="_blank" rel="noopener">${inner}</a>`;
    }
    case "email": return `<a href="mailto:${esc(raw)}">${inner}</a>`;
    case "bot_command": return `<a href="#" class="command" data-command="${esc(raw)}">${inner}</a>`;
    case "text_mention": case "mention": return `<b>${inner}</b>`;
    default: return inner;
  }
}

function renderRange(text, start, end, entities) {
  let out = "";
  let pos = start;
  let i = 0;
  while (i < entities.length) {
    const entity = entities[i];
    const entityEnd = Math.min(entity.offset + entity.length, end);
    out += esc(text.slice(pos, Math.max(pos, entity.offset)));
    const inside = [];
    let j = i + 1;
    while (j < entities.length && entities[j].offset < entityEnd) inside.push(entities[j++]);
    const from = Math.max(pos, entity.offset);
    out += wrap(entity, renderRange(text, from, entityEnd, inside), text.slice(from, entityEnd));
    pos = Math.max(pos, entityEnd);
    i = j;
  }
  return out + esc(text.slice(pos, end));
}

function formatted(text, entities) {
  if (!text) return "";
  const sorted = [...(entities || [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
  return renderRange(text, 0, text.length, sorted);
}

// -- drawing -------------------------------------------------------------------------------------

function render() {
  document.getElementById("clock-now").textContent = new Date(world.now).toLocaleString(undefined, {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  });
  for (const chat of world.chats) {
    const section = chatSection(chat);
    const head = JSON.stringify([chat.action, chat.role]);
    if (drawn[chat.key].head !== head) {
      drawn[chat.key].head = head;
      const sub = section.querySelector(".chat-sub");
      const action = { typing: "typing…", upload_photo: "sending a photo…", upload_document: "sending a file…" };
      sub.innerHTML = chat.action
        ? `<span class="typing">@${esc(world.bot)} is ${action[chat.action] || "busy…"}</span>`
        : `${esc(chat.role)} · Telegram in ${esc(chat.language)} · with @${esc(world.bot)}`;
    }
    const messages = JSON.stringify(chat.messages);
    if (drawn[chat.key].messages !== messages) {
      drawn[chat.key].messages = messages;
      drawMessages(section, chat);
    }
    const keyboard = JSON.stringify(chat.reply_keyboard);
    if (drawn[chat.key].keyboard !== keyboard) {
      drawn[chat.key].keyboard = keyboard;
      drawReplyKeyboard(section, chat);
    }
  }
}

function chatSection(chat) {
  let section = document.querySelector(`section[data-chat="${chat.key}"]`);
  if (section) return section;
  section = document.getElementById("chat-template").content.firstElementChild.cloneNode(true);
  section.dataset.chat = chat.key;
  section.querySelector(".avatar").textContent = chat.name[0];
  section.querySelector(".chat-title").textContent = chat.name;
  drawn[chat.key] = {};
  const input = section.querySelector(".compose-text");
  section.querySelector(".compose").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    sendText(chat.key, text);
  });
  section.querySelector(".menu-button").addEventListener("click", (event) => commandMenu(chat.key, event.target));
  section.querySelector(".attach").addEventListener("click", (event) => photoMenu(chat.key, event.target, input));
  section.querySelector(".messages").addEventListener("click", (event) => clickInChat(chat.key, event));
  document.getElementById("chats").appendChild(section);
  return section;
}

function drawMessages(section, chat) {
  // Keyed by message id: a message redraws only when it changed (an edit), so pictures
  // do not reload and the rest of the chat stays put.
  const box = section.querySelector(".messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
  const old = new Map([...box.querySelectorAll(".msg")].map((element) => [element.dataset.id, element]));
  box.querySelectorAll(".empty").forEach((element) => element.remove());
  if (chat.messages.length === 0) {
    const hint = chat.key === "therapist"
      ? "You are the therapist. Try /newclient, or open the Menu."
      : "Open an invite from the therapist's chat to join as this client.";
    box.innerHTML = `<div class="empty">${esc(hint)}</div>`;
  }
  let previous = null;
  for (const message of chat.messages) {
    const json = JSON.stringify(message);
    let element = old.get(String(message.id));
    old.delete(String(message.id));
    if (!element || element.dataset.json !== json) {
      const fresh = messageElement(chat, message);
      fresh.dataset.json = json;
      if (element) element.replaceWith(fresh);
      element = fresh;
    }
    const expected = previous ? previous.nextElementSibling : box.firstElementChild;
    if (expected !== element) box.insertBefore(element, expected);
    previous = element;
  }
  for (const gone of old.values()) gone.remove();
  if (atBottom || drawn[chat.key].count !== chat.messages.length) box.scrollTop = box.scrollHeight;
  drawn[chat.key].count = chat.messages.length;
}

function messageElement(chat, message) {
  const element = document.createElement("div");
  element.className = `msg ${message.from_bot ? "bot" : "mine"}`;
  element.dataset.id = message.id;
  let body = "";
  if (message.photo) body += `<img src="${message.photo}" alt="photo">`;
  if (message.video) body += `<video src="${message.video}" controls></video>`;
  if (message.document) {
    const doc = message.document;
    body += `<div class="document"><div class="icon">📄</div><div>` +
      `<a href="${doc.url}" target="_blank" rel="noopener" class="doc-open">${esc(doc.file_name)}</a><br>` +
      `<a href="${doc.url}" download="${esc(doc.file_name)}" class="doc-download">download</a></div></div>`;
  }
  if (message.location) body += `📍 ${message.location.latitude.toFixed(3)}, ${message.location.longitude.toFixed(3)}`;
  if (message.sticker) body += `<span style="font-size:40px">${esc(message.sticker)}</span>`;
  body += formatted(message.text, message.entities) + formatted(message.caption, message.caption_entities);
  const time = new Date(message.date * 1000).toLocaleString(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit" });
  body += `<span class="meta">${message.edited ? "edited " : ""}${time}</span>`;
  element.innerHTML = `<div class="bubble">${body}</div>`;
  if (message.inline_keyboard.length) element.appendChild(inlineKeyboard(chat, message));
  const invite = INVITE_RE.exec(`${message.text || ""} ${message.caption || ""}`);
  if (invite && chat.key === "therapist") element.appendChild(inviteActions(invite[2]));
  return element;
}

function inlineKeyboard(chat, message) {
  const keyboard = document.createElement("div");
  keyboard.className = "inline-kb";
  for (const row of message.inline_keyboard) {
    const line = document.createElement("div");
    line.className = "row";
    for (const button of row) {
      let element;
      if (button.url) {
        element = document.createElement("a");
        element.className = "url-button";
        element.href = button.url;
        element.target = "_blank";
      } else {
        element = document.createElement("button");
        element.className = "inline";
        if (button.callback_data !== undefined) {
          element.dataset.cb = button.callback_data;
          element.addEventListener("click", () => press(chat.key, message.id, button.callback_data));
        } else {
          element.disabled = true;
        }
      }
      element.textContent = button.text;
      line.appendChild(element);
    }
    keyboard.appendChild(line);
  }
  return keyboard;
}

function inviteActions(token) {
  const actions = document.createElement("div");
  actions.className = "invite-actions";
  for (const chat of world.chats.filter((c) => c.key !== "therapist")) {
    const button = document.createElement("button");
    button.dataset.as = chat.key;
    button.textContent = `Open invite as ${chat.name}`;
    button.addEventListener("click", () => sendText(chat.key, `/start ${token}`));
    actions.appendChild(button);
  }
  return actions;
}

function drawReplyKeyboard(section, chat) {
  const box = section.querySelector(".reply-kb");
  const markup = chat.reply_keyboard;
  const used = hiddenKeyboards[chat.key] === JSON.stringify(markup);
  box.innerHTML = "";
  box.hidden = !markup || used;
  if (box.hidden) return;
  for (const row of markup.keyboard) {
    const line = document.createElement("div");
    line.className = "row";
    for (const key of row) {
      const button = document.createElement("button");
      const spec = typeof key === "string" ? { text: key } : key;
      button.textContent = spec.text;
      button.addEventListener("click", () => {
        if (spec.request_location) return cityMenu(chat.key, button);
        if (markup.one_time_keyboard) {
          hiddenKeyboards[chat.key] = JSON.stringify(markup);
          box.hidden = true;
        }
        sendText(chat.key, spec.text);
      });
      line.appendChild(button);
    }
    box.appendChild(line);
  }
}

// -- popups: command menu, cities, photos, invites ---------------------------------------------

function popup(anchor, fill) {
  const box = document.getElementById("popup");
  box.innerHTML = "";
  fill(box);
  box.hidden = false;
  const rect = anchor.getBoundingClientRect();
  box.style.left = `${Math.max(8, Math.min(rect.left, window.innerWidth - 300))}px`;
  box.style.top = "";
  box.style.bottom = `${Math.max(8, window.innerHeight - rect.top + 6)}px`;
  setTimeout(() => document.addEventListener("click", closePopup, { once: true }), 0);
}

function closePopup() {
  document.getElementById("popup").hidden = true;
}

function item(box, html, onClick) {
  const button = document.createElement("button");
  button.className = "item";
  button.innerHTML = html;
  button.addEventListener("click", () => { closePopup(); onClick(); });
  box.appendChild(button);
  return button;
}

function heading(box, text) {
  const head = document.createElement("div");
  head.className = "head";
  head.textContent = text;
  box.appendChild(head);
}

function commandMenu(key, anchor) {
  const chat = world.chats.find((c) => c.key === key);
  popup(anchor, (box) => {
    heading(box, chat.commands.length ? "Menu (the commands the bot set for this person)" : "No commands yet");
    for (const command of chat.commands) {
      item(box, `<span class="cmd">/${esc(command.command)}</span>${esc(command.description)}`,
        () => sendText(key, `/${command.command}`));
    }
  });
}

function cityMenu(key, anchor) {
  popup(anchor, (box) => {
    heading(box, "Share the location of…");
    for (const city of world.cities) {
      item(box, `📍 ${esc(city)}`, () => post("/api/location", { user: key, city })).dataset.city = city;
    }
  });
}

function photoMenu(key, anchor, input) {
  const caption = () => { const text = input.value.trim(); input.value = ""; return text; };
  popup(anchor, (box) => {
    heading(box, "Send a photo (the typed text becomes its caption)");
    for (const name of world.photos) {
      item(box, `<img src="/static/photos/${esc(name)}" alt="">${esc(name.replace(/\.png$/, ""))}`,
        () => post("/api/photo", { user: key, name, caption: caption() })).dataset.photo = name;
    }
    item(box, "⬆️ Upload a photo…", () => {
      const picker = document.createElement("input");
      picker.type = "file";
      picker.accept = "image/*";
      picker.addEventListener("change", () => {
        const file = picker.files[0];
        if (!file) return;
        const reader = new FileReader();
        reader.onload = () => post("/api/photo", {
          user: key, data: String(reader.result).split(",")[1], caption: caption(),
        });
        reader.readAsDataURL(file);
      });
      picker.click();
    });
  });
}

function clickInChat(key, event) {
  const target = event.target;
  if (target.classList.contains("spoiler")) { target.classList.toggle("shown"); return; }
  if (target.tagName === "IMG") { window.open(target.src, "_blank"); return; }
  const link = target.closest("a");
  if (!link) return;
  if (link.classList.contains("command")) {
    event.preventDefault();
    sendText(key, link.dataset.command);
    return;
  }
  const invite = INVITE_RE.exec(link.href);
  if (!invite || invite[1] !== world.bot) return;
  event.preventDefault();
  if (key !== "therapist") { sendText(key, `/start ${invite[2]}`); return; }
  popup(link, (box) => {
    heading(box, "Open this invite as…");
    for (const chat of world.chats.filter((c) => c.key !== "therapist")) {
      item(box, esc(chat.name), () => sendText(chat.key, `/start ${invite[2]}`));
    }
  });
}

// -- the clock -----------------------------------------------------------------------------------

async function fastForward(by) {
  const answer = await post("/api/clock", { by });
  flash(answer.note || `clock moved to ${new Date(answer.now).toLocaleString()}`);
}

document.getElementById("ff-next").addEventListener("click", () => fastForward("next"));
document.getElementById("ff-hour").addEventListener("click", () => fastForward("hour"));
document.getElementById("ff-day").addEventListener("click", () => fastForward("day"));
poll();
