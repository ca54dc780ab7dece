// The message composer: a growing textarea; Enter sends, Shift+Enter is a new line. "/" at the
// start lists the app's slash commands, "@" people and "#" channels (Up/Down/Tab/Enter to pick).

import { h, nextId } from './dom.js';

const MAX_ITEMS = 8;

export class Composer {
  /**
   * opts: {label, placeholder, commands() → [{command, description, usage_hint}],
   * people() → [{id, name, real_name, title}], channels() → [{id, name, private}],
   * send(text) → Promise<{ok, error}>}
   */
  constructor(opts) {
    this.opts = opts;
    this.items = [];
    this.active = 0;
    this.range = null; // [start, end] of the text the picked item replaces
    this.sending = false;
    this.swallowBreak = false;
    const listId = nextId('complete');
    this.listId = listId;
    // A combobox: the suggestions are its listbox, and the active one is named by
    // aria-activedescendant while the focus stays in the text.
    this.ta = h('textarea', {
      class: 'composer-input', rows: 1, 'data-testid': 'composer', 'aria-label': opts.label,
      placeholder: opts.placeholder, role: 'combobox', 'aria-autocomplete': 'list',
      'aria-haspopup': 'listbox', 'aria-expanded': 'false', 'aria-controls': listId, spellcheck: true,
    });
    this.list = h('ul', { class: 'complete', id: listId, role: 'listbox', 'aria-label': 'Suggestions', hidden: true });
    this.hint = h('div', { class: 'composer-hint', hidden: true });
    this.error = h('div', { class: 'composer-error', role: 'alert', 'data-testid': 'composer-error', hidden: true });
    this.sendBtn = h('button', { class: 'composer-send', type: 'button', 'aria-label': 'Send', title: 'Send (Enter)', onclick: () => this.send() }, '➤');
    this.el = h('div', { class: 'composer' },
      this.list,
      h('div', { class: 'composer-box' }, this.ta, this.sendBtn),
      this.hint, this.error,
      h('div', { class: 'composer-help', 'aria-hidden': 'true' }, h('b', null, 'Enter'), ' to send · ', h('b', null, 'Shift + Enter'), ' for a new line · ', h('b', null, '/'), ' for commands'));
    this.ta.addEventListener('keydown', (e) => this.onKey(e));
    // An Enter that sent or picked must not also break the line (some input paths deliver the
    // line break separately from the key).
    this.ta.addEventListener('beforeinput', (e) => {
      if (this.swallowBreak && (e.inputType === 'insertLineBreak' || e.inputType === 'insertParagraph')) e.preventDefault();
      this.swallowBreak = false;
    });
    this.ta.addEventListener('keyup', () => { this.swallowBreak = false; });
    this.ta.addEventListener('input', () => { this.grow(); this.suggest(); this.showHint(); this.setError(''); this.syncSend(); });
    this.ta.addEventListener('click', () => this.suggest());
    this.ta.addEventListener('blur', () => setTimeout(() => { if (document.activeElement !== this.ta) this.close(); }, 100));
    this.syncSend();
  }

  focus() {
    this.ta.focus();
  }

  get value() {
    return this.ta.value;
  }

  set value(v) {
    this.ta.value = v;
    this.grow();
    this.showHint();
    this.syncSend();
    this.setError('');
    this.close();
  }

  setError(msg) {
    this.error.textContent = msg;
    this.error.hidden = !msg;
  }

  syncSend() {
    this.sendBtn.disabled = this.ta.value.trim() === '' || this.sending;
  }

  grow() {
    this.ta.style.height = 'auto';
    this.ta.style.height = `${Math.min(this.ta.scrollHeight, 240)}px`;
  }

  onKey(e) {
    if (e.isComposing) return;
    if (!this.list.hidden && this.items.length) {
      if (e.key === 'ArrowDown') { e.preventDefault(); this.move(1); return; }
      if (e.key === 'ArrowUp') { e.preventDefault(); this.move(-1); return; }
      if (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey)) {
        e.preventDefault();
        this.swallowBreak = e.key === 'Enter';
        this.pick(this.active);
        return;
      }
      if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); this.close(); return; }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      this.swallowBreak = true;
      this.send();
    }
  }

  async send() {
    const text = this.ta.value;
    if (text.trim() === '' || this.sending) return;
    this.sending = true;
    this.syncSend();
    this.ta.setAttribute('aria-busy', 'true');
    this.close();
    try {
      const res = await this.opts.send(text);
      if (res.ok) {
        // What was typed after pressing Enter (while the send was on its way) is kept.
        const v = this.ta.value;
        this.value = v.startsWith(text) ? v.slice(text.length).replace(/^\n/, '') : v;
      } else {
        this.setError(res.error || 'This could not be sent.');
      }
    } catch (err) {
      this.setError(err.message);
    } finally {
      this.sending = false;
      this.ta.removeAttribute('aria-busy');
      this.syncSend();
    }
  }

  /** What is being typed at the caret: a command at the start, an @person or a #channel. */
  suggest() {
    const pos = this.ta.selectionStart;
    const before = this.ta.value.slice(0, pos);
    let items = [];
    let m = /^\/(\S*)$/.exec(before);
    if (m) {
      const q = m[1].toLowerCase();
      items = this.opts.commands()
        .filter((c) => c.command.slice(1).toLowerCase().startsWith(q))
        .map((c) => ({ insert: `${c.command} `, main: c.command, aside: c.usage_hint, sub: c.description }));
      this.range = [0, pos];
    } else if ((m = /(^|\s)([@#])([\p{L}\p{N}._-]*)$/u.exec(before))) {
      const q = m[3].toLowerCase();
      const start = pos - m[3].length - 1;
      if (m[2] === '@') {
        const people = this.opts.people().filter((p) => p.name.toLowerCase().startsWith(q)
          || String(p.real_name || '').toLowerCase().split(/\s+/).some((w) => w.startsWith(q)));
        items = people.map((p) => ({ insert: `@${p.name} `, main: p.real_name || p.name, aside: `@${p.name}`, sub: p.title || '' }));
        for (const s of ['here', 'channel', 'everyone']) {
          if (q && s.startsWith(q)) items.push({ insert: `@${s} `, main: `@${s}`, aside: '', sub: s === 'here' ? 'Notify everyone online in this conversation' : 'Notify everyone in this conversation' });
        }
      } else {
        items = this.opts.channels().filter((c) => c.name.toLowerCase().includes(q))
          .map((c) => ({ insert: `#${c.name} `, main: `${c.private ? '🔒 ' : '# '}${c.name}`, aside: '', sub: '' }));
      }
      this.range = [start, pos];
    }
    this.items = items.slice(0, MAX_ITEMS);
    this.active = 0;
    if (!this.items.length) {
      this.close();
      return;
    }
    this.draw();
  }

  draw() {
    this.list.replaceChildren(...this.items.map((it, i) => {
      const li = h('li', {
        class: i === this.active ? 'complete-item is-active' : 'complete-item', role: 'option', id: `${this.listId}-${i}`,
        'aria-selected': i === this.active ? 'true' : 'false',
        onmousedown: (e) => { e.preventDefault(); this.pick(i); },
      },
      h('span', { class: 'complete-main' }, it.main),
      it.aside ? h('span', { class: 'complete-aside' }, it.aside) : null,
      it.sub ? h('span', { class: 'complete-sub' }, it.sub) : null);
      return li;
    }));
    this.list.hidden = false;
    this.ta.setAttribute('aria-expanded', 'true');
    this.ta.setAttribute('aria-activedescendant', `${this.listId}-${this.active}`);
    this.list.children[this.active]?.scrollIntoView({ block: 'nearest' });
  }

  move(d) {
    this.active = (this.active + d + this.items.length) % this.items.length;
    this.draw();
  }

  pick(i) {
    const it = this.items[i];
    if (!it || !this.range) return;
    const v = this.ta.value;
    const [a, b] = this.range;
    const rest = v.slice(b).replace(/^ /, '');
    this.ta.value = v.slice(0, a) + it.insert + rest;
    const caret = a + it.insert.length;
    this.ta.setSelectionRange(caret, caret);
    this.close();
    this.grow();
    this.showHint();
    this.syncSend();
    this.ta.focus();
  }

  close() {
    this.items = [];
    this.list.hidden = true;
    this.ta.setAttribute('aria-expanded', 'false');
    this.ta.removeAttribute('aria-activedescendant');
  }

  /** The usage hint of the slash command being typed. */
  showHint() {
    const m = /^(\/\S+)\s/.exec(this.ta.value);
    const c = m && this.opts.commands().find((x) => x.command === m[1]);
    this.hint.replaceChildren();
    if (c && c.usage_hint) this.hint.append(h('b', null, c.command), ' ', c.usage_hint);
    this.hint.hidden = !(c && c.usage_hint);
  }
}
