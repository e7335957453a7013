// The sandbox page: three chats with the bot side by side. It long-polls
// /api/events for what the users sent and what the bot delivered, and posts
// what the person at the keyboard does to /api/send, /api/press, /api/photo
// and /api/lang. No libraries: the page must work offline.
'use strict';

const roles = {
  relative: 'Relative · Родственник',
  volunteer: 'Volunteer · Волонтёр (admin)',
  friend: 'Friend · Друг',
  team: 'Team group · Группа команды (as the volunteer)',
};
const fileLabels = {
  document: '📄 document', voice: '🎤 voice message', video: '🎬 video', audio: '🎵 audio',
  animation: '🎞 animation', sticker: '🙂 sticker', location: '📍 location', contact: '👤 contact',
};

const state = { bot: '', users: [], commands: {}, cols: new Map(), since: 0, topics: {} };

function el(tag, attrs, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') n.className = v;
    else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
    else n.setAttribute(k, v);
  }
  n.append(...children.filter((c) => c !== null && c !== undefined));
  return n;
}

async function post(path, body) {
  const r = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const j = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) throw new Error(j.error || r.statusText);
  return j;
}

// act runs an action of a column and shows its error under the chat.
async function act(col, fn) {
  col.error.textContent = '';
  try {
    await fn();
    return true;
  } catch (e) {
    col.error.textContent = e.message;
    return false;
  }
}

function sendText(col, text) {
  const thread = col.topic ? Number(col.topic.value) : 0;
  return act(col, () => post('api/send', { user: col.user.id, text, thread }));
}

// teamColumn is the team's forum group: its topics, one per case, and a
// box to write in one of them as the volunteer.
function teamColumn(u) {
  const col = { user: u, lang: u.lang, langButtons: [], team: true };
  col.menu = el('nav', { class: 'menu', 'aria-label': 'commands' });
  col.log = el('div', { class: 'log', 'aria-live': 'polite' });
  col.text = el('textarea', { placeholder: 'Message in the topic… (! for an internal note)', rows: '2', 'aria-label': 'message' });
  col.topic = el('select', { class: 'topic', 'aria-label': 'topic' }, el('option', { value: '0' }, 'General'));
  col.error = el('div', { class: 'error', role: 'alert' });
  col.text.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey) {
      ev.preventDefault();
      submit(col);
    }
  });
  col.node = el('section', { class: 'chat team', 'data-user': u.key, 'data-id': String(u.id) },
    el('header', {},
      el('h2', {}, roles.team),
      el('div', { class: 'who' }, `${u.first} · a supergroup with topics · id ${u.id}`)),
    col.log,
    col.error,
    el('form', { class: 'compose', onsubmit: (ev) => { ev.preventDefault(); submit(col); } },
      col.topic,
      col.text,
      el('button', { type: 'submit', class: 'send' }, 'Send')));
  return col;
}

// drawTopics keeps the team column's topic list up to date.
function drawTopics() {
  const col = [...state.cols.values()].find((c) => c.team);
  if (!col) return;
  const have = new Set([...col.topic.options].map((o) => o.value));
  for (const [id, name] of Object.entries(state.topics)) {
    if (!have.has(id)) col.topic.append(el('option', { value: id }, name));
  }
  for (const o of col.topic.options) {
    if (o.value !== '0' && state.topics[o.value]) o.textContent = state.topics[o.value];
  }
}

function column(u) {
  if (u.key === 'team') return teamColumn(u);
  const col = { user: u, lang: u.lang };
  col.langButtons = ['ru', 'en'].map((l) => el('button', {
    type: 'button', 'data-lang': l, 'aria-pressed': String(l === u.lang),
    onclick: () => setLang(col, l),
  }, l));
  col.menu = el('nav', { class: 'menu', 'aria-label': 'commands' });
  col.log = el('div', { class: 'log', 'aria-live': 'polite' });
  col.text = el('textarea', { placeholder: 'Message…', rows: '2', 'aria-label': 'message' });
  col.error = el('div', { class: 'error', role: 'alert' });
  col.text.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey) {
      ev.preventDefault();
      submit(col);
    }
  });
  const name = [u.first, u.last].filter(Boolean).join(' ');
  col.node = el('section', { class: 'chat', 'data-user': u.key, 'data-id': String(u.id) },
    el('header', {},
      el('h2', {}, roles[u.key] || u.key),
      el('span', { class: 'lang', role: 'group', 'aria-label': 'language' }, ...col.langButtons),
      el('div', { class: 'who' }, `${name}${u.username ? ' @' + u.username : ''} · id ${u.id}`)),
    col.menu,
    col.log,
    col.error,
    el('form', { class: 'compose', onsubmit: (ev) => { ev.preventDefault(); submit(col); } },
      col.text,
      el('button', { type: 'submit', class: 'send' }, 'Send'),
      el('button', {
        type: 'button', class: 'photo', title: 'send a sample photo; the text box is its caption',
        onclick: () => sendPhoto(col),
      }, 'Photo'),
      el('button', {
        type: 'button', class: 'media document', title: 'send a sample document; the text box is its caption',
        onclick: () => sendMedia(col, 'document'),
      }, 'File'),
      el('button', {
        type: 'button', class: 'media voice', title: 'send a voice message',
        onclick: () => sendMedia(col, 'voice'),
      }, 'Voice'),
      el('button', {
        type: 'button', class: 'media sticker', title: 'send a sticker',
        onclick: () => sendMedia(col, 'sticker'),
      }, 'Sticker')));
  drawMenu(col);
  return col;
}

function submit(col) {
  const text = col.text.value;
  if (!text.trim()) return;
  // Cleared only once sent: a refused text stays to be edited.
  sendText(col, text).then((ok) => { if (ok && col.text.value === text) col.text.value = ''; });
}

function sendPhoto(col) {
  const caption = col.text.value;
  col.text.value = '';
  act(col, () => post('api/photo', { user: col.user.id, text: caption }));
}

// sendMedia sends a sample document (with the text box as its caption), a
// voice message or a sticker.
function sendMedia(col, kind) {
  const caption = kind === 'document' ? col.text.value : '';
  if (kind === 'document') col.text.value = '';
  act(col, () => post('api/media', { user: col.user.id, kind, text: caption }));
}

function setLang(col, lang) {
  showLang(col, lang);
  act(col, () => post('api/lang', { user: col.user.id, lang }));
}

// showLang marks the column's language: set here, or by the bot's own
// language buttons.
function showLang(col, lang) {
  col.lang = lang;
  for (const b of col.langButtons) b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
  drawMenu(col);
}

// drawMenu shows the bot's command menu in the column's language, as
// Telegram's Menu button does, and the volunteer's commands.
function drawMenu(col) {
  const cmds = state.commands[col.lang] || [];
  const chips = cmds.map((c) => el('button', {
    type: 'button', title: c.description, onclick: () => sendText(col, '/' + c.command),
  }, '/' + c.command));
  for (const c of col.user.commands || []) {
    if (cmds.some((x) => x.command === c)) continue;
    chips.push(el('button', { type: 'button', class: 'extra', onclick: () => sendText(col, '/' + c) }, '/' + c));
  }
  col.menu.replaceChildren(...chips);
}

// deepLink returns the start payload of a link to this bot ("" for none),
// or null for any other link.
function deepLink(href) {
  try {
    const u = new URL(href);
    if (u.hostname === 't.me' && u.pathname.slice(1).toLowerCase() === state.bot.toLowerCase()) {
      return u.searchParams.get('start') || '';
    }
  } catch (e) { /* not a URL */ }
  return null;
}

// openAs asks which sandbox user opens a link to the bot: a relative shares
// the link with a friend.
function openAs(ev, payload) {
  ev.preventDefault();
  const box = document.getElementById('openas');
  const close = () => { box.hidden = true; document.removeEventListener('click', outside, true); };
  const outside = (e) => { if (!box.contains(e.target)) close(); };
  box.replaceChildren(el('p', {}, 'Open the link as'),
    ...state.users.filter((u) => u.key !== 'team').map((u) => el('button', {
      type: 'button', 'data-user': u.key,
      onclick: () => { close(); sendText(state.cols.get(u.id), payload ? '/start ' + payload : '/start'); },
    }, `${u.first} (${u.key})`)));
  box.style.left = Math.min(ev.clientX, window.innerWidth - 200) + 'px';
  box.style.top = Math.min(ev.clientY, window.innerHeight - 140) + 'px';
  box.hidden = false;
  setTimeout(() => document.addEventListener('click', outside, true));
}

function link(href, child) {
  const payload = deepLink(href);
  if (payload !== null) {
    return el('a', { href: '#', class: 'deeplink', title: 'open in the sandbox', onclick: (ev) => openAs(ev, payload) }, child);
  }
  if (/^https?:/i.test(href)) return el('a', { href, target: '_blank', rel: 'noopener noreferrer' }, child);
  return el('span', {}, child);
}

const tags = {
  bold: 'b', italic: 'i', underline: 'u', strikethrough: 's', code: 'code', pre: 'pre',
  spoiler: 'span', blockquote: 'blockquote', expandable_blockquote: 'blockquote',
};

function wrap(en, text, child) {
  if (en.type === 'text_link') return link(en.url, child);
  if (en.type === 'url') return link(text.substr(en.offset, en.length), child);
  const tag = tags[en.type];
  if (!tag) return child;
  return el(tag, en.type === 'spoiler' ? { class: 'spoiler' } : {}, child);
}

// linkify turns the URLs in a plain piece of text into links, as Telegram
// apps do with links the bot writes out.
function linkify(text) {
  const frag = document.createDocumentFragment();
  let last = 0;
  for (const m of text.matchAll(/https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g)) {
    frag.append(text.slice(last, m.index), link(m[0], m[0]));
    last = m.index + m[0].length;
  }
  frag.append(text.slice(last));
  return frag;
}

// richText renders a text with its entities. Offsets are in UTF-16 code
// units, as JavaScript strings are. The text is cut where any entity starts
// or ends, and each piece is wrapped in the entities covering it.
function richText(text, entities) {
  const out = el('div', { class: 'text' });
  if (!entities || entities.length === 0) {
    out.append(linkify(text));
    return out;
  }
  const cuts = new Set([0, text.length]);
  for (const en of entities) { cuts.add(en.offset); cuts.add(en.offset + en.length); }
  const points = [...cuts].filter((x) => x >= 0 && x <= text.length).sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i];
    const b = points[i + 1];
    const covering = entities.filter((en) => en.offset <= a && en.offset + en.length >= b)
      .sort((x, y) => x.length - y.length);
    const linked = covering.some((en) => en.type === 'url' || en.type === 'text_link');
    let node = linked ? document.createTextNode(text.slice(a, b)) : linkify(text.slice(a, b));
    for (const en of covering) node = wrap(en, text, node);
    out.append(node);
  }
  return out;
}

function content(col, e) {
  const parts = [];
  if (col.team) {
    // Which topic the message is in; a click writes there next.
    const name = e.thread ? (state.topics[e.thread] || '#' + e.thread) : 'General';
    parts.push(el('button', {
      type: 'button', class: 'topic-label', 'data-thread': String(e.thread || 0),
      onclick: () => { col.topic.value = String(e.thread || 0); col.text.focus(); },
    }, '# ' + name));
  }
  if (e.kind === 'photo') {
    parts.push(el('img', { class: 'photo', src: 'photo.svg', alt: 'photo' }));
  } else if (e.kind && e.kind !== 'text') {
    parts.push(el('div', { class: 'file' }, (fileLabels[e.kind] || e.kind) + (e.file_name ? ': ' + e.file_name : '')));
  }
  if (e.text) parts.push(richText(e.text, e.entities));
  if (e.buttons && e.buttons.length) {
    parts.push(el('div', { class: 'kb' }, ...e.buttons.map((row) => el('div', { class: 'row' },
      ...row.map((b) => {
        if (b.url) return link(b.url, b.text);
        return el('button', {
          type: 'button', class: 'ib', 'data-data': b.data,
          onclick: (ev) => {
            ev.currentTarget.classList.add('pressed');
            // The bot's language buttons switch the column's language too.
            const lang = /^l:(ru|en)$/.exec(b.data || '');
            if (lang) showLang(col, lang[1]);
            act(col, () => post('api/press', { user: col.user.id, message: e.id, data: b.data }));
          },
        }, b.text);
      })))));
  }
  if (e.keyboard && e.keyboard.length) {
    parts.push(el('div', { class: 'kb' }, ...e.keyboard.map((row) => el('div', { class: 'row' },
      ...row.map((t) => el('button', { type: 'button', class: 'ib rb', onclick: () => sendText(col, t) }, t))))));
  }
  const at = new Date(e.at);
  parts.push(el('span', { class: 'meta' }, isNaN(at) ? '' : at.toLocaleTimeString()));
  return parts;
}

function show(e) {
  const col = state.cols.get(e.chat);
  if (!col) return;
  let m = col.log.querySelector(`.msg[data-id="${e.id}"]`);
  const fresh = !m;
  if (fresh) m = el('div', { class: 'msg ' + e.from, 'data-id': String(e.id), 'data-kind': e.kind });
  m.replaceChildren(...content(col, e));
  if (e.edited) m.classList.add('edited');
  if (fresh) col.log.append(m);
  col.log.scrollTop = col.log.scrollHeight;
}

function setStatus(ok) {
  const s = document.getElementById('status');
  s.textContent = ok ? 'connected' : 'reconnecting…';
  s.classList.toggle('ok', ok);
}

async function poll() {
  for (;;) {
    try {
      const r = await fetch('api/events?since=' + state.since);
      if (!r.ok) throw new Error(r.statusText);
      const j = await r.json();
      setStatus(true);
      if (j.topics) {
        state.topics = j.topics;
        drawTopics();
      }
      for (const e of j.events) {
        state.since = Math.max(state.since, e.seq);
        show(e);
      }
    } catch (e) {
      setStatus(false);
      await new Promise((ok) => setTimeout(ok, 1000));
    }
  }
}

async function main() {
  const s = await (await fetch('api/state')).json();
  state.bot = s.bot;
  state.users = s.users;
  state.commands = s.commands || {};
  document.getElementById('bot').textContent = '@' + s.bot;
  const m = document.getElementById('metrics');
  if (s.metrics) m.href = s.metrics; else m.remove();
  const chats = document.getElementById('chats');
  for (const u of s.users) {
    const col = column(u);
    state.cols.set(u.id, col);
    chats.append(col.node);
  }
  setStatus(true);
  document.body.dataset.ready = 'true';
  poll();
}

main();
