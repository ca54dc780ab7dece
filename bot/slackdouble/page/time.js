// Dates and times in a person's own time zone, the way Slack writes them.

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const formatters = new Map();
const validZones = new Map();

/** tz when the browser knows it, else "UTC". */
export function safeZone(tz) {
  if (typeof tz !== 'string' || tz === '') return 'UTC';
  if (!validZones.has(tz)) {
    let ok = true;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
    } catch {
      ok = false;
    }
    validZones.set(tz, ok);
  }
  return validZones.get(tz) ? tz : 'UTC';
}

function partsFormatter(tz) {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'short',
      hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23',
    });
    formatters.set(tz, f);
  }
  return f;
}

const WEEKDAY_INDEX = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

// Intl's formatToParts is slow next to drawing a message; the same instants come back often
// (a channel's timestamps, the clock's now), so their parts are kept.
const zonedCache = new Map();
const ZONED_CACHE_MAX = 5000;

/** The wall-clock parts of an instant (ms) in tz: {y, mo (1-12), d, h, mi, s, wd (0=Sunday)}. */
export function zoned(ms, tz) {
  const key = `${tz}|${Math.floor(ms / 1000)}`;
  let z = zonedCache.get(key);
  if (!z) {
    z = computeZoned(ms, tz);
    if (zonedCache.size >= ZONED_CACHE_MAX) zonedCache.clear();
    zonedCache.set(key, z);
  }
  return z;
}

function computeZoned(ms, tz) {
  const out = { y: 1970, mo: 1, d: 1, h: 0, mi: 0, s: 0, wd: 4 };
  for (const p of partsFormatter(safeZone(tz)).formatToParts(new Date(ms))) {
    switch (p.type) {
      case 'year': out.y = Number(p.value); break;
      case 'month': out.mo = Number(p.value); break;
      case 'day': out.d = Number(p.value); break;
      case 'hour': out.h = Number(p.value) % 24; break;
      case 'minute': out.mi = Number(p.value); break;
      case 'second': out.s = Number(p.value); break;
      case 'weekday': out.wd = WEEKDAY_INDEX[p.value] ?? 0; break;
      default:
    }
  }
  return out;
}

/** A day number for comparing calendar days of the same zone. */
export function dayNumber(z) {
  return Math.floor(Date.UTC(z.y, z.mo - 1, z.d) / 86400000);
}

const pad = (n) => String(n).padStart(2, '0');

/** "HH:MM" of an instant (ms) in tz. */
export function hhmm(ms, tz) {
  const z = zoned(ms, tz);
  return `${pad(z.h)}:${pad(z.mi)}`;
}

/** "YYYY-MM-DD" of an instant (ms) in tz. */
export function isoDay(ms, tz) {
  const z = zoned(ms, tz);
  return `${z.y}-${pad(z.mo)}-${pad(z.d)}`;
}

/** The instant (ms) of a wall-clock time in tz. */
export function fromZoned(y, mo, d, h, mi, tz) {
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  let guess = wall;
  // Two rounds settle the zone's offset, also across a change of summer time.
  for (let i = 0; i < 2; i++) {
    const z = zoned(guess, tz);
    const seen = Date.UTC(z.y, z.mo - 1, z.d, z.h, z.mi);
    guess += wall - seen;
  }
  return guess;
}

function ordinal(n) {
  const t = n % 100;
  if (t >= 11 && t <= 13) return `${n}th`;
  return n + (['th', 'st', 'nd', 'rd'][n % 10] || 'th');
}

/** A Slack message ts ("1733475600.000100") as ms, or NaN (also past the range a Date can hold). */
export function tsToMs(ts) {
  const ms = Number.parseFloat(ts) * 1000;
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : NaN;
}

/** "Today", "Yesterday", "Tomorrow", or '' — of an instant relative to now, both in tz. */
export function relativeDay(ms, nowMs, tz) {
  const diff = dayNumber(zoned(ms, tz)) - dayNumber(zoned(nowMs, tz));
  return diff === 0 ? 'Today' : diff === -1 ? 'Yesterday' : diff === 1 ? 'Tomorrow' : '';
}

/** The label of a day divider in a channel: "Today", "Yesterday", "Monday, December 7th". */
export function dayLabel(ms, nowMs, tz) {
  const rel = relativeDay(ms, nowMs, tz);
  if (rel) return rel;
  const z = zoned(ms, tz);
  const year = z.y === zoned(nowMs, tz).y ? '' : `, ${z.y}`;
  return `${DAYS[z.wd]}, ${MONTHS[z.mo - 1]} ${ordinal(z.d)}${year}`;
}

/** "Mon 7 Dec 2026, 09:00" — for tooltips. */
export function fullStamp(ms, tz) {
  const z = zoned(ms, tz);
  return `${DAYS[z.wd].slice(0, 3)} ${z.d} ${MONTHS[z.mo - 1].slice(0, 3)} ${z.y}, ${pad(z.h)}:${pad(z.mi)}`;
}

/** "Mon 7 Dec · 09:00" — the clock widget. */
export function clockStamp(ms, tz) {
  const z = zoned(ms, tz);
  return `${DAYS[z.wd].slice(0, 3)} ${z.d} ${MONTHS[z.mo - 1].slice(0, 3)} · ${pad(z.h)}:${pad(z.mi)}`;
}

/** "3 minutes ago", "in 2 days", "just now". */
function ago(ms, nowMs) {
  const sec = Math.round((nowMs - ms) / 1000);
  const abs = Math.abs(sec);
  if (abs < 45) return 'just now';
  const units = [[60, 'minute', 60], [3600, 'hour', 24], [86400, 'day', 30], [2592000, 'month', 12], [31536000, 'year', Infinity]];
  for (const [size, name, limit] of units) {
    const n = Math.round(abs / size);
    if (n < limit || limit === Infinity) {
      const word = `${n} ${name}${n === 1 ? '' : 's'}`;
      return sec >= 0 ? `${word} ago` : `in ${word}`;
    }
  }
  return '';
}

/**
 * Formats the {tokens} of a Slack <!date^…^format|…> for a person in tz, with "pretty" days relative to
 * nowMs (Baton's clock, not the browser's).
 */
export function formatSlackDate(format, ms, nowMs, tz) {
  const z = zoned(ms, tz);
  const sameYear = z.y === zoned(nowMs, tz).y;
  const year = sameYear ? '' : `, ${z.y}`;
  const date = `${MONTHS[z.mo - 1]} ${ordinal(z.d)}${year}`;
  const short = `${MONTHS[z.mo - 1].slice(0, 3)} ${z.d}${year}`;
  const long = `${DAYS[z.wd]}, ${date}`;
  const rel = relativeDay(ms, nowMs, tz);
  const tokens = {
    date_num: `${z.y}-${pad(z.mo)}-${pad(z.d)}`,
    date, date_short: short, date_long: long,
    date_pretty: rel || date, date_short_pretty: rel || short, date_long_pretty: rel || long,
    time: `${pad(z.h)}:${pad(z.mi)}`,
    time_secs: `${pad(z.h)}:${pad(z.mi)}:${pad(z.s)}`,
    ago: ago(ms, nowMs),
  };
  return String(format).replace(/\{([a-z_]+)\}/g, (all, name) => (Object.prototype.hasOwnProperty.call(tokens, name) ? tokens[name] : all));
}

/** "+2d 3h", "+45m", "−1h", or '' when the clock runs on real time. */
export function offsetLabel(seconds) {
  const s = Math.round(Number(seconds) || 0);
  if (Math.abs(s) < 60) return '';
  const sign = s < 0 ? '−' : '+';
  let rest = Math.abs(s);
  const d = Math.floor(rest / 86400); rest -= d * 86400;
  const h = Math.floor(rest / 3600); rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const parts = [];
  if (d) parts.push(`${d}d`);
  if (h) parts.push(`${h}h`);
  if (m && !d) parts.push(`${m}m`);
  return sign + parts.join(' ');
}
