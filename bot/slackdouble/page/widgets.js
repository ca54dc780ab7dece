// Pieces of UI that float above the page: menus, the confirm dialog and toasts. They live in
// #overlay-root / #toast-root, outside the app (which is inert while a modal is open).

import { h, focusables, nextId, holdInert } from './dom.js';

let openMenuState = null;

/** Closes the open menu, if any, and gives focus back to what opened it. */
function closeMenu(restoreFocus = true) {
  if (!openMenuState) return;
  const { menu, anchor, onDoc } = openMenuState;
  openMenuState = null;
  menu.remove();
  document.removeEventListener('mousedown', onDoc, true);
  anchor.setAttribute('aria-expanded', 'false');
  if (restoreFocus && anchor.isConnected) anchor.focus();
}

/**
 * Opens a menu under anchor. items: [{label: string|Node, description?, danger?, onSelect()}].
 * Arrow keys move, Enter/Space pick, Escape/Tab close.
 */
export function openMenu(anchor, items, label) {
  if (openMenuState?.anchor === anchor) {
    closeMenu();
    return;
  }
  closeMenu(false);
  const root = document.getElementById('overlay-root');
  const menu = h('div', { class: 'menu', role: 'menu', 'aria-label': label || 'Menu', id: nextId('menu') });
  const buttons = items.map((it) => {
    const b = h('button', {
      class: it.danger ? 'menu-item menu-danger' : 'menu-item', type: 'button', role: 'menuitem', tabIndex: -1,
      disabled: it.disabled,
      onclick: () => { closeMenu(); it.onSelect?.(); },
    }, h('span', { class: 'menu-label' }, it.label), it.description ? h('span', { class: 'menu-desc' }, it.description) : null);
    return b;
  });
  if (buttons.length === 0) buttons.push(h('div', { class: 'menu-empty' }, 'Nothing to do here'));
  menu.append(...buttons);
  menu.addEventListener('keydown', (e) => {
    const enabled = buttons.filter((b) => b.tagName === 'BUTTON' && !b.disabled);
    const i = enabled.indexOf(document.activeElement);
    if (e.key === 'ArrowDown') { e.preventDefault(); enabled[(i + 1) % enabled.length]?.focus(); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); enabled[(i - 1 + enabled.length) % enabled.length]?.focus(); }
    else if (e.key === 'Home') { e.preventDefault(); enabled[0]?.focus(); }
    else if (e.key === 'End') { e.preventDefault(); enabled[enabled.length - 1]?.focus(); }
    else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); closeMenu(); }
    else if (e.key === 'Tab') { e.preventDefault(); closeMenu(); }
  });
  root.append(menu);
  placeBelow(menu, anchor);
  const onDoc = (e) => {
    if (!menu.contains(e.target) && !anchor.contains(e.target)) closeMenu(false);
  };
  document.addEventListener('mousedown', onDoc, true);
  anchor.setAttribute('aria-expanded', 'true');
  anchor.setAttribute('aria-controls', menu.id);
  openMenuState = { menu, anchor, onDoc };
  buttons.find((b) => b.tagName === 'BUTTON' && !b.disabled)?.focus();
}

/** Positions a floating element under (or above, when there is no room) an anchor, inside the window. */
function placeBelow(el, anchor) {
  const r = anchor.getBoundingClientRect();
  const w = el.offsetWidth;
  const ht = el.offsetHeight;
  let left = Math.min(r.right - w, window.innerWidth - w - 8);
  if (left < 8) left = Math.max(8, Math.min(r.left, window.innerWidth - w - 8));
  let top = r.bottom + 4;
  if (top + ht > window.innerHeight - 8 && r.top - ht - 4 > 8) top = r.top - ht - 4;
  el.style.left = `${Math.round(left)}px`;
  el.style.top = `${Math.round(Math.max(8, top))}px`;
}

window.addEventListener('resize', () => closeMenu(false));
window.addEventListener('scroll', (e) => {
  if (openMenuState && !openMenuState.menu.contains(e.target)) closeMenu(false);
}, true);

/**
 * Shows a Block Kit confirm object ({title, text, confirm, deny, style}) and resolves to true when
 * the person confirms. renderText draws its text object. It is modal: the page and any modal
 * under it are inert, and it has the keyboard to itself until it closes.
 */
export function confirmDialog(confirm, renderText) {
  return new Promise((resolve) => {
    const root = document.getElementById('overlay-root');
    const below = [document.getElementById('app'), document.getElementById('modal-root')];
    const holder = {};
    const before = document.activeElement;
    const titleId = nextId('confirm-title');
    const plain = (o, dflt) => (o && typeof o.text === 'string' && o.text !== '' ? o.text : dflt);
    const onKey = (e) => {
      // Heard first (capture) and kept from the page's own key handlers; default actions
      // (Enter or Space on a button) still happen.
      e.stopPropagation();
      if (e.key === 'Escape') {
        e.preventDefault();
        done(false);
      } else if (e.key === 'Tab') {
        e.preventDefault();
        const f = focusables(dialog);
        const i = f.indexOf(document.activeElement);
        const next = i < 0 ? (e.shiftKey ? f.length - 1 : 0) : (i + (e.shiftKey ? -1 : 1) + f.length) % f.length;
        f[next]?.focus();
      }
    };
    const done = (ok) => {
      document.removeEventListener('keydown', onKey, true);
      backdrop.remove();
      for (const el of below) holdInert(el, holder, false);
      if (before?.isConnected) before.focus();
      resolve(ok);
    };
    const yes = h('button', {
      class: confirm?.style === 'danger' ? 'btn btn-danger' : 'btn btn-primary', type: 'button',
      'data-testid': 'confirm-yes', onclick: () => done(true),
    }, plain(confirm?.confirm, 'Yes'));
    const no = h('button', { class: 'btn', type: 'button', 'data-testid': 'confirm-no', onclick: () => done(false) }, plain(confirm?.deny, 'Cancel'));
    const body = h('div', { class: 'confirm-body' });
    try {
      body.append(renderText(confirm?.text));
    } catch {
      body.append(plain(confirm?.text, ''));
    }
    // Focusable itself, so a click on its text keeps the focus inside it.
    const dialog = h('div', {
      class: 'confirm', role: 'alertdialog', 'aria-modal': 'true', 'aria-labelledby': titleId, 'data-testid': 'confirm', tabIndex: -1,
    },
    h('h2', { class: 'confirm-title', id: titleId }, plain(confirm?.title, 'Are you sure?')),
    body,
    h('div', { class: 'confirm-actions' }, no, yes));
    const backdrop = h('div', { class: 'confirm-backdrop' }, dialog);
    root.append(backdrop);
    for (const el of below) holdInert(el, holder, true);
    document.addEventListener('keydown', onKey, true);
    yes.focus();
  });
}

/** Shows a short message at the bottom of the window. kind: "error" or "info". */
export function toast(message, kind = 'error') {
  const root = document.getElementById('toast-root');
  const text = String(message || 'Something went wrong.');
  for (const t of root.children) {
    if (t.dataset.text === text) return; // the same message is already on screen
  }
  const el = h('div', {
    class: `toast toast-${kind}`, 'data-testid': 'toast', role: kind === 'error' ? 'alert' : null, 'data-text': text,
  },
  h('span', { class: 'toast-text' }, text),
  h('button', { class: 'toast-close', type: 'button', 'aria-label': 'Dismiss', onclick: () => el.remove() }, '✕'));
  root.append(el);
  while (root.children.length > 4) root.firstElementChild.remove();
  setTimeout(() => el.remove(), kind === 'error' ? 9000 : 5000);
}
