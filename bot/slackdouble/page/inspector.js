// The inspector: the Web API calls, response_url calls and envelopes between Baton and this
// workspace, newest first, with what Slack would have refused shown in red with its explanation.

import { h, nextId } from './dom.js';

const MAX_JSON = 200000; // characters of pretty JSON shown for one request or response

function pretty(v) {
  let s;
  try {
    s = JSON.stringify(v, null, 2);
  } catch {
    s = String(v);
  }
  if (s === undefined) s = 'null';
  return s.length > MAX_JSON ? `${s.slice(0, MAX_JSON)}\n… (${s.length - MAX_JSON} more characters)` : s;
}

/** A toggle button and the <pre> it opens below its entry; the JSON is only formatted when first opened. */
function jsonToggle(label, value) {
  const pre = h('pre', { class: 'insp-json', hidden: true, id: nextId('insp-json'), 'aria-label': label });
  const btn = h('button', { class: 'insp-toggle', type: 'button', 'aria-expanded': 'false', 'aria-controls': pre.id }, label);
  btn.addEventListener('click', () => {
    const open = pre.hidden;
    if (open && !pre.firstChild) pre.textContent = pretty(value);
    pre.hidden = !open;
    btn.setAttribute('aria-expanded', String(open));
  });
  return [btn, pre];
}

export class Inspector {
  constructor() {
    this.nodes = new Map(); // seq → node (entries never change once recorded)
    this.filter = h('input', { class: 'insp-filter', type: 'search', placeholder: 'Filter by name or error', 'aria-label': 'Filter entries', oninput: () => this.applyFilter() });
    this.errorsOnly = h('input', { type: 'checkbox', onchange: () => this.applyFilter() });
    this.count = h('span', { class: 'insp-count', 'aria-live': 'polite' });
    this.list = h('ol', { class: 'insp-list', 'aria-label': 'Entries, newest first' });
    this.empty = h('p', { class: 'insp-empty' }, 'Nothing yet: what Baton sends and receives shows up here.');
    this.el = h('section', { class: 'inspector', role: 'complementary', 'aria-label': 'Inspector', id: 'inspector', hidden: true },
      h('div', { class: 'insp-head' },
        h('h2', { class: 'insp-title' }, 'Inspector'),
        h('span', { class: 'insp-sub' }, 'Web API calls and envelopes between Baton and this workspace'),
        this.filter,
        h('label', { class: 'insp-check' }, this.errorsOnly, ' Errors only'),
        this.count),
      h('div', { class: 'insp-scroll' }, this.empty, this.list));
  }

  get open() {
    return !this.el.hidden;
  }

  /** Draws entries (oldest first, as the server gives them) newest first, reusing drawn ones. */
  draw(entries) {
    const list = Array.isArray(entries) ? entries.filter((e) => e && typeof e === 'object') : [];
    const seen = new Set();
    let cursor = this.list.firstChild;
    for (let i = list.length - 1; i >= 0; i--) {
      const e = list[i];
      const key = String(e.seq ?? `i${i}`);
      seen.add(key);
      let node = this.nodes.get(key);
      if (!node) {
        node = this.entry(e);
        this.nodes.set(key, node);
      }
      if (node === cursor) cursor = cursor.nextSibling;
      else this.list.insertBefore(node, cursor);
    }
    for (const [k, n] of this.nodes) {
      if (!seen.has(k)) {
        n.remove();
        this.nodes.delete(k);
      }
    }
    this.empty.hidden = list.length > 0;
    this.applyFilter();
  }

  entry(e) {
    const ok = e.ok === true;
    const error = typeof e.error === 'string' ? e.error : '';
    const time = Date.parse(e.time);
    const kind = typeof e.kind === 'string' ? e.kind : '';
    const name = typeof e.name === 'string' ? e.name : '';
    const li = h('li', {
      class: ok ? 'insp-entry' : 'insp-entry is-error', 'data-testid': 'inspector-entry', 'data-seq': e.seq ?? null,
      'data-error': ok ? null : (error || 'error'), 'data-name': name,
    });
    const [reqBtn, reqPre] = jsonToggle('Request', e.request ?? null);
    const [resBtn, resPre] = jsonToggle('Response', e.response ?? null);
    li.append(h('div', { class: 'insp-row' },
      h('span', { class: `insp-kind insp-kind-${kind.replace(/[^a-z_]/g, '')}` }, kind.replace('_', ' ') || '?'),
      h('span', { class: 'insp-name' }, name),
      h('span', { class: ok ? 'insp-status insp-ok' : 'insp-status insp-bad' }, ok ? 'ok' : (error || 'error')),
      h('span', { class: 'insp-spacer' }),
      reqBtn, resBtn,
      h('time', { class: 'insp-time', dateTime: Number.isFinite(time) ? new Date(time).toISOString() : null },
        Number.isFinite(time) ? new Date(time).toLocaleTimeString([], { hour12: false }) : '')));
    if (typeof e.detail === 'string' && e.detail) li.append(h('pre', { class: 'insp-detail' }, e.detail));
    li.append(reqPre, resPre);
    return li;
  }

  applyFilter() {
    const q = this.filter.value.trim().toLowerCase();
    const errorsOnly = this.errorsOnly.checked;
    let shown = 0;
    let errors = 0;
    for (const n of this.nodes.values()) {
      const bad = n.classList.contains('is-error');
      if (bad) errors++;
      const match = (!errorsOnly || bad) && (!q || n.dataset.name.toLowerCase().includes(q) || (n.dataset.error || '').toLowerCase().includes(q));
      n.hidden = !match;
      if (match) shown++;
    }
    this.count.textContent = `${shown} shown · ${errors} refused`;
  }
}
