// Slack mrkdwn → DOM. Every piece of text becomes a text node; the only elements made are the
// ones mrkdwn stands for (bold, code, links to http(s)/mailto, mentions, dates, quotes, lists).
//
// ctx: {me, tz, now() → ms (Baton's clock), user(id) → person|null, channel(id) → channel|null}

import { h, safeHref, extLink } from './dom.js';
import { appendWithEmoji, emojiNode, isEmoji } from './emoji.js';
import { formatSlackDate, fullStamp } from './time.js';

const MAX_TEXT = 60000; // longer texts are cut (Slack's own limit for a message is 40,000)
const MAX_DEPTH = 6; // nesting of *_~ styles

/** Decodes the three entities Slack escapes: &amp; &lt; &gt;. */
export function decodeEntities(s) {
  return s.replace(/&(amp|lt|gt);/g, (_, e) => (e === 'amp' ? '&' : e === 'lt' ? '<' : '>'));
}

/** Renders Slack mrkdwn as a DocumentFragment. */
export function mrkdwn(text, ctx) {
  const frag = document.createDocumentFragment();
  let s = typeof text === 'string' ? text : text === null || text === undefined ? '' : String(text);
  let cut = false;
  if (s.length > MAX_TEXT) {
    s = s.slice(0, MAX_TEXT);
    cut = true;
  }
  s = s.replace(/\r\n?/g, '\n');
  // ``` fences alternate plain and preformatted parts; an unmatched last fence stays as text.
  const parts = s.split('```');
  if (parts.length % 2 === 0) parts.splice(parts.length - 2, 2, `${parts[parts.length - 2]}\`\`\`${parts[parts.length - 1]}`);
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      frag.append(h('pre', { class: 'md-pre' }, decodeEntities(part.replace(/^\n/, '').replace(/\n$/, ''))));
      return;
    }
    let p = part;
    if (i > 0) p = p.replace(/^\n/, '');
    if (i < parts.length - 1) p = p.replace(/\n$/, '');
    if (p !== '' || parts.length === 1) lines(p, ctx, frag);
  });
  if (cut) frag.append(h('span', { class: 'md-cut' }, ' … (shortened)'));
  return frag;
}

const QUOTE_RE = /^(?:>|&gt;)(?!>|&gt;) ?/;
const QUOTE_ALL_RE = /^(?:>>>|&gt;&gt;&gt;) ?/;
// Slack draws a list row only for a bullet character; a "- " line keeps its hyphen.
const BULLET_RE = /^(\s*)([•◦▪‣])\s+/;

/** Lines of a plain part: quotes grouped into blockquotes, bullet lines as list rows, the rest with <br>. */
function lines(text, ctx, out) {
  const rows = text.split('\n');
  let lastInline = false; // the previous row was an inline line: the next one starts after a <br>
  let quote = null;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (QUOTE_ALL_RE.test(row)) {
      // >>> quotes the rest of the text
      const rest = [row.replace(QUOTE_ALL_RE, ''), ...rows.slice(i + 1)];
      const bq = h('blockquote', { class: 'md-quote' });
      rest.forEach((r, j) => {
        if (j > 0) bq.append(h('br'));
        inline(r, ctx, bq);
      });
      out.append(bq);
      return;
    }
    if (QUOTE_RE.test(row)) {
      if (!quote) {
        quote = h('blockquote', { class: 'md-quote' });
        out.append(quote);
      } else {
        quote.append(h('br'));
      }
      inline(row.replace(QUOTE_RE, ''), ctx, quote);
      lastInline = false;
      continue;
    }
    quote = null;
    const b = BULLET_RE.exec(row);
    if (b) {
      const indent = Math.min(6, Math.floor(b[1].replace(/\t/g, '    ').length / 2));
      const li = h('div', { class: 'md-li' }, h('span', { class: 'md-bullet', 'aria-hidden': 'true' }, b[2]));
      if (indent) li.style.paddingLeft = `${indent * 12}px`;
      const body = h('span', { class: 'md-li-text' });
      inline(row.slice(b[0].length), ctx, body);
      li.append(body);
      out.append(li);
      lastInline = false;
      continue;
    }
    if (lastInline) out.append(h('br'));
    inline(row, ctx, out);
    lastInline = true;
  }
}

// Atoms: pieces the style pass must not look into. Each one stands in the line as one OBJECT
// REPLACEMENT CHARACTER, and only at the positions recorded for it: the same character typed by
// a person stays text.
const ATOM_RE = /`([^`\n]+)`|<([^<>\n]+)>|:([a-z0-9_+'-]+):|(https?:\/\/[^\s<>`]+)/g;
const ATOM_MARK = '\ufffc';

/** One line of mrkdwn, appended to out. */
function inline(line, ctx, out) {
  const atoms = new Map(); // position in s → node
  let s = '';
  let last = 0;
  ATOM_RE.lastIndex = 0;
  for (let m = ATOM_RE.exec(line); m; m = ATOM_RE.exec(line)) {
    let node = null;
    let len = m[0].length;
    if (m[1] !== undefined) node = h('code', { class: 'md-code' }, decodeEntities(m[1]));
    else if (m[2] !== undefined) node = angle(m[2], ctx);
    else if (m[3] !== undefined) {
      if (!isEmoji(m[3])) {
        ATOM_RE.lastIndex = m.index + 1;
        continue;
      }
      node = emojiNode(m[3]);
    } else {
      const url = trimUrl(m[4]);
      len = url.length;
      ATOM_RE.lastIndex = m.index + len;
      const href = decodeEntities(url);
      node = extLink(href, href);
    }
    s += line.slice(last, m.index);
    atoms.set(s.length, node);
    s += ATOM_MARK;
    last = m.index + len;
  }
  s += line.slice(last);
  styled(s, 0, s.length, { at: atoms, positions: [...atoms.keys()] }, out, 0);
}

/** A bare URL without the punctuation that ends the sentence around it. */
function trimUrl(url) {
  let u = url;
  const ent = u.search(/&(lt|gt);/);
  if (ent >= 0) u = u.slice(0, ent);
  while (/[.,;:!?'")\]*_~]$/.test(u)) {
    if (u.endsWith(')') && (u.match(/\(/g) || []).length >= (u.match(/\)/g) || []).length) break;
    u = u.slice(0, -1);
  }
  return u;
}

const WORD_RE = /[\p{L}\p{N}]/u;
const SPACE_RE = /\s/;
const TAGS = { '*': 'b', _: 'i', '~': 's' };

/** Valid closing positions of each marker in s[from, to). */
function closers(s, from, to) {
  const out = { '*': [], _: [], '~': [] };
  for (let k = from + 1; k < to; k++) {
    const c = s[k];
    if (!(c in out)) continue;
    if (SPACE_RE.test(s[k - 1]) || s[k - 1] === c) continue;
    if (k + 1 < to && WORD_RE.test(s[k + 1])) continue;
    out[c].push(k);
  }
  return out;
}

/** The index of the first element of a sorted array that is at least x (arr.length when none is). */
function lowerBound(arr, x) {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first element of a sorted array greater than x, or -1. */
function firstAfter(arr, x) {
  const i = lowerBound(arr, x + 1);
  return i < arr.length ? arr[i] : -1;
}

/** Applies *bold*, _italic_ and ~strike~ to s[from, to) (atoms as marks), appending to out. */
function styled(s, from, to, atoms, out, depth) {
  const close = depth < MAX_DEPTH ? closers(s, from, to) : null;
  let textStart = from;
  let i = from;
  while (close && i < to) {
    const c = s[i];
    if (c in TAGS && (i === from || !WORD_RE.test(s[i - 1])) && i + 1 < to && !SPACE_RE.test(s[i + 1]) && s[i + 1] !== c) {
      const j = firstAfter(close[c], i + 1);
      if (j > 0) {
        plain(s, textStart, i, atoms, out);
        const el = h(TAGS[c]);
        styled(s, i + 1, j, atoms, el, depth + 1);
        out.append(el);
        i = j + 1;
        textStart = i;
        continue;
      }
    }
    i++;
  }
  plain(s, textStart, to, atoms, out);
}

/** s[from, to) with its atoms put back, entities decoded and :emoji: drawn. */
function plain(s, from, to, atoms, out) {
  let last = from;
  const { positions } = atoms;
  for (let n = lowerBound(positions, from); n < positions.length && positions[n] < to; n++) {
    const k = positions[n];
    if (k > last) appendWithEmoji(out, decodeEntities(s.slice(last, k)));
    out.append(atoms.at.get(k));
    last = k + 1;
  }
  if (last < to) appendWithEmoji(out, decodeEntities(s.slice(last, to)));
}

/** Text with entities decoded and emoji, for link labels and fallbacks. */
function labelText(s) {
  const span = document.createDocumentFragment();
  appendWithEmoji(span, decodeEntities(s));
  return span;
}

/** The node for one <…> construct. */
function angle(inner, ctx) {
  const bar = inner.indexOf('|');
  const target = bar >= 0 ? inner.slice(0, bar) : inner;
  const label = bar >= 0 ? inner.slice(bar + 1) : '';
  switch (target[0]) {
    case '@':
      return userMention(target.slice(1), decodeEntities(label), ctx);
    case '#':
      return channelMention(target.slice(1), decodeEntities(label), ctx);
    case '!':
      return special(target.slice(1), label, ctx);
    default: {
      const href = safeHref(decodeEntities(target));
      if (href) return extLink(href, label ? labelText(label) : decodeEntities(target));
      // Anything that is not http(s) or mailto is shown as text, never as a link.
      return h('span', { class: 'md-nolink' }, labelText(label || target));
    }
  }
}

/** "@Real Name", highlighted when it names the person looking. */
export function userMention(id, label, ctx) {
  const u = ctx.user?.(id);
  const name = u ? (u.real_name || u.name || id) : (label || id);
  const me = id === ctx.me;
  return h('span', {
    class: me ? 'md-mention md-mention-me' : 'md-mention',
    'data-user': id,
    title: u ? `${u.real_name || u.name} (@${u.name})` : id,
  }, `@${name}`);
}

/** "#name", a link that opens the channel when the person can see it. */
export function channelMention(id, label, ctx) {
  const c = ctx.channel?.(id);
  const name = c ? c.name : (label || id);
  if (c && ctx.goto) {
    return h('a', {
      class: 'md-mention md-channel', href: '#', 'data-goto': id,
      onclick: (e) => { e.preventDefault(); ctx.goto(id); },
    }, `#${name}`);
  }
  return h('span', { class: 'md-mention md-channel' }, `#${name}`);
}

/** <!here>, <!channel>, <!everyone>, <!subteam^…>, <!date^…>. */
function special(target, label, ctx) {
  const [kind, ...args] = target.split('^');
  if (kind === 'here' || kind === 'channel' || kind === 'everyone') {
    return h('span', { class: 'md-mention md-mention-special' }, `@${kind}`);
  }
  if (kind === 'subteam') {
    const name = decodeEntities(label) || `@${args[0] || 'group'}`;
    return h('span', { class: 'md-mention md-mention-group' }, name.startsWith('@') ? name : `@${name}`);
  }
  if (kind === 'date') return dateNode(args[0], args[1], args[2], decodeEntities(label), ctx);
  return h('span', { class: 'md-nolink' }, labelText(label || `<!${target}>`));
}

/** A date shown in the person's zone; the fallback when the timestamp can't be read. */
export function dateNode(tsText, format, link, fallback, ctx) {
  const ms = Number(tsText) * 1000;
  // Beyond ±8.64e15 ms a Date is invalid and formatting it throws: such a time shows its fallback.
  if (!/^-?\d+$/.test(String(tsText)) || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15 || typeof format !== 'string') {
    return document.createTextNode(fallback || '');
  }
  const text = formatSlackDate(decodeEntities(format), ms, ctx.now(), ctx.tz);
  const t = h('time', { class: 'md-date', dateTime: new Date(ms).toISOString(), title: `${fullStamp(ms, ctx.tz)} (${ctx.tz})` }, text);
  const href = safeHref(link ? decodeEntities(link) : '');
  return href ? extLink(href, t) : t;
}
