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
const BULLET_RE = /^(\s*)([•◦▪‣]|-(?=\s))\s+/;

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
      const li = h('div', { class: 'md-li' }, h('span', { class: 'md-bullet', 'aria-hidden': 'true' }, b[2] === '-' ? '•' : b[2]));
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

// Atoms: pieces the style pass must not look into. Each one is replaced by one private-use character.
const ATOM_RE = /`([^`\n]+)`|<([^<>\n]+)>|:([a-z0-9_+'-]+):|(https?:\/\/[^\s<>`]+)/g;
const PUA_FIRST = 0xe000;
const PUA_LAST = 0xf8ff;
const PUA_RE = /[\ue000-\uf8ff]/g;

/** One line of mrkdwn, appended to out. */
function inline(line, ctx, out) {
  const src = line.replace(PUA_RE, '\ufffd');
  const atoms = [];
  let s = '';
  let last = 0;
  ATOM_RE.lastIndex = 0;
  for (let m = ATOM_RE.exec(src); m; m = ATOM_RE.exec(src)) {
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
    if (atoms.length > PUA_LAST - PUA_FIRST) break;
    s += src.slice(last, m.index) + String.fromCharCode(PUA_FIRST + atoms.length);
    atoms.push(node);
    last = m.index + len;
  }
  s += src.slice(last);
  styled(s, atoms, out, 0);
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

/** Valid closing positions of each marker in s. */
function closers(s) {
  const out = { '*': [], _: [], '~': [] };
  for (let k = 1; k < s.length; k++) {
    const c = s[k];
    if (!(c in out)) continue;
    if (SPACE_RE.test(s[k - 1]) || s[k - 1] === c) continue;
    if (k + 1 < s.length && WORD_RE.test(s[k + 1])) continue;
    out[c].push(k);
  }
  return out;
}

/** The first element of a sorted array greater than x, or -1. */
function firstAfter(arr, x) {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo < arr.length ? arr[lo] : -1;
}

/** Applies *bold*, _italic_ and ~strike~ to s (atoms as private-use characters), appending to out. */
function styled(s, atoms, out, depth) {
  const close = depth < MAX_DEPTH ? closers(s) : null;
  let textStart = 0;
  let i = 0;
  while (close && i < s.length) {
    const c = s[i];
    if (c in TAGS && (i === 0 || !WORD_RE.test(s[i - 1])) && i + 1 < s.length && !SPACE_RE.test(s[i + 1]) && s[i + 1] !== c) {
      const j = firstAfter(close[c], i + 1);
      if (j > 0) {
        plain(s.slice(textStart, i), atoms, out);
        const el = h(TAGS[c]);
        styled(s.slice(i + 1, j), atoms, el, depth + 1);
        out.append(el);
        i = j + 1;
        textStart = i;
        continue;
      }
    }
    i++;
  }
  plain(s.slice(textStart), atoms, out);
}

/** Text with atoms put back, entities decoded and :emoji: drawn. */
function plain(s, atoms, out) {
  if (s === '') return;
  let last = 0;
  PUA_RE.lastIndex = 0;
  for (let m = PUA_RE.exec(s); m; m = PUA_RE.exec(s)) {
    if (m.index > last) appendWithEmoji(out, decodeEntities(s.slice(last, m.index)));
    const atom = atoms[m[0].charCodeAt(0) - PUA_FIRST];
    // An atom can be used once; a fragment of a style that was cut apart never repeats one.
    if (atom) out.append(atom.parentNode ? atom.cloneNode(true) : atom);
    last = m.index + 1;
  }
  if (last < s.length) appendWithEmoji(out, decodeEntities(s.slice(last)));
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
  const secs = Number(tsText);
  if (!/^-?\d+$/.test(String(tsText)) || !Number.isFinite(secs) || typeof format !== 'string') {
    return document.createTextNode(fallback || '');
  }
  const ms = secs * 1000;
  const text = formatSlackDate(decodeEntities(format), ms, ctx.now(), ctx.tz);
  const t = h('time', { class: 'md-date', dateTime: new Date(ms).toISOString(), title: `${fullStamp(ms, ctx.tz)} (${ctx.tz})` }, text);
  const href = safeHref(link ? decodeEntities(link) : '');
  return href ? extLink(href, t) : t;
}
