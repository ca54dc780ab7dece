// Messages: one message as Slack draws it, and a list that reuses message nodes keyed by ts and
// redraws only the messages whose JSON (or what they depend on: grouping, day, person, clock day) changed.

import { h, safeHref, extLink, localUrl } from './dom.js';
import { renderBlocks } from './blockkit.js';
import { mrkdwn } from './mrkdwn.js';
import { emojiNode } from './emoji.js';
import { hhmm, tsToMs, dayLabel, fullStamp, relativeDay, zoned, dayNumber } from './time.js';

/** The reactions a person can add on this page (the toolbar's 👀 and ✅). */
const REACTABLE = ['eyes', 'white_check_mark'];

const COLORS = ['#2e7d6b', '#b5523b', '#5a4fcf', '#a0407a', '#2f6fa3', '#7a6a1f', '#3d7a2a', '#8a4b2b', '#4a5a8a', '#9c3b57'];

/** A colored square with a person's initials (the bot gets Baton's mark). */
export function avatar(userId, name, isBot, size = 'md') {
  const el = h('span', { class: `avatar avatar-${size}`, 'aria-hidden': 'true' });
  if (isBot) {
    // Baton's mark is the avatar's background (app.css): one node per message instead of a drawing.
    el.classList.add('avatar-bot');
    return el;
  }
  const words = String(name || userId || '?').trim().split(/\s+/).filter(Boolean);
  const initials = words.length > 1 ? words[0][0] + words[words.length - 1][0] : (words[0] || '?').slice(0, 2);
  el.textContent = initials.toUpperCase();
  let hash = 0;
  for (const ch of String(userId)) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  el.style.background = COLORS[hash % COLORS.length];
  return el;
}

function fileSize(n) {
  if (!Number.isFinite(n) || n < 0) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KB`;
  return `${(n / 1048576).toFixed(1)} MB`;
}

function fileIcon(name) {
  const ext = String(name).split('.').pop().toLowerCase();
  if (['csv', 'xls', 'xlsx', 'tsv'].includes(ext)) return '📊';
  if (['png', 'jpg', 'jpeg', 'gif', 'webp', 'svg'].includes(ext)) return '🖼️';
  if (['zip', 'gz', 'tar'].includes(ext)) return '🗜️';
  if (['pdf'].includes(ext)) return '📕';
  return '📄';
}

/**
 * Draws one message. env: {ctx (render context, action bound to this message), bot, inThread,
 * onReact(name), onReplies(), onMore(anchor)}. info: {grouped, day}.
 */
export function renderMessage(m, info, env) {
  const { ctx } = env;
  const ms = tsToMs(m.ts);
  const isBot = m.bot === true || m.user === env.bot?.id;
  const person = ctx.user(m.user);
  const name = isBot ? botName(env.bot, m.user_name) : (person?.real_name || m.user_name || person?.name || m.user || 'Someone');
  const time = Number.isFinite(ms) ? hhmm(ms, ctx.tz) : '';
  const stamp = Number.isFinite(ms) ? `${fullStamp(ms, ctx.tz)} (${ctx.tz})` : '';
  const ephemeral = m.ephemeral === true;
  const grouped = info.grouped && !ephemeral;

  const msg = h('div', {
    class: `msg${grouped ? ' msg-grouped' : ''}${ephemeral ? ' msg-ephemeral' : ''}`,
    'data-ts': m.ts, 'data-ephemeral': ephemeral ? 'true' : null, tabIndex: -1,
    role: 'article', 'aria-label': `${name}${time ? `, ${time}` : ''}${ephemeral ? ', only visible to you' : ''}`,
  });
  const gutter = h('div', { class: 'msg-gutter' });
  if (grouped) gutter.append(h('time', { class: 'msg-time msg-time-hover', dateTime: isoOf(ms), title: stamp }, time));
  else gutter.append(avatar(m.user, name, isBot));
  const main = h('div', { class: 'msg-main' });
  if (ephemeral) {
    main.append(h('div', { class: 'msg-only-you' }, h('span', { 'aria-hidden': 'true' }, '👁 '), 'Only visible to you'));
  }
  if (!grouped) {
    const head = h('div', { class: 'msg-head' }, h('span', { class: 'msg-author', title: person?.title || null }, name));
    if (isBot) head.append(h('span', { class: 'app-badge' }, 'APP'));
    head.append(h('time', { class: 'msg-time', dateTime: isoOf(ms), title: stamp }, time));
    main.append(head);
  }
  const content = h('div', { class: 'msg-content' });
  if (Array.isArray(m.blocks) && m.blocks.length > 0) content.append(renderBlocks(m.blocks, ctx));
  else content.append(h('div', { class: 'msg-text' }, mrkdwn(m.text, ctx)));
  if (m.edited === true) {
    // "(edited)" follows the message's last text, as in Slack; below the blocks when there is none.
    const texts = content.querySelectorAll('.msg-text, .bk-text');
    const last = texts[texts.length - 1];
    const mark = h('span', { class: 'msg-edited' }, '(edited)');
    if (last) last.append(mark);
    else content.append(mark);
  }
  main.append(content);

  const files = Array.isArray(m.files) ? m.files : [];
  if (files.length) main.append(h('div', { class: 'msg-files' }, files.map((f) => fileChip(f, ctx.me))));

  const reactions = Array.isArray(m.reactions) ? m.reactions.filter((r) => r && typeof r.name === 'string') : [];
  if (reactions.length && !ephemeral) {
    main.append(h('div', { class: 'reactions' }, reactions.map((r) => {
      const n = Number(r.count) || 0;
      const label = `${r.name.replace(/_/g, ' ')}: ${n} ${n === 1 ? 'reaction' : 'reactions'}${r.me ? ', including yours' : ''}`;
      const body = [emojiNode(r.name), h('span', { class: 'reaction-count' }, String(n))];
      // Only the reactions a person can add here are buttons. This workspace only adds reactions,
      // so the pill is no toggle: one of your own stays as it is when clicked.
      if (!REACTABLE.includes(r.name)) {
        return h('span', { class: r.me ? 'reaction is-mine' : 'reaction', role: 'img', 'aria-label': label, title: `:${r.name}:`, 'data-reaction': r.name }, body);
      }
      return h('button', {
        class: r.me ? 'reaction is-mine' : 'reaction', type: 'button',
        'aria-label': r.me ? label : `${label}. Add yours`, 'data-reaction': r.name, title: `:${r.name}:`,
        onclick: () => { if (!r.me) env.onReact(r.name); },
      }, body);
    })));
  }

  const replies = Number(m.reply_count) || 0;
  if (replies > 0 && !env.inThread) main.append(repliesBar(m, replies, ctx, env));

  msg.append(gutter, main);
  // The hover toolbar is made when the message is first hovered or focused (MessageList), which
  // keeps a long channel light.
  if (!ephemeral) toolbars.set(msg, () => toolbar(m, env));

  const wrap = h('div', { class: 'msg-wrap' });
  if (info.day) wrap.append(h('div', { class: 'day-divider', role: 'separator' }, h('span', { class: 'day-label' }, info.day)));
  wrap.append(msg);
  return wrap;
}

function isoOf(ms) {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function botName(bot, userName) {
  const n = userName || bot?.name || 'Baton';
  return n.charAt(0).toUpperCase() + n.slice(1);
}

function fileChip(f, me) {
  const name = String(f?.title || f?.name || 'file');
  const chip = h('div', { class: 'file-chip' },
    h('span', { class: 'file-icon', 'aria-hidden': 'true' }, fileIcon(f?.name || name)),
    h('span', { class: 'file-meta' },
      h('span', { class: 'file-name' }, name),
      h('span', { class: 'file-sub' }, [String(f?.name || '').split('.').pop().toUpperCase(), fileSize(Number(f?.size))].filter(Boolean).join(' · '))));
  // A file of this workspace is fetched as the person looking; only there does their id go along.
  const local = localUrl(f?.url);
  const label = `Download ${name}`;
  if (local) {
    local.searchParams.set('as', me);
    chip.append(h('a', { class: 'file-download', href: local.pathname + local.search, download: String(f?.name || name), 'aria-label': label }, '⬇'));
  } else {
    const href = safeHref(f?.url);
    if (href) {
      const link = extLink(href, '⬇');
      link.className = 'file-download';
      link.setAttribute('aria-label', label);
      chip.append(link);
    }
  }
  return chip;
}

function repliesBar(m, n, ctx, env) {
  const users = Array.isArray(m.reply_users) ? m.reply_users.slice(0, 3) : [];
  const last = tsToMs(m.latest_reply);
  let lastText = '';
  if (Number.isFinite(last)) {
    const rel = relativeDay(last, ctx.now(), ctx.tz);
    lastText = `Last reply ${rel ? rel.toLowerCase() : dayLabel(last, ctx.now(), ctx.tz)} at ${hhmm(last, ctx.tz)}`;
  }
  return h('button', { class: 'replies', type: 'button', 'data-testid': 'replies', onclick: env.onReplies },
    h('span', { class: 'replies-avatars' }, users.map((u) => {
      const p = ctx.user(u);
      return avatar(u, p?.real_name || p?.name || u, u === env.bot?.id, 'xs');
    })),
    h('span', { class: 'replies-count' }, `${n} ${n === 1 ? 'reply' : 'replies'}`),
    lastText ? h('span', { class: 'replies-last' }, lastText) : null,
    h('span', { class: 'replies-view', 'aria-hidden': 'true' }, 'View thread ›'));
}

/**
 * What a drawing that says how long ago something was depends on: the quarter minute, for a
 * text with a Slack date written as "{ago}" ("just now", "3 minutes ago"), else nothing.
 */
export function agoKey(json, nowMs) {
  return json.includes('{ago}') ? `|${Math.floor(nowMs / 15000)}` : '';
}

/** Message element → the function that makes its toolbar, until it is made. */
const toolbars = new WeakMap();

/** Gives a message its toolbar if it has none yet. */
function ensureToolbar(msg) {
  const make = toolbars.get(msg);
  if (!make) return;
  toolbars.delete(msg);
  msg.append(make());
}

function toolbar(m, env) {
  const bar = h('div', { class: 'msg-toolbar', role: 'toolbar', 'aria-label': 'Message actions' });
  const btn = (label, icon, onclick, extra = {}) => h('button', { class: 'tool-btn', type: 'button', 'aria-label': label, title: label, onclick, ...extra }, icon);
  bar.append(
    btn('React with :eyes:', emojiNode('eyes'), () => env.onReact('eyes'), { 'data-react': 'eyes' }),
    btn('React with :white_check_mark:', emojiNode('white_check_mark'), () => env.onReact('white_check_mark'), { 'data-react': 'white_check_mark' }),
  );
  if (!env.inThread) bar.append(btn('Reply in thread', '💬', env.onReplies, { 'data-testid': 'reply-in-thread' }));
  const more = btn('More actions', '⋮', (e) => env.onMore(e.currentTarget), { 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'data-testid': 'more-actions' });
  bar.append(more);
  return bar;
}

/** Where focus was inside a node that is about to be redrawn, to put it back on its twin. */
function focusHook(node) {
  const a = document.activeElement;
  if (!a || !node.contains(a)) return null;
  if (a.dataset.actionId) return `[data-action-id="${CSS.escape(a.dataset.actionId)}"]`;
  const holder = a.closest('[data-action-id]');
  if (holder && node.contains(holder)) return `[data-action-id="${CSS.escape(holder.dataset.actionId)}"]`;
  if (a.dataset.testid) return `[data-testid="${CSS.escape(a.dataset.testid)}"]`;
  if (a.dataset.react) return `[data-react="${CSS.escape(a.dataset.react)}"]`;
  if (a.dataset.reaction) return `[data-reaction="${CSS.escape(a.dataset.reaction)}"]`;
  return '.msg';
}

/** A list of messages in a scrolling pane, drawn with node reuse. */
export class MessageList {
  /** scroller: the element that scrolls; list: where message nodes go; render(m, info) → node. */
  constructor(scroller, list, render) {
    this.scroller = scroller;
    this.list = list;
    this.render = render;
    this.nodes = new Map();
    this.rover = null;
    this.messages = null; // the messages drawn last
    // Whether the pane follows the newest message: true while the person is at the bottom. Content
    // that grows afterwards (fonts, a card redrawn taller) keeps it pinned there.
    this.stick = true;
    scroller.addEventListener('scroll', () => { this.stick = this.atBottom(); }, { passive: true });
    new ResizeObserver(() => { if (this.stick) this.scrollToBottom(); }).observe(list);
    list.addEventListener('mouseover', (e) => {
      const msg = e.target.closest?.('.msg');
      if (msg) ensureToolbar(msg);
    });
    list.addEventListener('focusin', (e) => {
      const msg = e.target.closest?.('.msg');
      if (!msg) return;
      ensureToolbar(msg);
      this.rove(msg);
    });
    // One message is in the tab order; Up and Down move between messages, Home/End to the ends.
    list.addEventListener('keydown', (e) => {
      if (!e.target.classList?.contains('msg') || e.altKey || e.ctrlKey || e.metaKey) return;
      const all = [...list.querySelectorAll('.msg')];
      const i = all.indexOf(e.target);
      const to = { ArrowUp: i - 1, ArrowDown: i + 1, Home: 0, End: all.length - 1 }[e.key];
      if (to === undefined || !all[to]) return;
      e.preventDefault();
      all[to].focus();
      all[to].scrollIntoView({ block: 'nearest' });
    });
  }

  /**
   * A message drawn again keeps what others put on it (attributes such as a test's mark) and its
   * place in the tab order.
   */
  adopt(oldWrap, newWrap) {
    const o = oldWrap.querySelector('.msg');
    const n = newWrap.querySelector('.msg');
    if (!o || !n) return;
    for (const a of o.attributes) {
      if (!n.hasAttribute(a.name)) n.setAttribute(a.name, a.value);
    }
    if (this.rover === o) {
      this.rover = null;
      this.rove(n);
    }
  }

  /** Makes msg the message in the tab order. */
  rove(msg) {
    if (this.rover === msg) return;
    if (this.rover) this.rover.tabIndex = -1;
    msg.tabIndex = 0;
    this.rover = msg;
  }

  /** Keeps one message in the tab order: the one last focused, else the newest. */
  keepRover() {
    if (this.rover?.isConnected) return;
    this.rover = null;
    const last = this.list.lastElementChild?.querySelector('.msg');
    if (last) this.rove(last);
  }

  /** Whether the pane shows its last message (within a few pixels). */
  atBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 24;
  }

  scrollToBottom() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  /**
   * What each message is drawn with: its key, its grouping with the one before (same person within
   * 5 minutes, as Slack does), the day divider that opens each day, and a signature of all of it.
   */
  plan(messages, ctxKey, tz, nowMs) {
    const items = [];
    const seen = new Set();
    let prev = null;
    let prevDay = null;
    for (const m of messages) {
      if (!m || typeof m !== 'object' || typeof m.ts !== 'string') continue;
      const key = `${m.ephemeral ? 'e' : 'm'}:${m.ts}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const ms = tsToMs(m.ts);
      const day = Number.isFinite(ms) ? dayNumber(zoned(ms, tz)) : null;
      const info = {
        day: day !== null && day !== prevDay ? dayLabel(ms, nowMs, tz) : '',
        grouped: Boolean(prev && day === prevDay && prev.user === m.user && !prev.ephemeral && !m.ephemeral
          && ms - tsToMs(prev.ts) < 5 * 60 * 1000 && !(Number(prev.reply_count) > 0)),
      };
      prev = m;
      prevDay = day;
      const json = JSON.stringify(m);
      items.push({ key, m, info, sig: `${json}|${info.grouped}|${info.day}|${ctxKey}${agoKey(json, nowMs)}` });
    }
    return items;
  }

  /**
   * Draws messages (oldest first). ctxKey names what the drawing depends on besides each message
   * (person, zone, the clock's day…); only messages whose signature changed are drawn again.
   */
  update(messages, ctxKey, tz, nowMs) {
    this.messages = messages;
    const items = this.plan(messages, ctxKey, tz, nowMs);
    if (this.list.firstChild === null) {
      this.first(items);
      return;
    }
    const pinned = this.stick;
    const keys = new Set(items.map((it) => it.key));
    for (const [k, e] of this.nodes) {
      if (!keys.has(k)) {
        e.el.remove();
        this.nodes.delete(k);
      }
    }
    let cursor = this.list.firstChild;
    for (const it of items) {
      let entry = this.nodes.get(it.key);
      let hook = null;
      let old = null;
      if (entry && entry.sig !== it.sig) {
        hook = focusHook(entry.el);
        old = entry.el;
        if (old === cursor) cursor = cursor.nextSibling;
        old.remove();
        entry = null;
      }
      if (!entry) {
        entry = { sig: it.sig, el: this.safeRender(it.m, it.info) };
        this.nodes.set(it.key, entry);
        if (old) this.adopt(old, entry.el);
      }
      if (entry.el === cursor) cursor = cursor.nextSibling;
      else this.list.insertBefore(entry.el, cursor);
      if (hook) (entry.el.querySelector(hook) || entry.el.querySelector('.msg'))?.focus?.();
    }
    this.keepRover();
    if (pinned) this.scrollToBottom();
  }

  /** Draws the last messages again (only what changed): a "{ago}" that has aged is written anew. */
  redraw(ctxKey, tz, nowMs) {
    if (this.messages) this.update(this.messages, ctxKey, tz, nowMs);
  }

  /** The first drawing: every message built in one fragment, added at once, the newest in view. */
  first(items) {
    const frag = document.createDocumentFragment();
    for (const it of items) {
      const entry = { sig: it.sig, el: this.safeRender(it.m, it.info) };
      this.nodes.set(it.key, entry);
      frag.append(entry.el);
    }
    this.list.append(frag);
    this.keepRover();
    this.stick = true;
    this.scrollToBottom();
  }

  safeRender(m, info) {
    try {
      return this.render(m, info);
    } catch {
      return h('div', { class: 'msg-wrap' }, h('div', { class: 'msg', 'data-ts': m.ts }, h('div', { class: 'msg-gutter' }), h('div', { class: 'bk-unknown' }, 'This message could not be shown here')));
    }
  }
}
