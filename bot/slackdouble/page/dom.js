// A small helper to build DOM nodes. Text always goes in as text nodes: nothing from the
// workspace is ever parsed as markup.

const PROPS = new Set(['value', 'checked', 'disabled', 'selected', 'type', 'placeholder', 'title', 'htmlFor',
  'tabIndex', 'hidden', 'multiple', 'rows', 'min', 'max', 'step', 'name', 'id', 'href', 'download', 'target',
  'rel', 'alt', 'src', 'label', 'open', 'inputMode', 'autocomplete', 'spellcheck', 'start', 'loading',
  'referrerPolicy', 'dateTime']);

/**
 * h('button', {class: 'x', 'data-ts': ts, onclick: fn, 'aria-label': '…'}, 'text', node, [more])
 * Attributes named on* take a listener; a null/undefined/false value leaves the attribute out.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (PROPS.has(k)) el[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

/** Appends strings (as text), nodes and nested arrays; skips null/undefined/false. */
function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.append(c);
    else el.append(document.createTextNode(String(c)));
  }
  return el;
}

/** Whether a URL may become a link: http(s) and mailto only. */
export function safeHref(url) {
  if (typeof url !== 'string') return '';
  const u = url.trim();
  return /^(https?:\/\/|mailto:)/i.test(u) ? u : '';
}

/**
 * A URL on this page's own origin ("/local/files/F1"), resolved as the browser will resolve it, or
 * null. Only these may be loaded as images or carry the person's id; what merely looks like a path
 * ("/\evil.example/x", "/<tab>/evil.example/x") can lead elsewhere, so the resolved origin decides.
 */
export function localUrl(url) {
  if (typeof url !== 'string' || url.trim() === '') return null;
  let u;
  try {
    u = new URL(url, location.href);
  } catch {
    return null;
  }
  return u.origin === location.origin && /^https?:$/.test(u.protocol) ? u : null;
}

/**
 * An external link that opens in a new tab without giving the page a handle on it. (A permalink
 * of this workspace is followed in the page instead: app.js hears its click.)
 */
export function extLink(href, ...children) {
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, ...children);
}

let uid = 0;
/** A unique id for aria references. */
export function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** Elements that take keyboard focus inside root, in order. */
export function focusables(root) {
  const sel = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
  return [...root.querySelectorAll(sel)].filter((el) => !el.closest('[hidden]') && !el.closest('[inert]') && el.getClientRects().length > 0);
}

const inertHolders = new Map(); // element → what keeps it inert

/**
 * Makes el inert while at least one holder asks for it. A modal and a confirm over it each hold
 * the page; the page comes back only when both are gone, whichever closes first.
 */
export function holdInert(el, holder, on) {
  let set = inertHolders.get(el);
  if (!set) {
    set = new Set();
    inertHolders.set(el, set);
  }
  if (on) set.add(holder);
  else set.delete(holder);
  el.inert = set.size > 0;
}
