// The clock widget: Baton's time in the chosen person's zone, how far it is ahead of the real
// clock, and the buttons that move it (everything due on the way fires, which can take a while).

import { h } from './dom.js';
import { toast } from './widgets.js';
import { clockStamp, offsetLabel, isoDay, fullStamp } from './time.js';

export class ClockWidget {
  /** opts: {tz() → zone, move(move) → Promise<answer>, tick() called every 15 s after the time is drawn} */
  constructor(opts) {
    this.opts = opts;
    this.clock = null;
    this.at = 0; // when this.clock was received (real ms)
    this.moving = false;
    this.canMove = true;
    this.now = h('span', { class: 'clock-now', 'data-testid': 'clock-now' }, '—');
    this.offset = h('span', { class: 'clock-offset', title: "Ahead of the real clock" });
    this.hour = h('button', { class: 'clock-btn', type: 'button', 'data-testid': 'clock-hour', onclick: () => this.move('1h') }, '+1 hour');
    this.morning = h('button', { class: 'clock-btn', type: 'button', 'data-testid': 'clock-morning', onclick: () => this.move('morning') }, 'Next morning 09:00');
    this.date = h('input', { class: 'clock-date', type: 'date', 'data-testid': 'clock-date', 'aria-label': 'Jump to date' });
    this.go = h('button', { class: 'clock-btn', type: 'button', 'data-testid': 'clock-date-go', onclick: () => this.jump() }, 'Jump');
    this.date.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); this.jump(); } });
    this.status = h('span', { class: 'clock-status', role: 'status', 'aria-live': 'polite', 'data-testid': 'clock-status' });
    this.controls = h('span', { class: 'clock-controls' }, this.hour, this.morning,
      h('span', { class: 'clock-jump' }, this.date, this.go));
    this.el = h('div', { class: 'clock', role: 'group', 'aria-label': "Baton's clock" },
      h('span', { class: 'clock-face', 'aria-hidden': 'true' }, '🕘'),
      h('span', { class: 'clock-read' }, this.now, this.offset),
      this.controls, this.status);
    this.el.hidden = true;
    setInterval(() => {
      this.draw();
      this.opts.tick?.();
    }, 15000);
  }

  /** The clock can't be moved (the workspace runs without one): only its time is shown. */
  setMovable(can) {
    this.canMove = can;
    this.controls.hidden = !can;
  }

  /** Baton's now in ms: the last reading plus the real time since. */
  nowMs() {
    if (!this.clock) return Date.now();
    const t = Date.parse(this.clock.now);
    return Number.isFinite(t) ? t + (Date.now() - this.at) : Date.now();
  }

  set(clock) {
    if (!clock || typeof clock !== 'object') return;
    this.clock = clock;
    this.at = Date.now();
    this.el.hidden = false;
    this.draw();
  }

  draw() {
    if (!this.clock) return;
    const tz = this.opts.tz();
    const ms = this.nowMs();
    this.now.textContent = clockStamp(ms, tz);
    this.now.title = `Baton's time: ${fullStamp(ms, tz)} (${tz})`;
    const off = offsetLabel(this.clock.offset_seconds);
    this.offset.textContent = off || 'real time';
    this.offset.classList.toggle('is-ahead', Boolean(off));
    this.date.min = isoDay(ms, tz);
    const busy = this.moving || this.clock.busy === true;
    for (const b of [this.hour, this.morning, this.go, this.date]) b.disabled = busy;
    this.el.classList.toggle('is-busy', busy);
    if (this.clock.busy === true && !this.moving) this.status.textContent = 'Moving the clock…';
    else if (!this.moving && this.status.textContent === 'Moving the clock…') this.status.textContent = '';
  }

  jump() {
    const v = this.date.value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) {
      toast('Choose a date to jump to.');
      this.date.focus();
      return;
    }
    this.move(v);
  }

  busyText() {
    const secs = Math.round((Date.now() - this.started) / 1000);
    this.status.textContent = `Moving the clock…${secs >= 2 ? ` (${secs} s)` : ''}`;
  }

  async move(move) {
    if (this.moving || !this.canMove) return;
    this.moving = true;
    this.started = Date.now();
    clearTimeout(this.fade);
    this.busyText();
    const tick = setInterval(() => this.busyText(), 1000);
    this.draw();
    try {
      const res = await this.opts.move(move);
      if (res.ok) {
        if (res.clock) this.set(res.clock);
        const n = Number(res.fired) || 0;
        const done = `${n === 0 ? 'No scheduled things' : things(n)} fired`;
        this.status.textContent = done;
        toast(`${clockStamp(this.nowMs(), this.opts.tz())}: ${done}.`, 'info');
        if (/^\d{4}-/.test(move)) this.date.value = '';
      } else {
        this.status.textContent = '';
        toast(res.error || 'The clock could not be moved.');
      }
    } catch (err) {
      this.status.textContent = '';
      toast(err.message);
    } finally {
      clearInterval(tick);
      this.moving = false;
      this.draw();
      this.fade = setTimeout(() => { if (!this.moving) this.status.textContent = ''; }, 12000);
    }
  }
}

function things(n) {
  return `${n} scheduled thing${n === 1 ? '' : 's'}`;
}
