// The modal dialog: the top view of the person's modal stack, over a dimmed page.
//
// What a person typed is kept across views.update for every input whose block_id and action_id
// are unchanged (as Slack does), required fields are checked before submitting, and the
// server's {block_id: message} errors are shown under their fields until the person edits one.

import { h, focusables, nextId, holdInert } from './dom.js';
import { renderBlocks, plainText, plainString, inputKey, setInputError } from './blockkit.js';
import { toast } from './widgets.js';

const keyOf = (blockId, actionId) => `${blockId}\u0000${actionId}`;

/** A selector that finds an element again after its message or Home was redrawn. */
function hookOf(el) {
  const id = el?.closest?.('[data-action-id]')?.dataset.actionId;
  if (!id) return el?.dataset?.testid ? `[data-testid="${CSS.escape(el.dataset.testid)}"]` : null;
  const ts = el.closest('[data-ts]')?.dataset.ts;
  const own = `[data-action-id="${CSS.escape(id)}"]`;
  return ts ? `[data-ts="${CSS.escape(ts)}"] ${own}` : own;
}

export class ModalHost {
  /**
   * opts: {root, app (made inert while open), ctx() → render context, as() → person id,
   * post(path, body) → Promise<answer>, action(payload) → Promise<ok>, refresh(), focusFallback()}
   */
  constructor(opts) {
    this.opts = opts;
    this.view = null; // the view on screen
    this.sig = '';
    this.controls = new Map();
    this.localErrors = {};
    // block_id → the error of view.errors the person has since edited that field for. The view
    // keeps carrying it until the server answers again; meanwhile it is not shown (a different
    // message for the block is).
    this.edited = new Map();
    this.closing = new Set(); // views closed here whose close the server may not have seen yet
    this.memory = new Map(); // view id → what was typed in it, while another view is on top
    this.lastStack = [];
    this.ctxKey = '';
    this.returnFocus = null;
    this.submitting = false;
    this.dialog = null;
    this.backdrop = null;
    // Keys are heard on the whole document: Escape, Ctrl+Enter and the Tab wrap must work
    // wherever the focus is (a field that was focused may have been drawn away).
    document.addEventListener('keydown', (e) => {
      if (this.dialog && !e.defaultPrevented) this.onKey(e);
    });
  }

  /** Shows the top of stack (bottom first), or nothing. ctxKey changes when the person or zone does. */
  show(stack, ctxKey) {
    const views = (Array.isArray(stack) ? stack : []).filter((v) => v && typeof v === 'object' && !this.closing.has(v.id));
    for (const id of this.closing) {
      if (!stack?.some?.((v) => v?.id === id)) this.closing.delete(id);
    }
    this.lastStack = views;
    this.ctxKey = ctxKey;
    const top = views[views.length - 1];
    if (!top) {
      this.hide();
      return;
    }
    const sig = `${JSON.stringify(top)}|${views.length}|${ctxKey}`;
    if (this.view && this.view.id === top.id && sig === this.sig) return;
    const same = this.view && this.view.id === top.id;
    let saved = null;
    if (same) saved = this.capture();
    else {
      // A view pushed over another, or popped back to: each keeps what was typed in it.
      if (this.view) this.memory.set(this.view.id, { ...this.capture(), focus: null });
      this.localErrors = {};
      this.edited.clear();
      saved = this.memory.get(top.id) || null;
    }
    this.sig = sig;
    this.render(top, views.length, saved, same);
  }

  /** Whether a modal is on screen. */
  get open() {
    return this.dialog !== null;
  }

  /** What the person typed, and where the focus was, keyed by block_id/action_id. */
  capture() {
    const values = new Map();
    let focus = null;
    const active = document.activeElement;
    for (const [k, c] of this.controls) {
      values.set(k, { type: c.type, raw: c.raw() });
      if (active && c.node.contains(active)) {
        focus = { key: k, start: active.selectionStart ?? null, end: active.selectionEnd ?? null };
      }
    }
    if (!focus && active?.dataset?.testid && this.dialog?.contains(active)) focus = { testid: active.dataset.testid };
    return { values, focus, scroll: this.body?.scrollTop ?? 0 };
  }

  render(view, depth, saved, same) {
    const first = !this.dialog;
    if (first) {
      this.returnFocus = document.activeElement;
      this.returnHook = hookOf(this.returnFocus);
    }
    this.view = view;
    this.controls = new Map();
    const titleId = nextId('modal-title');
    const ctx = {
      ...this.opts.ctx(),
      surface: 'modal',
      action: (p) => this.opts.action({ ...p, view_id: view.id }),
      register: (c) => this.controls.set(keyOf(c.blockId, c.actionId), c),
    };
    const head = h('div', { class: 'modal-head' });
    if (depth > 1) {
      head.append(h('button', { class: 'icon-btn modal-back', type: 'button', 'aria-label': 'Back', 'data-testid': 'modal-back', onclick: () => this.close() }, '←'));
    }
    head.append(
      h('h2', { class: 'modal-title', id: titleId }, plainText(view.title)),
      h('button', { class: 'icon-btn modal-x', type: 'button', 'aria-label': 'Close', 'data-testid': 'modal-close', onclick: () => this.close() }, '✕'),
    );
    const banner = h('div', { class: 'modal-banner', role: 'alert', hidden: true });
    const body = h('div', { class: 'modal-body' }, banner, renderBlocks(view.blocks, ctx));
    const foot = h('div', { class: 'modal-foot' });
    foot.append(h('button', { class: 'btn', type: 'button', 'data-testid': 'modal-cancel', onclick: () => this.close() }, plainString(view.close) || 'Cancel'));
    if (view.submit && typeof view.submit === 'object') {
      this.submitBtn = h('button', { class: 'btn btn-primary', type: 'button', 'data-testid': 'modal-submit', onclick: () => this.submit() }, plainString(view.submit) || 'Submit');
      foot.append(this.submitBtn);
    } else {
      this.submitBtn = null;
    }
    // Focusable itself, so a click on its text keeps the focus inside it.
    const dialog = h('div', {
      class: 'modal', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId, 'data-testid': 'modal', 'data-view-id': view.id,
      'data-callback-id': typeof view.callback_id === 'string' ? view.callback_id : null, tabIndex: -1,
    }, head, body, foot);
    body.addEventListener('input', (e) => this.clearErrorAt(e.target));
    body.addEventListener('change', (e) => this.clearErrorAt(e.target));

    const backdrop = h('div', { class: 'modal-backdrop' }, dialog);
    if (this.backdrop) this.backdrop.replaceWith(backdrop);
    else this.opts.root.append(backdrop);
    this.backdrop = backdrop;
    this.dialog = dialog;
    this.body = body;
    this.banner = banner;
    holdInert(this.opts.app, this, true);

    if (saved) {
      for (const [k, c] of this.controls) {
        const s = saved.values.get(k);
        if (s && s.type === c.type) c.restore(s.raw);
      }
      body.scrollTop = saved.scroll;
    }
    const shown = Object.entries(this.serverErrors()).filter(([id, msg]) => this.edited.get(id) !== String(msg));
    this.showErrors({ ...Object.fromEntries(shown), ...this.localErrors }, false);
    const f = saved?.focus;
    if (f?.key && this.controls.has(f.key)) {
      this.controls.get(f.key).focus();
      const a = document.activeElement;
      if (f.start !== null && a && typeof a.setSelectionRange === 'function') {
        try { a.setSelectionRange(f.start, f.end); } catch { /* not a text field */ }
      }
    } else if (f?.testid) {
      [...dialog.querySelectorAll('[data-testid]')].find((el) => el.dataset.testid === f.testid)?.focus();
    } else if (!same || !dialog.contains(document.activeElement)) {
      const auto = body.querySelector('[data-autofocus]');
      const firstInput = [...this.controls.values()].find((c) => c.inInput);
      if (auto) auto.focus();
      else if (firstInput) firstInput.focus();
      else (focusables(body)[0] || focusables(foot).pop())?.focus();
    }
  }

  hide() {
    if (!this.dialog) return;
    this.backdrop.remove();
    this.backdrop = null;
    this.dialog = null;
    this.view = null;
    this.sig = '';
    this.controls = new Map();
    this.localErrors = {};
    this.edited.clear();
    this.memory.clear();
    holdInert(this.opts.app, this, false);
    let back = this.returnFocus;
    this.returnFocus = null;
    // The element that opened the modal may have been redrawn meanwhile (a card updated): its twin takes focus.
    if (back && !back.isConnected) back = this.returnHook ? document.querySelector(this.returnHook) : null;
    if (back && back !== document.body) back.focus();
    else this.opts.focusFallback();
  }

  onKey(e) {
    if (e.key === 'Escape') {
      e.preventDefault();
      this.close();
    } else if (e.key === 'Tab') {
      const f = focusables(this.dialog);
      if (!f.length) return;
      const i = f.indexOf(document.activeElement);
      // From the dialog itself (or anywhere outside its fields) Tab starts at its first field.
      if (e.shiftKey && i <= 0) { e.preventDefault(); f[f.length - 1].focus(); }
      else if (!e.shiftKey && (i < 0 || i === f.length - 1)) { e.preventDefault(); f[0].focus(); }
    } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && this.submitBtn) {
      e.preventDefault();
      this.submit();
    }
  }

  /** Cancel, ✕, back or Escape: the top view closes (the server tells the app when it asked). */
  async close() {
    const view = this.view;
    if (!view) return;
    this.closing.add(view.id);
    this.memory.delete(view.id);
    this.show(this.lastStack.filter((v) => v.id !== view.id), this.ctxKey);
    try {
      const res = await this.opts.post('/local/api/close', { as: this.opts.as(), view_id: view.id });
      if (!res.ok) {
        this.closing.delete(view.id);
        toast(res.error || 'The modal could not be closed.');
      }
    } catch (err) {
      this.closing.delete(view.id);
      toast(err.message);
    }
    this.opts.refresh();
  }

  /** Checks the fields like Slack does, then submits every input block's value. */
  async submit() {
    const view = this.view;
    if (!view || this.submitting) return;
    this.localErrors = {};
    const errors = {};
    const values = {};
    for (const c of this.controls.values()) {
      if (!c.inInput) continue;
      let msg = null;
      if (c.empty()) {
        if (!c.optional) msg = 'Please fill out this field.';
      } else {
        msg = c.check();
      }
      if (msg) {
        if (!errors[c.blockId]) errors[c.blockId] = msg;
        continue;
      }
      const input = c.empty() ? (c.hadInitial ? { clear: true } : null) : { [inputKey(c.type)]: c.get() };
      if (input) (values[c.blockId] ||= {})[c.actionId] = input;
    }
    if (Object.keys(errors).length) {
      this.localErrors = errors;
      this.showErrors(errors, true);
      return;
    }
    this.showErrors({}, false);
    this.submitting = true;
    const btn = this.submitBtn;
    btn?.setAttribute('aria-busy', 'true');
    btn?.classList.add('is-busy');
    try {
      const res = await this.opts.post('/local/api/submit', { as: this.opts.as(), view_id: view.id, values });
      // A new answer: the errors it brings (here or in the view) show again, edited or not.
      if (this.view?.id === view.id) this.edited.clear();
      if (res.ok) {
        this.localErrors = {};
      } else if (res.errors && typeof res.errors === 'object' && this.view?.id === view.id) {
        this.localErrors = res.errors;
        this.showErrors(res.errors, true);
      } else if (!res.errors) {
        toast(res.error || 'The form could not be sent.');
      }
    } catch (err) {
      toast(err.message);
    } finally {
      this.submitting = false;
      btn?.removeAttribute('aria-busy');
      btn?.classList.remove('is-busy');
    }
    this.opts.refresh();
  }

  /** Shows errors under their input blocks (others in a banner); focus moves to the first when asked. */
  showErrors(errors, focus) {
    if (!this.dialog) return;
    const blocks = [...this.body.querySelectorAll('.bk-input')];
    const loose = [];
    for (const b of blocks) setInputError(b, errors[b.dataset.blockId] || '');
    for (const [id, msg] of Object.entries(errors)) {
      if (!blocks.some((b) => b.dataset.blockId === id)) loose.push(String(msg));
    }
    this.banner.textContent = loose.join(' ');
    this.banner.hidden = loose.length === 0;
    if (!focus) return;
    const firstBlock = blocks.find((b) => errors[b.dataset.blockId]);
    if (firstBlock) {
      const c = [...this.controls.values()].find((x) => x.inInput && x.blockId === firstBlock.dataset.blockId);
      firstBlock.scrollIntoView({ block: 'nearest' });
      if (c) c.focus();
    }
  }

  /** A field the person changes loses its error, until the server answers again. */
  clearErrorAt(target) {
    const block = target?.closest?.('.bk-input');
    if (!block || !block.classList.contains('has-error')) return;
    const id = block.dataset.blockId;
    delete this.localErrors[id];
    const server = this.serverErrors()[id];
    if (server !== undefined) this.edited.set(id, String(server));
    setInputError(block, '');
  }

  /** The errors the server keeps on the view on screen: {block_id: message}. */
  serverErrors() {
    const e = this.view?.errors;
    return e && typeof e === 'object' ? e : {};
  }
}
