// Baton's local workspace: a small Slack client over the local double, so Baton can be tried
// without a Slack workspace. State lives here; what is on screen is refetched on each `change`
// event of /local/api/events (at most one fetch in flight per pane).

import { h } from './dom.js';
import { get, post } from './api.js';
import { renderBlocks } from './blockkit.js';
import { renderMessage, MessageList, avatar, agoKey } from './messages.js';
import { Composer } from './composer.js';
import { ModalHost } from './modal.js';
import { Inspector } from './inspector.js';
import { ClockWidget } from './clock.js';
import { openMenu, toast } from './widgets.js';
import { safeZone, zoned, dayNumber } from './time.js';
import { batonIcon } from './emoji.js';

const S = {
  session: null,
  people: new Map(), // id → person; the bot too
  humans: [],
  me: '',
  sidebar: null, // {channels: [{id, name, private, member}], dm: {id, name}}
  route: { kind: 'channel', id: '' }, // or {kind: 'home'}
  thread: null, // {channel, ts}
  es: null, // the event stream
  retry: 0, // reconnections tried since it last worked
  retryTimer: 0,
  down: false,
};

const $ = {}; // the page's fixed elements

// ---- context for drawing ------------------------------------------------------------------

const person = () => S.people.get(S.me);
const tz = () => safeZone(person()?.tz);
const now = () => clock.nowMs();

/** The app's name as shown: the name the workspace gives its DM (else its bot), capitalised ("baton" → "Baton"). */
function appName() {
  const n = String(S.sidebar?.dm?.name || S.session?.bot?.name || 'baton');
  return n.charAt(0).toUpperCase() + n.slice(1);
}

function channelById(id) {
  if (!S.sidebar) return null;
  const c = S.sidebar.channels.find((x) => x.id === id);
  if (c) return c;
  if (S.sidebar.dm?.id === id) return { id, name: appName(), private: true, dm: true };
  return null;
}

/** What drawing depends on besides the data: person, zone, the clock's day, conversation names. */
function ctxKey() {
  const z = tz();
  const names = (S.sidebar?.channels || []).map((c) => `${c.id}=${c.name}`).join(',');
  return `${S.me}|${z}|${dayNumber(zoned(now(), z))}|${names}|${appName()}`;
}

function baseCtx(surface) {
  return {
    me: S.me, tz: tz(), now,
    user: (id) => S.people.get(id) || null,
    channel: channelById,
    goto: (id) => navigate({ kind: 'channel', id }),
    follow: followLink,
    people: S.humans,
    channels: S.sidebar?.channels || [],
    dm: S.sidebar?.dm ? { id: S.sidebar.dm.id, name: appName() } : null,
    current: S.route.kind === 'channel' ? S.route.id : '',
    surface,
  };
}

// ---- writes --------------------------------------------------------------------------------

async function sendAction(p) {
  try {
    const res = await post('/local/api/action', { as: S.me, ...p });
    if (!res.ok) {
      toast(res.error || 'Baton did not take this action.');
      return false;
    }
    scheduleRefresh();
    return true;
  } catch (err) {
    toast(err.message);
    return false;
  }
}

async function react(channel, ts, name) {
  try {
    const res = await post('/local/api/react', { as: S.me, channel, ts, name });
    if (!res.ok) toast(res.error || 'The reaction could not be added.');
  } catch (err) {
    toast(err.message);
  }
}

function messageMenu(anchor, channel, m) {
  const shortcuts = (S.session.shortcuts || []).filter((s) => s && s.type === 'message');
  openMenu(anchor, shortcuts.map((s) => ({
    label: String(s.name || s.callback_id),
    description: s.description ? String(s.description) : '',
    onSelect: async () => {
      try {
        const res = await post('/local/api/shortcut', { as: S.me, channel, ts: m.ts, callback_id: s.callback_id });
        if (!res.ok) toast(res.error || 'The shortcut did not run.');
      } catch (err) {
        toast(err.message);
      }
    },
  })), 'Message actions');
}

/**
 * Turns what was typed into what Slack sends: & < > escaped, @name → <@U…>, @here → <!here>,
 * #channel → <#C…|name> (Slack's escaping of messages and of slash commands with should_escape).
 */
function toSlackText(text) {
  const byName = new Map(S.humans.map((p) => [p.name.toLowerCase(), p]));
  let t = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  t = t.replace(/(^|[^\p{L}\p{N}_@.])@([\p{L}\p{N}._-]+)/gu, (all, pre, word) => {
    let name = word;
    let tail = '';
    for (;;) {
      const lower = name.toLowerCase();
      if (lower === 'here' || lower === 'channel' || lower === 'everyone') return `${pre}<!${lower}>${tail}`;
      const p = byName.get(lower);
      if (p) return `${pre}<@${p.id}>${tail}`;
      if (!/[._-]$/.test(name)) return all;
      tail = name.slice(-1) + tail;
      name = name.slice(0, -1);
    }
  });
  const channels = new Map((S.sidebar?.channels || []).map((c) => [c.name.toLowerCase(), c]));
  t = t.replace(/(^|[\s(])#([\p{L}\p{N}_-]+)/gu, (all, pre, name) => {
    const c = channels.get(name.toLowerCase());
    return c ? `${pre}<#${c.id}|${c.name}>` : all;
  });
  return t;
}

function sendText(channel, threadTs) {
  return async (typed) => {
    const me = S.me;
    const sender = threadTs ? threadComposer : composer;
    const res = await post('/local/api/send', { as: me, channel, text: toSlackText(typed), thread_ts: threadTs || '' });
    if (res.ok) {
      if (!threadTs) forgetSent(me, channel, typed, sender);
      // What comes back (the message, Baton's answer) is shown: the pane follows the newest again.
      const list = threadTs ? threadList : channelList;
      if (list) {
        list.stick = true;
        list.scrollToBottom();
      }
      scheduleRefresh();
    }
    return res;
  };
}

/**
 * Takes what was sent out of the text kept for the conversation. The composer that sent clears
 * itself; but the person may have gone elsewhere while it was on its way, which kept the text as
 * a draft, and back again, which drew a new composer from that draft.
 */
function forgetSent(me, channel, typed, sender) {
  const strip = (v) => (v.startsWith(typed) ? v.slice(typed.length).replace(/^\n/, '') : v);
  const key = `${me}|${channel}`;
  if (drafts.has(key)) drafts.set(key, strip(drafts.get(key)));
  const here = S.me === me && S.route.kind === 'channel' && S.route.id === channel;
  if (here && composer && composer !== sender && composer.value.startsWith(typed)) composer.value = strip(composer.value);
}

// ---- panes: at most one fetch in flight each; asking again while it runs fetches once more after ----

function pane(load) {
  let running = false;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await load();
    } catch (err) {
      toast(err.message);
    } finally {
      running = false;
      if (again) {
        again = false;
        run();
      }
    }
  };
  return run;
}

const panes = {
  sidebar: pane(loadSidebar),
  channel: pane(loadChannel),
  thread: pane(loadThread),
  home: pane(loadHome),
  modals: pane(loadModals),
  inspector: pane(loadInspector),
};

let refreshTimer = 0;
/** Refetches what is on screen, ~50 ms after the last call. */
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refreshAll, 50);
}

function refreshAll() {
  panes.sidebar();
  if (S.route.kind === 'home') panes.home();
  else panes.channel();
  if (S.thread) panes.thread();
  panes.modals();
  if (inspector.open) panes.inspector();
}

// ---- sidebar -------------------------------------------------------------------------------

let sidebarSig = '';

async function loadSidebar() {
  const me = S.me;
  const data = await get('/local/api/sidebar', { as: me });
  if (me !== S.me) return;
  S.sidebar = {
    channels: (Array.isArray(data.channels) ? data.channels : []).filter((c) => c && typeof c.id === 'string')
      .map((c) => ({ id: c.id, name: String(c.name || c.id), private: c.private === true, member: c.member !== false })),
    dm: data.dm && typeof data.dm.id === 'string' ? data.dm : null,
  };
  if (data.clock) clock.set(data.clock);
  drawSidebar();
}

function sidebarItem(id, label, icon, extra = {}) {
  const current = S.route.kind === 'home' ? id === 'home' : S.route.id === id;
  return h('li', null, h('button', {
    class: `sb-item${current ? ' is-current' : ''}${extra.dim ? ' is-dim' : ''}`, type: 'button',
    'data-conversation': id, 'aria-current': current ? 'page' : null, 'aria-label': extra.aria || null,
    title: extra.title || null,
    onclick: () => navigate(id === 'home' ? { kind: 'home' } : { kind: 'channel', id }),
  }, h('span', { class: 'sb-icon', 'aria-hidden': 'true' }, icon), h('span', { class: 'sb-label' }, label)));
}

function drawSidebar() {
  const sb = S.sidebar;
  if (!sb) return;
  const sig = JSON.stringify([sb, S.route, S.me]);
  if (sig === sidebarSig) return;
  sidebarSig = sig;
  const focused = document.activeElement?.closest?.('[data-conversation]')?.dataset.conversation;
  const channels = sb.channels.map((c) => sidebarItem(c.id, c.name, c.private ? '🔒' : '#', {
    dim: !c.member,
    aria: `${c.private ? 'Private channel' : 'Channel'} ${c.name}${c.member ? '' : ' (not a member)'}`,
    title: c.member ? null : 'You are not a member of this channel',
  }));
  const app = appName();
  const apps = [sidebarItem('home', `${app} — Home`, '⌂', { aria: `${app}, Home tab` })];
  if (sb.dm) apps.push(sidebarItem(sb.dm.id, app, batonIcon(), { aria: `${app}, direct messages` }));
  $.sideList.replaceChildren(
    h('div', { class: 'sb-section' }, h('h2', { class: 'sb-heading', id: 'sb-channels' }, 'Channels'),
      channels.length ? h('ul', { class: 'sb-list', 'aria-labelledby': 'sb-channels' }, channels)
        : h('p', { class: 'sb-empty' }, 'No channels')),
    h('div', { class: 'sb-section' }, h('h2', { class: 'sb-heading', id: 'sb-apps' }, 'Apps'),
      h('ul', { class: 'sb-list', 'aria-labelledby': 'sb-apps' }, apps)),
  );
  if (focused) $.sideList.querySelector(`[data-conversation="${CSS.escape(focused)}"]`)?.focus();
  // A channel renamed, or joined, shows so in the conversation's header too.
  if (S.route.kind) drawHeader();
}

/** Alt+Up / Alt+Down: the previous or next conversation in the sidebar. */
function stepConversation(d) {
  const items = [...$.sideList.querySelectorAll('[data-conversation]')];
  if (!items.length) return;
  const i = items.findIndex((b) => b.getAttribute('aria-current') === 'page');
  const id = items[(i + d + items.length) % items.length].dataset.conversation;
  navigate(id === 'home' ? { kind: 'home' } : { kind: 'channel', id });
  $.sideList.querySelector(`[data-conversation="${CSS.escape(id)}"]`)?.focus();
}

// ---- routing -------------------------------------------------------------------------------

// Storage can be refused (blocked cookies, private windows): the page then only forgets the
// person and place it was at.
function remembered(key) {
  try {
    return localStorage.getItem(key) || '';
  } catch {
    return '';
  }
}

function remember(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Not kept; the URL's hash still says it.
  }
}

function writeHash() {
  const c = S.route.kind === 'home' ? 'home' : S.route.id;
  const want = `#as=${encodeURIComponent(S.me)}&c=${encodeURIComponent(c)}`;
  if (location.hash !== want) history.replaceState(null, '', want);
  remember('baton.as', S.me);
  remember('baton.c', c);
}

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  return { as: p.get('as') || '', c: p.get('c') || '' };
}

/** A route this person can see: the one asked for, else their first channel, else the DM with the app. */
function visibleRoute(route) {
  if (route.kind === 'home') return route;
  if (channelById(route.id)) return route;
  const first = S.sidebar?.channels.find((c) => c.member) || S.sidebar?.channels[0];
  if (first) return { kind: 'channel', id: first.id };
  if (S.sidebar?.dm) return { kind: 'channel', id: S.sidebar.dm.id };
  return { kind: 'channel', id: route.id };
}

function navigate(route) {
  const r = visibleRoute(route);
  const same = r.kind === S.route.kind && r.id === S.route.id;
  if (!same) {
    saveDraft();
    S.route = r;
    if (S.thread && S.thread.channel !== r.id) closeThread(false);
    drawMain();
  }
  writeHash();
  drawSidebar();
  if (r.kind === 'home') openHome();
  else panes.channel();
}

// ---- main pane: header, messages or Home, composer ------------------------------------------

const drafts = new Map();
let composer = null;
let channelList = null;
let homeSig = '';

function saveDraft() {
  if (composer && S.route.kind === 'channel') drafts.set(`${S.me}|${S.route.id}`, composer.value);
}

function drawHeader() {
  const r = S.route;
  const head = $.convHead;
  head.replaceChildren();
  const dm = S.sidebar?.dm;
  if (r.kind === 'home' || (dm && r.id === dm.id)) {
    const app = appName();
    head.append(h('div', { class: 'conv-title' }, avatar(S.session.bot.id, app, true, 'sm'), h('h1', { class: 'conv-name' }, app), h('span', { class: 'app-badge' }, 'APP')));
    const tab = (label, active, to) => h('button', {
      class: `conv-tab${active ? ' is-active' : ''}`, type: 'button', 'aria-current': active ? 'page' : null,
      onclick: () => navigate(to),
    }, label);
    head.append(h('div', { class: 'conv-tabs', role: 'group', 'aria-label': `${app} tabs` },
      tab('Home', r.kind === 'home', { kind: 'home' }),
      dm ? tab('Messages', r.kind !== 'home', { kind: 'channel', id: dm.id }) : null));
    return;
  }
  const c = channelById(r.id);
  head.append(h('div', { class: 'conv-title' },
    h('span', { class: 'conv-hash', 'aria-hidden': 'true' }, c?.private ? '🔒' : '#'),
    h('h1', { class: 'conv-name' }, c ? c.name : r.id),
    c?.private ? h('span', { class: 'sr-only' }, '(private)') : null,
    c && !c.member ? h('span', { class: 'conv-note' }, 'You are not a member of this channel') : null));
}

function drawMain() {
  drawHeader();
  const r = S.route;
  $.convBody.replaceChildren();
  $.composerSlot.replaceChildren();
  homeSig = '';
  channelList = null;
  if (r.kind === 'home') {
    $.main.setAttribute('aria-label', `${appName()} — Home`);
    $.homeView = h('div', { class: 'home-view' }, h('p', { class: 'pane-note' }, 'Opening Baton’s Home…'));
    $.convBody.append(h('div', { class: 'scroller home-scroller', tabIndex: -1 }, $.homeView));
    composer = null;
    return;
  }
  const c = channelById(r.id);
  const label = c?.dm ? c.name : `#${c ? c.name : r.id}`;
  $.main.setAttribute('aria-label', `Conversation ${label}`);
  const scroller = h('div', { class: 'scroller', tabIndex: -1 });
  const intro = h('div', { class: 'conv-intro' });
  const earlier = h('p', { class: 'conv-earlier', hidden: true });
  const list = h('div', { class: 'msg-list', role: 'log', 'aria-label': `Messages in ${label}`, 'aria-live': 'off' });
  scroller.append(intro, earlier, list);
  $.convBody.append(scroller);
  $.intro = intro;
  $.earlier = earlier;
  channelList = new MessageList(scroller, list, (m, info) => messageNode(m, info, r.id, false));
  composer = new Composer({
    label: `Message ${label}`,
    placeholder: `Message ${label}`,
    commands: () => S.session.commands || [],
    people: () => S.humans,
    channels: () => S.sidebar?.channels || [],
    send: sendText(r.id, ''),
  });
  composer.value = drafts.get(`${S.me}|${r.id}`) || '';
  $.composerSlot.append(composer.el);
}

function messageNode(m, info, channel, inThread) {
  const ctx = baseCtx('message');
  ctx.action = (p) => sendAction({ ...p, surface: 'message', channel, ts: m.ts });
  return renderMessage(m, info, {
    ctx, bot: S.session.bot, inThread,
    onReact: (name) => react(channel, m.ts, name),
    onReplies: () => openThread(channel, m.thread_ts || m.ts),
    onMore: (anchor) => messageMenu(anchor, channel, m),
  });
}

async function loadChannel() {
  const r = S.route;
  const me = S.me;
  if (r.kind !== 'channel' || !r.id) return;
  let data;
  try {
    data = await get('/local/api/channel', { as: me, id: r.id });
  } catch (err) {
    if (S.route === r && S.me === me && channelList && !channelList.nodes.size) {
      $.intro.replaceChildren(h('p', { class: 'pane-error', role: 'alert' }, err.message));
      return;
    }
    throw err;
  }
  if (S.route !== r || S.me !== me || !channelList) return;
  const messages = Array.isArray(data.messages) ? data.messages : [];
  const c = channelById(r.id);
  const name = typeof data.name === 'string' && data.name ? data.name : c?.name || r.id;
  $.intro.replaceChildren(...introFor(c, name, data.im === true, messages.length));
  const earlier = Number(data.earlier) || 0;
  $.earlier.hidden = earlier <= 0;
  $.earlier.textContent = earlier > 0 ? `${earlier} earlier message${earlier === 1 ? ' is' : 's are'} not shown here.` : '';
  channelList.update(messages, ctxKey(), tz(), now());
  reveal(channelList, r.id, '');
}

function introFor(c, name, im, count) {
  if (count > 0) return [];
  if (im || c?.dm) {
    const app = appName();
    return [h('div', { class: 'intro-avatar' }, avatar(S.session.bot.id, app, true, 'lg')),
      h('h2', { class: 'intro-title' }, app),
      h('p', { class: 'intro-text' }, `This is the very beginning of your direct messages with ${app}. Try `, h('code', null, '/task help'), ' or hand someone a task with ', h('code', null, '/task @name Title due:fri'), '.')];
  }
  return [h('h2', { class: 'intro-title' }, `${c?.private ? '🔒' : '#'} ${name}`),
    h('p', { class: 'intro-text' }, `This is the very beginning of the #${name} channel.`)];
}

// ---- App Home ------------------------------------------------------------------------------

async function openHome() {
  const me = S.me;
  try {
    const res = await post('/local/api/home_opened', { as: me });
    if (!res.ok) toast(res.error || 'Baton’s Home could not be opened.');
  } catch (err) {
    toast(err.message);
  }
  panes.home();
}

async function loadHome() {
  const me = S.me;
  if (S.route.kind !== 'home') return;
  const data = await get('/local/api/home', { as: me });
  if (S.me !== me || S.route.kind !== 'home' || !$.homeView) return;
  const view = data.view && typeof data.view === 'object' ? data.view : null;
  const json = JSON.stringify(view);
  const sig = `${json}|${ctxKey()}${agoKey(json, now())}`;
  if (sig === homeSig) return;
  homeSig = sig;
  const scroller = $.homeView.parentElement;
  const top = scroller.scrollTop;
  const hook = actionHook($.homeView);
  if (!view) {
    $.homeView.replaceChildren(h('div', { class: 'home-empty' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Baton has not drawn your Home yet.'));
    return;
  }
  const ctx = baseCtx('home');
  ctx.action = (p) => sendAction({ ...p, surface: 'home' });
  $.homeView.replaceChildren(h('div', { class: 'home-card', 'data-view-id': view.id || null }, renderBlocks(view.blocks, ctx)));
  scroller.scrollTop = top;
  if (hook) $.homeView.querySelector(hook)?.focus();
}

/** A selector for the element with focus inside root, to focus its twin once root is drawn again. */
function actionHook(root) {
  const id = root.contains(document.activeElement) ? document.activeElement.closest('[data-action-id]')?.dataset.actionId : null;
  return id ? `[data-action-id="${CSS.escape(id)}"]` : null;
}

// ---- thread pane ---------------------------------------------------------------------------

let threadList = null;
let threadComposer = null;
let threadParentSig = '';

function openThread(channel, ts) {
  if (S.thread && S.thread.channel === channel && S.thread.ts === ts) {
    threadComposer?.focus();
    return;
  }
  S.thread = { channel, ts };
  threadParentSig = '';
  const c = channelById(channel);
  const parent = h('div', { class: 'thread-parent' });
  const sep = h('div', { class: 'thread-sep', hidden: true });
  const list = h('div', { class: 'msg-list', role: 'log', 'aria-label': 'Replies', 'aria-live': 'off' });
  const scroller = h('div', { class: 'scroller thread-scroller', tabIndex: -1 }, parent, sep, list);
  threadList = new MessageList(scroller, list, (m, info) => messageNode(m, info, channel, true));
  threadComposer = new Composer({
    label: 'Reply in thread', placeholder: 'Reply…',
    commands: () => S.session.commands || [],
    people: () => S.humans,
    channels: () => S.sidebar?.channels || [],
    send: sendText(channel, ts),
  });
  $.thread.replaceChildren(
    h('div', { class: 'thread-head' },
      h('h2', { class: 'thread-title' }, 'Thread'),
      h('span', { class: 'thread-where' }, c ? (c.dm ? c.name : `${c.private ? '🔒' : '#'} ${c.name}`) : ''),
      h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'Close thread', 'data-testid': 'thread-close', onclick: () => closeThread(true) }, '✕')),
    scroller,
    h('div', { class: 'thread-composer' }, threadComposer.el));
  $.thread.hidden = false;
  $.thread.dataset.channel = channel;
  $.thread.dataset.ts = ts;
  $.parentEl = parent;
  $.threadSep = sep;
  $.workspace.classList.add('has-thread');
  threadComposer.focus();
  panes.thread();
}

function closeThread(restoreFocus) {
  const t = S.thread;
  S.thread = null;
  threadList = null;
  threadComposer = null;
  $.thread.hidden = true;
  $.thread.replaceChildren();
  $.workspace.classList.remove('has-thread');
  if (restoreFocus && t) {
    const msg = [...document.querySelectorAll('.msg-list [data-ts]')].find((m) => m.dataset.ts === t.ts);
    (msg?.querySelector('[data-testid="replies"]') || composer?.ta)?.focus();
  }
}

async function loadThread() {
  const t = S.thread;
  const me = S.me;
  if (!t) return;
  let data;
  try {
    data = await get('/local/api/thread', { as: me, channel: t.channel, ts: t.ts });
  } catch (err) {
    if (S.thread === t && !threadParentSig) {
      $.parentEl.replaceChildren(h('p', { class: 'pane-error', role: 'alert' }, err.message));
      return;
    }
    throw err;
  }
  if (S.thread !== t || S.me !== me || !threadList) return;
  const parent = data.parent && typeof data.parent === 'object' ? data.parent : null;
  const replies = Array.isArray(data.replies) ? data.replies : [];
  const json = JSON.stringify(parent);
  const sig = `${json}|${ctxKey()}${agoKey(json, now())}`;
  if (sig !== threadParentSig) {
    threadParentSig = sig;
    const hook = actionHook($.parentEl);
    $.parentEl.replaceChildren(parent ? messageNode(parent, { grouped: false, day: '' }, t.channel, true) : h('p', { class: 'pane-note' }, 'This message is no longer here.'));
    if (hook) $.parentEl.querySelector(hook)?.focus();
  }
  const n = replies.filter((m) => !m?.ephemeral).length;
  $.threadSep.hidden = n === 0;
  $.threadSep.replaceChildren(h('span', null, `${n} ${n === 1 ? 'reply' : 'replies'}`));
  threadList.update(replies, ctxKey(), tz(), now());
  reveal(threadList, t.channel, t.ts);
}

// ---- permalinks ----------------------------------------------------------------------------

/**
 * A permalink of this workspace, as chat.getPermalink makes them, → {channel, ts, thread}:
 * https://<domain>.slack.com/archives/C1/p1712345678000100, with ?thread_ts=…&cid=… for a reply
 * in a thread (thread is then its parent's ts). Anything else → null.
 */
function permalink(href) {
  const domain = String(S.session?.team?.domain || '').toLowerCase();
  let u;
  try {
    u = new URL(href);
  } catch {
    return null;
  }
  const m = /^\/archives\/([A-Z0-9]+)\/p(\d{7,})\/?$/.exec(u.pathname);
  if (!domain || !/^https?:$/.test(u.protocol) || u.hostname !== `${domain}.slack.com` || !m) return null;
  const ts = `${m[2].slice(0, -6)}.${m[2].slice(-6)}`;
  const thread = u.searchParams.get('thread_ts') || '';
  return { channel: m[1], ts, thread: thread !== ts ? thread : '' };
}

let pending = null; // {channel, ts, thread}: the message of a followed permalink, shown once its pane has loaded

/**
 * Follows a permalink of this workspace inside the page. Returns false for any other link, which
 * the caller opens as it would.
 */
function followLink(href) {
  const p = permalink(href);
  if (p) follow(p);
  return Boolean(p);
}

/**
 * Opens a permalink's conversation (and thread) and shows its message there, once the person is
 * known to see it; else says why not, and the page stays where it is.
 */
async function follow(p) {
  const me = S.me;
  let seen = false;
  try {
    const data = p.thread ? await get('/local/api/thread', { as: me, channel: p.channel, ts: p.thread })
      : await get('/local/api/channel', { as: me, id: p.channel });
    const msgs = p.thread ? data.replies : data.messages;
    seen = Array.isArray(msgs) && msgs.some((m) => m && m.ts === p.ts && !m.ephemeral);
  } catch (err) {
    // The workspace's own words: someone else's DM, a private channel, a thread that is gone.
    if (S.me === me) toast(err.message, 'info');
    return;
  }
  if (S.me !== me) return;
  const c = channelById(p.channel);
  if (!seen || !c) {
    const where = c ? (c.dm ? `your messages with ${c.name}` : `#${c.name}`) : 'its conversation';
    toast(`That ${p.thread ? `reply is no longer in its thread in ${where}` : `message is no longer in ${where}`}.`, 'info');
    return;
  }
  pending = p;
  navigate({ kind: 'channel', id: p.channel });
  if (p.thread) {
    openThread(p.channel, p.thread);
    panes.thread(); // fetched again even when that thread was already open
  }
}

/**
 * When list has just drawn the messages of the conversation and thread ('' for the conversation
 * itself) that a followed permalink leads to: scrolls its message to the middle of the pane and
 * lights it up briefly.
 */
function reveal(list, channel, thread) {
  const p = pending;
  if (!p || p.channel !== channel || p.thread !== thread) return;
  pending = null;
  const msg = list.list.querySelector(`.msg[data-ts="${CSS.escape(p.ts)}"]:not([data-ephemeral])`);
  if (!msg) return;
  const s = list.scroller;
  list.stick = false;
  s.scrollTop += msg.getBoundingClientRect().top - s.getBoundingClientRect().top - Math.max(0, (s.clientHeight - msg.offsetHeight) / 2);
  msg.focus({ preventScroll: true });
  msg.classList.remove('is-lit');
  void msg.offsetWidth; // lit again when it already was
  msg.classList.add('is-lit');
  msg.addEventListener('animationend', () => msg.classList.remove('is-lit'), { once: true });
}

// ---- modals --------------------------------------------------------------------------------

let modals = null;

async function loadModals() {
  const me = S.me;
  const data = await get('/local/api/modals', { as: me });
  if (S.me !== me) return;
  modals.show(Array.isArray(data.stack) ? data.stack : [], `${S.me}|${tz()}`);
}

// ---- inspector -----------------------------------------------------------------------------

const inspector = new Inspector();

async function loadInspector() {
  if (!inspector.open) return;
  const data = await get('/local/api/inspector', { limit: 200 });
  inspector.draw(data.entries);
}

function toggleInspector() {
  const open = !inspector.open;
  inspector.el.hidden = !open;
  $.inspectorToggle.setAttribute('aria-expanded', String(open));
  $.inspectorToggle.classList.toggle('is-on', open);
  if (open) panes.inspector();
}

// ---- clock ---------------------------------------------------------------------------------

const clock = new ClockWidget({
  tz,
  move: (move) => post('/local/api/clock', { as: S.me, move }, 0),
  tick: redrawTimes,
});

/**
 * On the clock's tick: what says how long ago something was ("{ago}") is written anew, and a new
 * day relabels the day dividers. The lists draw their last messages again (only those that
 * changed); the Home and a thread's parent, which keep no copy, are fetched again only when
 * they say "{ago}".
 */
function redrawTimes() {
  const key = ctxKey();
  channelList?.redraw(key, tz(), now());
  threadList?.redraw(key, tz(), now());
  if (S.route.kind === 'home' && homeSig.includes('{ago}')) panes.home();
  if (S.thread && threadParentSig.includes('{ago}')) panes.thread();
}

// ---- live updates --------------------------------------------------------------------------

function connect() {
  clearTimeout(S.retryTimer);
  if (S.es) S.es.close();
  const es = new EventSource(`/local/api/events?as=${encodeURIComponent(S.me)}`);
  S.es = es;
  es.addEventListener('open', () => {
    if (S.es !== es) return;
    S.retry = 0;
    $.conn.hidden = true;
    if (S.down) {
      S.down = false;
      refreshAll(); // what changed while the connection was down
    }
  });
  es.addEventListener('change', () => scheduleRefresh());
  es.addEventListener('clock', (e) => {
    try {
      clock.set(JSON.parse(e.data));
    } catch {
      return;
    }
    scheduleRefresh();
  });
  es.addEventListener('error', () => {
    if (S.es !== es) return;
    es.close();
    S.down = true;
    $.conn.hidden = false;
    const delay = Math.min(15000, 500 * 2 ** S.retry);
    S.retry = Math.min(S.retry + 1, 10);
    S.retryTimer = setTimeout(connect, delay);
  });
}

// ---- person ---------------------------------------------------------------------------------

function drawMe() {
  const p = person();
  $.meAvatar.replaceChildren(avatar(S.me, p?.real_name || p?.name, false, 'sm'));
  $.picker.value = S.me;
  $.picker.title = p ? `${p.real_name} — ${p.title || 'no title'} · ${p.tz}` : '';
}

/** Acts as person id from now on; the bot is no person to act as. */
async function setPerson(id) {
  if (!S.people.has(id) || S.people.get(id).bot || id === S.me) return;
  saveDraft();
  S.me = id;
  drawMe();
  connect();
  sidebarSig = '';
  homeSig = '';
  const oldDM = S.sidebar?.dm?.id;
  try {
    await loadSidebar();
  } catch (err) {
    toast(err.message);
  }
  if (S.me !== id) return;
  // Where the page is now (the person may have clicked a conversation meanwhile): the same
  // channel when the new person sees it, their own DM with Baton for the other's.
  const route = S.route;
  const thread = S.thread;
  const wasDM = route.kind === 'channel' && route.id && route.id === oldDM;
  const next = wasDM && S.sidebar?.dm ? { kind: 'channel', id: S.sidebar.dm.id } : visibleRoute(route);
  S.route = { kind: '' }; // draw everything again for the new person
  S.thread = null;
  navigate(next);
  if (thread && next.kind === 'channel' && next.id === thread.channel) {
    closeThread(false);
    openThread(thread.channel, thread.ts);
  } else if (thread) {
    closeThread(false);
  }
  clock.draw();
  panes.modals();
  if (inspector.open) panes.inspector();
}

// ---- layout --------------------------------------------------------------------------------

function layout() {
  const s = S.session;
  $.picker = h('select', { class: 'person-picker', 'data-testid': 'person-picker', id: 'person-picker', onchange: () => setPerson($.picker.value) },
    S.humans.map((p) => h('option', { value: p.id }, `${p.real_name || p.name}${p.title ? ` — ${p.title}` : ''} (${p.tz})`)));
  $.meAvatar = h('span', { class: 'me-avatar' });
  $.conn = h('span', { class: 'conn', role: 'status', hidden: true }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'reconnecting…');
  $.inspectorToggle = h('button', {
    class: 'top-btn', type: 'button', 'data-testid': 'inspector-toggle', 'aria-expanded': 'false', 'aria-controls': 'inspector',
    onclick: toggleInspector, title: 'What Baton sends and receives',
  }, 'Inspector');
  // The notice is short on screen ("No sign-in"); its full sentence is its tooltip and its accessible name.
  const notice = typeof s.notice === 'string' && s.notice
    ? h('span', { class: 'notice', title: s.notice, tabIndex: 0, role: 'note', 'aria-label': s.notice, 'data-testid': 'notice' },
      h('span', { class: 'notice-icon', 'aria-hidden': 'true' }, 'i'), h('span', { class: 'notice-text', 'aria-hidden': 'true' }, 'No sign-in'))
    : null;
  const team = s.team && typeof s.team === 'object' ? s.team : {};
  const header = h('header', { class: 'topbar' },
    h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, batonIcon()),
      h('span', { class: 'brand-name' }, 'Baton'), h('span', { class: 'brand-sub' }, 'local workspace')),
    clock.el,
    h('div', { class: 'top-right' }, $.conn, notice, $.inspectorToggle,
      h('div', { class: 'me' }, $.meAvatar, h('label', { class: 'sr-only', htmlFor: 'person-picker' }, 'Acting as'), $.picker)));
  clock.setMovable(s.clock !== false);

  $.sideList = h('div', { class: 'sb-scroll' });
  const sidebar = h('nav', { class: 'sidebar', 'aria-label': 'Conversations' },
    h('div', { class: 'sb-team' }, h('span', { class: 'sb-team-name' }, String(team.name || 'Local workspace')), h('span', { class: 'sb-team-sub' }, 'Local workspace')),
    $.sideList);
  $.convHead = h('div', { class: 'conv-head' });
  $.convBody = h('div', { class: 'conv-body' });
  $.composerSlot = h('div', { class: 'composer-slot' });
  $.main = h('main', { class: 'main' }, $.convHead, $.convBody, $.composerSlot);
  $.thread = h('aside', { class: 'thread', 'data-testid': 'thread', 'aria-label': 'Thread', hidden: true });
  $.workspace = h('div', { class: 'workspace' }, sidebar, $.main, $.thread);
  const app = document.getElementById('app');
  app.replaceChildren(header, $.workspace, inspector.el);

  modals = new ModalHost({
    root: document.getElementById('modal-root'),
    app,
    ctx: () => baseCtx('modal'),
    as: () => S.me,
    post,
    action: (p) => sendAction({ ...p, surface: 'modal' }),
    refresh: () => { panes.modals(); scheduleRefresh(); },
    focusFallback: () => (composer?.ta || $.main).focus?.(),
  });

  document.addEventListener('keydown', (e) => {
    if (modals.open) return;
    if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
      e.preventDefault();
      stepConversation(e.key === 'ArrowUp' ? -1 : 1);
    } else if (e.key === 'Escape' && S.thread && $.thread.contains(document.activeElement)) {
      closeThread(true);
    }
  });
  // A permalink of this workspace, wherever it is drawn (messages, Home, modals), opens here.
  document.addEventListener('click', (e) => {
    const a = !e.defaultPrevented && e.target.closest?.('a[href]');
    if (a && followLink(a.href)) e.preventDefault();
  });
  window.addEventListener('hashchange', () => {
    const { as, c } = readHash();
    setPerson(as);
    // The hash is written again either way: one naming nobody (or the bot) is put right.
    if (c) navigate(c === 'home' ? { kind: 'home' } : { kind: 'channel', id: c });
    else writeHash();
  });
}

/** Shown instead of the app when the session can't be read: tries again by itself. */
function startupError(msg, retryIn) {
  const app = document.getElementById('app');
  app.replaceChildren(h('div', { class: 'startup' },
    h('div', { class: 'startup-card', role: 'alert' },
      h('div', { class: 'startup-mark', 'aria-hidden': 'true' }, batonIcon()),
      h('h1', null, 'Baton’s local workspace'),
      h('p', null, msg),
      h('p', { class: 'startup-sub' }, `Trying again in ${Math.round(retryIn / 1000)} s…`),
      h('button', { class: 'btn btn-primary', type: 'button', onclick: () => start() }, 'Try again now'))));
}

let startRetry = 0;
let startTimer = 0;
let starting = false; // a start is under way: asking again (the button, the timer) waits for it

async function start() {
  if (starting) return;
  starting = true;
  try {
    await startOnce();
  } finally {
    starting = false;
  }
}

async function startOnce() {
  clearTimeout(startTimer);
  let session;
  try {
    session = await get('/local/api/session');
  } catch (err) {
    const wait = Math.min(15000, 1000 * 2 ** startRetry++);
    startupError(err.message, wait);
    startTimer = setTimeout(start, wait);
    return;
  }
  S.session = session;
  const people = Array.isArray(session.people) ? session.people.filter((p) => p && typeof p.id === 'string') : [];
  S.humans = people.map((p) => ({ ...p, name: String(p.name || p.id), real_name: String(p.real_name || p.name || p.id) }));
  S.people = new Map(S.humans.map((p) => [p.id, p]));
  const bot = session.bot && typeof session.bot === 'object' ? session.bot : { id: 'UBOT', name: 'baton' };
  S.session.bot = bot;
  S.people.set(bot.id, { id: bot.id, name: bot.name || 'baton', real_name: appName(), bot: true });
  S.session.commands = Array.isArray(session.commands) ? session.commands.filter((c) => c && typeof c.command === 'string') : [];
  S.session.shortcuts = Array.isArray(session.shortcuts) ? session.shortcuts : [];
  if (!S.humans.length) {
    startupError('This workspace has nobody in it yet.', 15000);
    startTimer = setTimeout(start, 15000);
    return;
  }
  const hash = readHash();
  const stored = remembered('baton.as');
  S.me = [hash.as, stored].find((id) => id && S.people.has(id) && !S.people.get(id).bot) || S.humans[0].id;
  layout();
  drawMe();
  connect();
  try {
    await loadSidebar();
  } catch (err) {
    toast(err.message);
  }
  const c = hash.c || remembered('baton.c');
  navigate(c === 'home' ? { kind: 'home' } : { kind: 'channel', id: c });
  panes.modals();
  composer?.focus();
}

start();
