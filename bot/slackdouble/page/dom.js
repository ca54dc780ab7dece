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
export function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.append(c);
    else el.append(document.createTextNode(String(c)));
  }
  return el;
}

/** Removes every child of el. */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** Whether a URL may become a link: http(s) and mailto only. */
export function safeHref(url) {
  if (typeof url !== 'string') return '';
  const u = url.trim();
  return /^(https?:\/\/|mailto:)/i.test(u) ? u : '';
}

/** A same-origin path ("/local/files/F1") or an http(s) URL for an image or a download, else ''. */
export function safeResource(url) {
  if (typeof url !== 'string') return '';
  const u = url.trim();
  if (/^https?:\/\//i.test(u)) return u;
  if (u.startsWith('/') && !u.startsWith('//')) return u;
  return '';
}

/** An external link that opens in a new tab without giving the page a handle on it. */
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
