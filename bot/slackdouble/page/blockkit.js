// Block Kit → DOM, for messages, the App Home and modals.
//
// ctx (besides what mrkdwn.js reads: me, tz, now, user, channel, goto):
//   surface        "message" | "home" | "modal"
//   people         [{id, name, real_name}] for users selects
//   channels       [{id, name, private}] for conversation selects; dm: {id, name} the DM with the app,
//                  name as the page shows it
//   current        the conversation on screen (default_to_current_conversation)
//   action(p)      sends an element's use: p = {block_id, action_id, kind, value | values}; resolves to ok
//   follow(url)    follows a link button's or an overflow option's url inside the page when it is
//                  a permalink of this workspace; returns whether it did (else a new tab opens)
//   register(c)    (modals) receives the control of each stateful element, see control() below
//
// Every block is drawn inside its own try/catch: a malformed block becomes a grey notice, never an error.

import { h, safeHref, localUrl, extLink, nextId } from './dom.js';
import { mrkdwn, userMention, channelMention, dateNode, decodeEntities } from './mrkdwn.js';
import { appendWithEmoji, emojiText, emojiNode, charFromUnicode, isEmoji } from './emoji.js';
import { openMenu, confirmDialog } from './widgets.js';
import { zoned, fromZoned, safeZone } from './time.js';

const str = (v) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : typeof v === 'number' ? String(v) : '');
const arr = (v) => (Array.isArray(v) ? v : []);
const obj = (v) => (v && typeof v === 'object' && !Array.isArray(v) ? v : null);

/** A grey line saying a block or element of a type this page does not draw is left out. */
function notice(what = 'block', type = '') {
  return h('div', { class: 'bk-unknown', title: type ? `type: ${type}` : null }, `This ${what} type is not shown here`);
}

/** A grey line saying a block or element this page draws could not be drawn (it is malformed). */
function failed(what = 'block', type = '') {
  return h('div', { class: 'bk-unknown', title: type ? `type: ${type}` : null }, `This ${what} could not be shown`);
}

/** A text object (plain_text or mrkdwn) as a fragment. */
function textObject(t, ctx) {
  const o = obj(t);
  if (!o) return document.createTextNode(str(t));
  if (o.type === 'mrkdwn') return mrkdwn(str(o.text), ctx);
  return plainText(o);
}

/** plain_text exactly as typed; :codes: become emoji unless emoji is false. */
export function plainText(o) {
  const frag = document.createDocumentFragment();
  const text = str(obj(o) ? o.text : o);
  if (obj(o) && o.emoji === false) frag.append(text);
  else appendWithEmoji(frag, text);
  return frag;
}

/** A text object as a string (for <option>, labels and aria). */
export function plainString(t) {
  const o = obj(t);
  if (!o) return str(t);
  const s = str(o.text);
  if (o.type === 'mrkdwn') return emojiText(decodeEntities(s));
  return o.emoji === false ? s : emojiText(s);
}

/** Renders a list of blocks into a container element. */
export function renderBlocks(blocks, ctx) {
  const root = h('div', { class: 'bk' });
  const list = arr(blocks);
  list.forEach((b, i) => {
    let el;
    try {
      el = renderBlock(b, ctx, i);
    } catch {
      el = failed('block', obj(b) ? str(b.type) : '');
    }
    if (el) root.append(el);
  });
  return root;
}

function renderBlock(b, ctx, index) {
  if (!obj(b)) return failed('block');
  const blockId = str(b.block_id) || `#${index}`;
  let el;
  switch (b.type) {
    case 'section': el = section(b, ctx, blockId); break;
    case 'header': el = h('div', { class: 'bk-header', role: 'heading', 'aria-level': '3' }, plainText(b.text)); break;
    case 'context': el = context(b, ctx); break;
    case 'divider': el = h('hr', { class: 'bk-divider' }); break;
    case 'image': el = imageBlock(b); break;
    case 'actions': el = actions(b, ctx, blockId); break;
    case 'input': el = inputBlock(b, ctx, blockId); break;
    case 'rich_text': el = richText(b, ctx); break;
    case 'file': el = fileBlock(b); break;
    case 'markdown': el = markdownBlock(b, ctx); break;
    case 'video': el = videoBlock(b); break;
    default: return notice('block', str(b.type));
  }
  if (b.block_id) el.setAttribute('data-block-id', str(b.block_id));
  return el;
}

// ---- layout blocks ----------------------------------------------------------------------

function section(b, ctx, blockId) {
  const el = h('div', { class: 'bk-section' });
  const main = h('div', { class: 'bk-section-main' });
  if (obj(b.text)) main.append(h('div', { class: 'bk-text' }, textObject(b.text, ctx)));
  const fields = arr(b.fields);
  if (fields.length) {
    main.append(h('div', { class: 'bk-fields' }, fields.slice(0, 10).map((f) => h('div', { class: 'bk-field' }, textObject(f, ctx)))));
  }
  el.append(main);
  if (obj(b.accessory)) {
    el.classList.add('bk-has-accessory');
    el.append(h('div', { class: 'bk-accessory' }, element(b.accessory, ctx, { blockId, place: 'accessory', dispatch: true })));
  }
  return el;
}

function context(b, ctx) {
  const el = h('div', { class: 'bk-context' });
  for (const e of arr(b.elements).slice(0, 10)) {
    const o = obj(e);
    if (!o) continue;
    if (o.type === 'image') el.append(image(o, 'bk-context-img'));
    else if (o.type === 'mrkdwn' || o.type === 'plain_text') el.append(h('span', { class: 'bk-context-text' }, textObject(o, ctx)));
    else el.append(notice('element', str(o.type)));
  }
  return el;
}

/** The host an http(s) URL leads to, or '' when a browser could not open it ("http://", "https://exa mple.com"). */
function hostOf(href) {
  try {
    return new URL(href).host;
  } catch {
    return '';
  }
}

/**
 * An image. The page may only load images from this workspace (its CSP refuses others), so an image
 * elsewhere is shown as a placeholder that links to it; one that fails to load shows its alt text.
 */
function image(o, cls) {
  const url = str(o.image_url) || str(obj(o.slack_file)?.url);
  const alt = str(o.alt_text);
  const box = (label) => h('span', { class: `${cls} bk-img-missing`, title: label, role: 'img', 'aria-label': label }, '🖼');
  const local = localUrl(url);
  if (local) {
    const img = h('img', { class: cls, src: local.href, alt, loading: 'lazy', referrerPolicy: 'no-referrer' });
    img.addEventListener('error', () => img.replaceWith(box(alt || 'image')), { once: true });
    return img;
  }
  const href = safeHref(url);
  const host = hostOf(href);
  if (!host) return box(alt || 'image');
  const link = extLink(href, box(`${alt || 'Image'} (opens ${host})`));
  link.className = 'bk-img-link';
  return link;
}

function imageBlock(b) {
  const fig = h('figure', { class: 'bk-image' });
  if (obj(b.title)) fig.append(h('figcaption', { class: 'bk-image-title' }, plainText(b.title)));
  fig.append(image(b, 'bk-image-img'));
  return fig;
}

function actions(b, ctx, blockId) {
  const el = h('div', { class: 'bk-actions' });
  for (const e of arr(b.elements).slice(0, 25)) {
    el.append(element(e, ctx, { blockId, place: 'actions', dispatch: true }));
  }
  return el;
}

function fileBlock(b) {
  const name = str(b.external_id) || str(b.file_id) || 'File';
  return h('div', { class: 'file-chip' }, h('span', { class: 'file-icon', 'aria-hidden': 'true' }, '📄'), h('span', { class: 'file-name' }, name));
}

function videoBlock(b) {
  const href = safeHref(str(b.title_url) || str(b.video_url));
  const title = plainString(b.title) || 'Video';
  const el = h('div', { class: 'bk-video' }, h('span', { class: 'bk-video-play', 'aria-hidden': 'true' }, '▶'));
  el.append(href ? extLink(href, title) : h('span', null, title));
  if (obj(b.description)) el.append(h('div', { class: 'bk-video-desc' }, plainText(b.description)));
  return el;
}

/** The "markdown" block takes standard Markdown; shown through mrkdwn with its common forms translated. */
function markdownBlock(b, ctx) {
  return h('div', { class: 'bk-text bk-markdown' }, mrkdwn(markdownToMrkdwn(str(b.text)), ctx));
}

/**
 * Standard Markdown as mrkdwn. Code (fenced or inline) is kept as written, everything else has
 * its forms rewritten: *x* and _x_ italic, **x** and __x__ bold, ~~x~~ struck, [label](url) links,
 * "- " list rows as bullets, # headings bold (bold inside a heading adds nothing).
 */
function markdownToMrkdwn(md) {
  const escaped = md.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  // split with a capture keeps the code: odd parts are code, even parts are text.
  const parts = escaped.split(/(```[\s\S]*?```|`[^`\n]+`)/);
  return parts.map((p, i) => {
    if (i % 2 === 1) return p;
    // A text part after code starts in the middle of a line; only the first can start one.
    const lead = i === 0 ? '\n' : '';
    return (lead + p)
      .replace(/(?<=\n)&gt;/g, '>')
      .replace(/(?<=\n)([ \t]*)[-*+][ \t]+/g, '$1• ')
      .replace(/\[([^\]\n]+)\]\((https?:\/\/[^)\s]+|mailto:[^)\s]+)\)/g, '<$2|$1>')
      .replace(/(^|[^*\w])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![*\w])/g, '$1_$2_')
      .replace(/\*\*(?=\S)([^*\n]*?\S)\*\*/g, '*$1*')
      .replace(/__(?=\S)([^_\n]*?\S)__/g, '*$1*')
      .replace(/~~([^~\n]+)~~/g, '~$1~')
      .replace(/(?<=\n)#{1,6}[ \t]+([^\n]+)/g, (all, t) => `*${t.replace(/\*([^*\n]+)\*/g, '$1')}*`)
      .slice(lead.length);
  }).join('');
}

// ---- input block ------------------------------------------------------------------------

/** Input block → {described: the field (or group) its hint and error describe, hintId, errorId}. */
const inputParts = new WeakMap();

function inputBlock(b, ctx, blockId) {
  const el = h('div', { class: 'bk-input', 'data-block-id': blockId });
  const label = h('label', { class: 'bk-label' }, plainText(b.label));
  if (b.optional === true) label.append(h('span', { class: 'bk-optional' }, ' (optional)'));
  el.append(label);
  const e = obj(b.element);
  const node = element(e, ctx, {
    blockId, place: 'input', dispatch: b.dispatch_action === true, optional: b.optional === true, label: plainString(b.label),
  });
  el.append(node);
  // The label points at the first field of the element (a group's label names the group instead).
  const field = node.matches?.('input, select, textarea') ? node : node.querySelector?.('input:not([type=checkbox]):not([type=radio]), select, textarea');
  const group = node.matches?.('[role=group], [role=radiogroup]') ? node : null;
  const labelId = nextId('label');
  label.id = labelId;
  if (field && !group) {
    if (!field.id) field.id = nextId('field');
    label.htmlFor = field.id;
  } else if (group) {
    group.setAttribute('aria-labelledby', labelId);
  }
  const described = group || field;
  const hint = obj(b.hint) ? h('div', { class: 'bk-hint', id: nextId('hint') }, plainText(b.hint)) : null;
  if (hint) el.append(hint);
  inputParts.set(el, { described, hintId: hint?.id || '', errorId: nextId('err') });
  describe(el, false);
  return el;
}

/** Points the field at its hint, and at its error while it shows one. */
function describe(block, hasError) {
  const p = inputParts.get(block);
  if (!p?.described) return;
  const ids = [p.hintId, hasError ? p.errorId : ''].filter(Boolean).join(' ');
  if (ids) p.described.setAttribute('aria-describedby', ids);
  else p.described.removeAttribute('aria-describedby');
}

/** Shows msg under an input block of renderBlocks, or takes its error away when msg is empty. */
export function setInputError(block, msg) {
  block.querySelector(':scope > .bk-field-error')?.remove();
  block.classList.toggle('has-error', Boolean(msg));
  const p = inputParts.get(block);
  if (msg) block.append(h('div', { class: 'bk-field-error', id: p?.errorId || null, 'data-testid': 'field-error', role: 'alert' }, String(msg)));
  for (const f of block.querySelectorAll('input, select, textarea')) {
    if (msg) f.setAttribute('aria-invalid', 'true');
    else f.removeAttribute('aria-invalid');
  }
  describe(block, Boolean(msg));
}

// ---- elements ---------------------------------------------------------------------------

/**
 * One interactive element. where: {blockId, place: "actions"|"accessory"|"input", dispatch (fires
 * actions), optional, label}.
 */
function element(e, ctx, where) {
  const o = obj(e);
  if (!o) return failed('element');
  let node;
  try {
    node = elementByType(o, ctx, where);
  } catch {
    node = failed('element', str(o.type));
  }
  // Text inputs carry the hook on the field itself (it is wrapped with its counter).
  const target = node.classList?.contains('bk-text-wrap') ? node.firstElementChild : node;
  if (o.action_id && target?.nodeType === 1) target.setAttribute('data-action-id', str(o.action_id));
  return node;
}

function elementByType(o, ctx, where) {
  switch (o.type) {
    case 'button': return button(o, ctx, where);
    case 'static_select': case 'external_select': return staticSelect(o, ctx, where);
    case 'users_select': return entitySelect(o, ctx, where, 'user');
    case 'conversations_select': return entitySelect(o, ctx, where, 'conversation');
    case 'channels_select': return entitySelect(o, ctx, where, 'channel');
    case 'multi_static_select': case 'multi_external_select': return multiSelect(o, ctx, where, 'options');
    case 'multi_users_select': return multiSelect(o, ctx, where, 'users');
    case 'multi_conversations_select': return multiSelect(o, ctx, where, 'conversations');
    case 'multi_channels_select': return multiSelect(o, ctx, where, 'channels');
    case 'overflow': return overflow(o, ctx, where);
    case 'datepicker': return datePicker(o, ctx, where);
    case 'timepicker': return timePicker(o, ctx, where);
    case 'datetimepicker': return dateTimePicker(o, ctx, where);
    case 'checkboxes': return checkboxes(o, ctx, where);
    case 'radio_buttons': return radios(o, ctx, where);
    case 'plain_text_input': case 'email_text_input': case 'url_text_input': case 'number_input': case 'rich_text_input':
      return textInput(o, ctx, where);
    case 'image': return image(o, where.place === 'accessory' ? 'bk-accessory-img' : 'bk-context-img');
    default: return notice('element', str(o.type));
  }
}

/**
 * Sends an element's use when it fires actions here, asking its confirm first; a url (a link
 * button's, an overflow option's) opens only once confirmed (a permalink of this workspace in the
 * page, see ctx.follow), and the use is still sent, as in Slack. Resolves to whether it was sent.
 */
async function fire(o, ctx, where, payload, url = '') {
  const sends = Boolean(where.dispatch && ctx.action);
  if (!sends && !url) return false;
  if (obj(o.confirm)) {
    const ok = await confirmDialog(o.confirm, (t) => textObject(t, ctx));
    if (!ok) return false;
  }
  if (url && !ctx.follow?.(url)) window.open(url, '_blank', 'noopener,noreferrer');
  return sends ? ctx.action({ block_id: where.blockId, action_id: str(o.action_id), ...payload }) : false;
}

/**
 * The control a modal reads back. get() is the element's value in the form the submit takes
 * (a string or a list), empty() whether nothing is chosen, raw()/restore() keep what a person
 * typed across a views.update.
 */
function control(ctx, o, where, node, c) {
  if (!ctx.register) return;
  ctx.register({
    blockId: where.blockId, actionId: str(o.action_id), type: str(o.type), inInput: where.place === 'input',
    optional: where.optional === true, node, check: () => null, ...c,
  });
}

function button(o, ctx, where) {
  const style = o.style === 'primary' ? ' bk-btn-primary' : o.style === 'danger' ? ' bk-btn-danger' : '';
  const url = safeHref(str(o.url));
  const b = h('button', {
    class: `bk-btn${style}`, type: 'button', 'aria-label': str(o.accessibility_label) || null,
  }, plainText(o.text));
  b.addEventListener('click', async () => {
    if (b.getAttribute('aria-busy') === 'true') return;
    b.setAttribute('aria-busy', 'true');
    b.classList.add('is-busy');
    try {
      await fire(o, ctx, where, { kind: 'click', value: str(o.value) }, url);
    } finally {
      b.removeAttribute('aria-busy');
      b.classList.remove('is-busy');
    }
  });
  return b;
}

/** Options of a static select, flattened, with their group labels: [{value, label, description, group}]. */
function optionList(o) {
  const out = [];
  const add = (opts, group) => {
    for (const op of arr(opts)) {
      const p = obj(op);
      if (!p) continue;
      out.push({ value: str(p.value), label: plainString(p.text), description: plainString(p.description), group });
    }
  };
  add(o.options, '');
  for (const g of arr(o.option_groups)) {
    if (obj(g)) add(g.options, plainString(g.label));
  }
  return out;
}

/** Fills a native <select> with items [{value, label, description, group}], grouping into <optgroup>s. */
function fillSelect(sel, items) {
  let group = null;
  let groupName = '';
  for (const it of items) {
    const opt = h('option', { value: it.value, title: it.description || null }, it.label || it.value);
    if (it.group) {
      if (!group || groupName !== it.group) {
        group = h('optgroup', { label: it.group });
        groupName = it.group;
        sel.append(group);
      }
      group.append(opt);
    } else {
      group = null;
      sel.append(opt);
    }
  }
}

function peopleItems(ctx) {
  return arr(ctx.people).map((p) => ({ value: p.id, label: p.real_name ? `${p.real_name} (@${p.name})` : `@${p.name}` }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

function conversationItems(ctx, o, kind) {
  const inc = arr(obj(o.filter)?.include);
  const want = (t) => kind === 'channel' ? t === 'public' : inc.length === 0 || inc.includes(t);
  const items = [];
  for (const c of arr(ctx.channels)) {
    if (want(c.private ? 'private' : 'public')) items.push({ value: c.id, label: `${c.private ? '🔒' : '#'} ${c.name}` });
  }
  if (kind === 'conversation' && ctx.dm && want('im')) items.push({ value: ctx.dm.id, label: `${ctx.dm.name} (direct message)` });
  return items;
}

/** A label for a chosen id that is not in the list (a channel this person is not in, a deactivated user). */
function labelFor(kind, id, ctx) {
  if (kind === 'user' || kind === 'users') {
    const u = ctx.user?.(id);
    return u ? `${u.real_name || u.name} (@${u.name})` : id;
  }
  const c = ctx.channel?.(id);
  return c ? `# ${c.name}` : id;
}

const INPUT_KEY = {
  static_select: 'selected_option', external_select: 'selected_option', radio_buttons: 'selected_option',
  multi_static_select: 'selected_options', multi_external_select: 'selected_options', checkboxes: 'selected_options',
  users_select: 'selected_user', multi_users_select: 'selected_users',
  conversations_select: 'selected_conversation', multi_conversations_select: 'selected_conversations',
  channels_select: 'selected_channel', multi_channels_select: 'selected_channels',
  datepicker: 'selected_date', timepicker: 'selected_time', datetimepicker: 'selected_date_time',
};

/** The submit's key for an element type ("value" for text inputs). */
export function inputKey(type) {
  return INPUT_KEY[type] || 'value';
}

/** A native single select with a placeholder first option. */
function nativeSelect(o, ctx, where, items, initial, kind) {
  const placeholder = plainString(o.placeholder) || 'Select an item';
  const sel = h('select', { class: 'bk-select', 'aria-label': where.place === 'input' ? null : placeholder });
  // Outside forms the placeholder only shows the empty state; in a form it also lets an optional field be cleared.
  sel.append(h('option', { value: '', disabled: where.place !== 'input' }, placeholder));
  if (initial && !items.some((it) => it.value === initial)) items = [...items, { value: initial, label: labelFor(kind, initial, ctx) }];
  fillSelect(sel, items);
  sel.value = initial && items.some((it) => it.value === initial) ? initial : '';
  if (sel.value === '') sel.classList.add('is-empty');
  let prev = sel.value;
  sel.addEventListener('change', async () => {
    sel.classList.toggle('is-empty', sel.value === '');
    if (!where.dispatch || sel.value === '') {
      prev = sel.value;
      return;
    }
    const sent = await fire(o, ctx, where, { kind: 'select', value: sel.value });
    if (sent) prev = sel.value;
    else if (sel.isConnected) {
      sel.value = prev;
      sel.classList.toggle('is-empty', sel.value === '');
    }
  });
  control(ctx, o, where, sel, {
    get: () => sel.value, empty: () => sel.value === '', hadInitial: initial !== '',
    raw: () => sel.value,
    restore: (v) => {
      if ([...sel.options].some((op) => op.value === v)) sel.value = v;
      sel.classList.toggle('is-empty', sel.value === '');
      prev = sel.value;
    },
    focus: () => sel.focus(),
  });
  if (o.focus_on_load === true) sel.dataset.autofocus = '';
  return sel;
}

function staticSelect(o, ctx, where) {
  const initial = str(obj(o.initial_option)?.value);
  const items = optionList(o);
  if (o.type === 'external_select' && obj(o.initial_option) && !items.length) {
    items.push({ value: initial, label: plainString(o.initial_option.text) });
  }
  return nativeSelect(o, ctx, where, items, initial, 'option');
}

function entitySelect(o, ctx, where, kind) {
  let initial = kind === 'user' ? str(o.initial_user) : kind === 'channel' ? str(o.initial_channel) : str(o.initial_conversation);
  if (!initial && kind !== 'user' && o.default_to_current_conversation === true && ctx.current) initial = ctx.current;
  const items = kind === 'user' ? peopleItems(ctx) : conversationItems(ctx, o, kind);
  return nativeSelect(o, ctx, where, items, initial, kind);
}

/** Chips of what is chosen, each with a remove button, and a native select to add one more. */
function multiSelect(o, ctx, where, kind) {
  let items;
  let initial;
  if (kind === 'options') {
    items = optionList(o);
    initial = arr(o.initial_options).map((p) => str(obj(p)?.value)).filter(Boolean);
    for (const p of arr(o.initial_options)) {
      const v = str(obj(p)?.value);
      if (v && !items.some((it) => it.value === v)) items.push({ value: v, label: plainString(obj(p).text) || v });
    }
  } else if (kind === 'users') {
    items = peopleItems(ctx);
    initial = arr(o.initial_users).map(str).filter(Boolean);
  } else {
    items = conversationItems(ctx, o, kind === 'channels' ? 'channel' : 'conversation');
    initial = arr(kind === 'channels' ? o.initial_channels : o.initial_conversations).map(str).filter(Boolean);
  }
  for (const v of initial) {
    if (!items.some((it) => it.value === v)) items.push({ value: v, label: labelFor(kind, v, ctx) });
  }
  const max = Number.isInteger(o.max_selected_items) && o.max_selected_items > 0 ? o.max_selected_items : Infinity;
  const placeholder = plainString(o.placeholder) || 'Select items';
  let chosen = [...new Set(initial)];
  const root = h('div', { class: 'bk-multi' });
  const chips = h('ul', { class: 'bk-chips', 'aria-label': 'Chosen' });
  const add = h('select', { class: 'bk-select bk-multi-add', 'aria-label': `${where.label || placeholder}: add` });
  root.append(chips, add);

  const draw = () => {
    chips.replaceChildren(...chosen.map((v) => {
      const it = items.find((x) => x.value === v) || { value: v, label: v };
      return h('li', { class: 'bk-chip', 'data-value': v },
        h('span', { class: 'bk-chip-label' }, it.label),
        h('button', {
          class: 'bk-chip-remove', type: 'button', 'aria-label': `Remove ${it.label}`,
          onclick: () => { set(chosen.filter((x) => x !== v), true); add.focus(); },
        }, '✕'));
    }));
    chips.hidden = chosen.length === 0;
    add.replaceChildren(h('option', { value: '' }, chosen.length >= max ? `At most ${max}` : chosen.length ? 'Add another…' : placeholder));
    fillSelect(add, items.filter((it) => !chosen.includes(it.value)));
    add.value = '';
    add.disabled = chosen.length >= max;
  };
  const set = async (next, send) => {
    const before = chosen;
    chosen = next;
    draw();
    if (send && where.dispatch) {
      const sent = await fire(o, ctx, where, { kind: 'select', values: [...chosen] });
      if (!sent && root.isConnected) {
        chosen = before;
        draw();
      }
    }
  };
  add.addEventListener('change', () => {
    if (add.value && chosen.length < max) set([...chosen, add.value], true);
    add.focus();
  });
  draw();
  control(ctx, o, where, root, {
    get: () => [...chosen], empty: () => chosen.length === 0, hadInitial: initial.length > 0,
    raw: () => [...chosen],
    restore: (v) => { if (Array.isArray(v)) { chosen = v.filter((x) => items.some((it) => it.value === x)).slice(0, max); draw(); } },
    focus: () => add.focus(),
  });
  return root;
}

function overflow(o, ctx, where) {
  const b = h('button', { class: 'bk-btn bk-overflow', type: 'button', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-label': 'More options' }, '⋯');
  b.addEventListener('click', () => {
    const opts = arr(o.options).map(obj).filter(Boolean);
    openMenu(b, opts.map((p) => ({
      label: plainString(p.text),
      description: plainString(p.description),
      onSelect: () => fire(o, ctx, where, { kind: 'select', value: str(p.value) }, safeHref(str(p.url))),
    })), 'More options');
  });
  return b;
}

/**
 * A native date/time input that fires on change. read(value) is what is sent and submitted for
 * what the input holds, or null when that can't be read: nothing is sent then, and an input
 * whose use was not sent (refused, confirm cancelled) goes back to its previous value.
 */
function pickerInput(o, ctx, where, type, initial, read, label) {
  const input = h('input', { class: 'bk-picker', type, value: initial, 'aria-label': where.place === 'input' ? null : label });
  let prev = input.value;
  input.addEventListener('change', async () => {
    if (!where.dispatch || !input.value) return;
    const v = read(input.value);
    const sent = v !== null && await fire(o, ctx, where, { kind: 'select', value: String(v) });
    if (sent) prev = input.value;
    else if (input.isConnected) input.value = prev;
  });
  control(ctx, o, where, input, {
    get: () => read(input.value), empty: () => input.value === '', hadInitial: initial !== '',
    raw: () => input.value,
    restore: (v) => { input.value = str(v); prev = input.value; },
    focus: () => input.focus(),
    check: () => (input.validity.badInput || read(input.value) === null ? 'Please enter a valid value.' : null),
  });
  return input;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const TIME_RE = /^\d{2}:\d{2}$/;

function datePicker(o, ctx, where) {
  const initial = DATE_RE.test(str(o.initial_date)) ? str(o.initial_date) : '';
  return pickerInput(o, ctx, where, 'date', initial, (v) => (DATE_RE.test(v) ? v : null), plainString(o.placeholder) || 'Date');
}

function timePicker(o, ctx, where) {
  const initial = TIME_RE.test(str(o.initial_time)) ? str(o.initial_time) : '';
  // Browsers may add seconds ("09:30:00"); Slack's time is HH:MM.
  const read = (v) => (TIME_RE.test(v.slice(0, 5)) ? v.slice(0, 5) : null);
  return pickerInput(o, ctx, where, 'time', initial, read, plainString(o.placeholder) || 'Time');
}

/** datetimepicker: a local date and time, read in the person's zone and sent as Unix seconds. */
function dateTimePicker(o, ctx, where) {
  const tz = safeZone(o.timezone || ctx.tz);
  const pad = (n) => String(n).padStart(2, '0');
  let initial = '';
  if (Number.isFinite(o.initial_date_time) && Math.abs(o.initial_date_time) <= 8.64e12) {
    const z = zoned(o.initial_date_time * 1000, tz);
    initial = `${z.y}-${pad(z.mo)}-${pad(z.d)}T${pad(z.h)}:${pad(z.mi)}`;
  }
  const read = (v) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(v);
    return m ? Math.round(fromZoned(+m[1], +m[2], +m[3], +m[4], +m[5], tz) / 1000) : null;
  };
  return pickerInput(o, ctx, where, 'datetime-local', initial, read, 'Date and time');
}

/** Checkboxes or radio buttons: a group of native inputs with their text and description. */
function choiceGroup(o, ctx, where, multi) {
  const opts = arr(o.options).map(obj).filter(Boolean).slice(0, 10);
  const initial = multi
    ? arr(o.initial_options).map((p) => str(obj(p)?.value))
    : [str(obj(o.initial_option)?.value)].filter(Boolean);
  const name = nextId('choice');
  const group = h('div', { class: multi ? 'bk-checkboxes' : 'bk-radios', role: multi ? 'group' : 'radiogroup' });
  const inputs = opts.map((p) => {
    const input = h('input', { type: multi ? 'checkbox' : 'radio', name, value: str(p.value), checked: initial.includes(str(p.value)) });
    const text = h('span', { class: 'bk-choice-text' }, textObject(p.text, ctx));
    if (obj(p.description)) text.append(h('span', { class: 'bk-choice-desc' }, textObject(p.description, ctx)));
    group.append(h('label', { class: 'bk-choice' }, input, text));
    return input;
  });
  const values = () => inputs.filter((i) => i.checked).map((i) => i.value);
  let prev = values();
  group.addEventListener('change', async () => {
    if (!where.dispatch) return;
    const now = values();
    const sent = await fire(o, ctx, where, multi ? { kind: 'select', values: now } : { kind: 'select', value: now[0] || '' });
    if (sent) prev = now;
    else if (group.isConnected) inputs.forEach((i) => { i.checked = prev.includes(i.value); });
  });
  control(ctx, o, where, group, {
    get: () => (multi ? values() : values()[0] || ''), empty: () => values().length === 0, hadInitial: initial.length > 0,
    raw: values,
    restore: (v) => { if (Array.isArray(v)) inputs.forEach((i) => { i.checked = v.includes(i.value); }); prev = values(); },
    focus: () => (inputs.find((i) => i.checked) || inputs[0])?.focus(),
  });
  return group;
}

function checkboxes(o, ctx, where) { return choiceGroup(o, ctx, where, true); }
function radios(o, ctx, where) { return choiceGroup(o, ctx, where, false); }

/** The plain text of a rich_text value (for rich_text_input's initial value). */
function richToPlain(v) {
  const out = [];
  const walk = (n) => {
    const o = obj(n);
    if (!o) return;
    if (o.type === 'text' || o.type === 'link') out.push(str(o.text) || str(o.url));
    else if (o.type === 'user') out.push(`<@${str(o.user_id)}>`);
    else if (o.type === 'emoji') out.push(`:${str(o.name)}:`);
    arr(o.elements).forEach(walk);
    if (/^rich_text_(section|preformatted|quote)$/.test(o.type)) out.push('\n');
  };
  walk(v);
  return out.join('').replace(/\n$/, '');
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** plain_text_input, number_input, email/url inputs and rich_text_input. */
function textInput(o, ctx, where) {
  const multiline = o.multiline === true || o.type === 'rich_text_input';
  const initial = o.type === 'rich_text_input' ? richToPlain(o.initial_value) : str(o.initial_value);
  const placeholder = plainString(o.placeholder);
  const attrs = { class: multiline ? 'bk-textarea' : 'bk-text-input', placeholder: placeholder || null, value: initial, spellcheck: o.type === 'plain_text_input' || o.type === 'rich_text_input' };
  let input;
  if (multiline) input = h('textarea', { ...attrs, rows: 4 });
  else {
    const type = o.type === 'email_text_input' ? 'email' : o.type === 'url_text_input' ? 'url' : 'text';
    input = h('input', { ...attrs, type, autocomplete: 'off' });
    if (o.type === 'number_input') input.inputMode = o.is_decimal_allowed === true ? 'decimal' : 'numeric';
  }
  if (where.place !== 'input') input.setAttribute('aria-label', where.label || placeholder || 'Text');
  const wrap = h('div', { class: 'bk-text-wrap' }, input);
  const min = Number.isInteger(o.min_length) ? o.min_length : 0;
  const max = Number.isInteger(o.max_length) ? o.max_length : 0;
  let counter = null;
  if (max && o.type === 'plain_text_input') {
    counter = h('div', { class: 'bk-counter', 'aria-live': 'polite' });
    wrap.append(counter);
  }
  const showCount = () => {
    if (!counter) return;
    const n = [...input.value].length;
    counter.hidden = n < max * 0.8;
    counter.textContent = n > max ? `${n - max} characters over the limit of ${max}` : `${n}/${max}`;
    counter.classList.toggle('is-over', n > max);
  };
  showCount();
  input.addEventListener('input', showCount);

  // Inputs in a block with dispatch_action send what was typed on Enter (or as it is typed).
  const triggers = arr(obj(o.dispatch_action_config)?.trigger_actions_on);
  if (where.dispatch) {
    if (triggers.includes('on_character_entered')) {
      let timer = 0;
      input.addEventListener('input', () => {
        clearTimeout(timer);
        timer = setTimeout(() => fire(o, ctx, where, { kind: 'select', value: input.value }), 500);
      });
    }
    if (!multiline && (triggers.length === 0 || triggers.includes('on_enter_pressed'))) {
      input.addEventListener('keydown', (e) => {
        // Ctrl/Cmd+Enter is left to the modal, which submits on it.
        if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) {
          e.preventDefault();
          fire(o, ctx, where, { kind: 'select', value: input.value });
        }
      });
    }
  }

  const check = () => {
    const v = input.value;
    if (v === '') return null;
    const n = [...v].length;
    if (o.type === 'number_input') {
      const t = v.trim();
      const ok = o.is_decimal_allowed === true ? /^-?(\d+\.?\d*|\.\d+)$/.test(t) : /^-?\d+$/.test(t);
      if (!ok) return o.is_decimal_allowed === true ? 'Please enter a number.' : 'Please enter a whole number.';
      const num = Number(t);
      const lo = Number(o.min_value);
      const hi = Number(o.max_value);
      if (o.min_value !== undefined && Number.isFinite(lo) && num < lo) return `Please enter a number no less than ${o.min_value}.`;
      if (o.max_value !== undefined && Number.isFinite(hi) && num > hi) return `Please enter a number no more than ${o.max_value}.`;
      return null;
    }
    if (o.type === 'email_text_input' && !EMAIL_RE.test(v.trim())) return 'Please enter a valid email address.';
    if (o.type === 'url_text_input' && !safeHref(v.trim())) return 'Please enter a valid URL, starting with http:// or https://.';
    if (min && n < min) return `Please use at least ${min} character${min === 1 ? '' : 's'}.`;
    if (max && n > max) return `Please use ${max} character${max === 1 ? '' : 's'} or fewer (${n} now).`;
    return null;
  };
  control(ctx, o, where, wrap, {
    get: () => input.value, empty: () => input.value.trim() === '', hadInitial: initial !== '',
    raw: () => input.value,
    restore: (v) => { input.value = str(v); showCount(); },
    focus: () => input.focus(),
    check,
  });
  if (o.focus_on_load === true) input.dataset.autofocus = '';
  return wrap;
}

// ---- rich text --------------------------------------------------------------------------

const BULLETS = ['disc', 'circle', 'square'];
const ORDERS = ['decimal', 'lower-alpha', 'lower-roman'];

function richText(b, ctx) {
  const el = h('div', { class: 'bk-rich' });
  for (const part of arr(b.elements)) {
    try {
      el.append(richBlock(part, ctx));
    } catch {
      el.append(failed('block', str(obj(part)?.type)));
    }
  }
  return el;
}

function richBlock(p, ctx) {
  const o = obj(p);
  if (!o) return failed('block');
  switch (o.type) {
    case 'rich_text_section': return richInline(h('div', { class: 'rt-section' }), o.elements, ctx);
    case 'rich_text_quote': return richInline(h('blockquote', { class: 'md-quote rt-quote' }), o.elements, ctx);
    case 'rich_text_preformatted': return richInline(h('pre', { class: 'md-pre' }), o.elements, ctx, true);
    case 'rich_text_list': {
      const ordered = o.style === 'ordered';
      const indent = Math.max(0, Math.min(8, Number.isInteger(o.indent) ? o.indent : 0));
      const list = h(ordered ? 'ol' : 'ul', { class: 'rt-list' });
      list.style.listStyleType = (ordered ? ORDERS : BULLETS)[indent % 3];
      list.style.marginLeft = `${indent * 22}px`;
      if (ordered && Number.isInteger(o.offset) && o.offset > 0) list.start = o.offset + 1;
      if (o.border === 1) list.classList.add('rt-list-border');
      for (const item of arr(o.elements)) list.append(richInline(h('li'), obj(item)?.elements, ctx));
      return list;
    }
    default: return notice('block', str(o.type));
  }
}

/** The inline elements of a rich text part (text with styles, links, mentions, emoji, dates). */
function richInline(parent, elements, ctx, pre = false) {
  for (const e of arr(elements)) {
    const o = obj(e);
    if (!o) continue;
    let node;
    switch (o.type) {
      case 'text': node = document.createTextNode(str(o.text)); break;
      case 'link': {
        const href = safeHref(str(o.url));
        const label = str(o.text) || str(o.url);
        node = href ? extLink(href, label) : h('span', { class: 'md-nolink' }, label);
        break;
      }
      case 'user': node = userMention(str(o.user_id), '', ctx); break;
      case 'channel': node = channelMention(str(o.channel_id), '', ctx); break;
      case 'usergroup': node = h('span', { class: 'md-mention md-mention-group' }, `@${str(o.usergroup_id)}`); break;
      case 'broadcast': node = h('span', { class: 'md-mention md-mention-special' }, `@${str(o.range) || 'here'}`); break;
      case 'emoji': {
        const ch = charFromUnicode(o.unicode);
        node = !isEmoji(str(o.name)) && ch ? h('span', { class: 'emoji', role: 'img', 'aria-label': str(o.name), title: `:${str(o.name)}:` }, ch) : emojiNode(str(o.name));
        break;
      }
      case 'date': node = dateNode(String(o.timestamp), str(o.format), str(o.url), str(o.fallback), ctx); break;
      case 'color': {
        const v = str(o.value);
        const sw = h('span', { class: 'rt-swatch', 'aria-hidden': 'true' });
        if (/^#[0-9a-f]{3,8}$/i.test(v)) sw.style.background = v;
        node = h('span', { class: 'rt-color' }, sw, v);
        break;
      }
      default: node = h('span', { class: 'bk-unknown-inline' }, '[?]');
    }
    parent.append(pre ? node : styleWrap(node, obj(o.style)));
  }
  return parent;
}

function styleWrap(node, style) {
  if (!style) return node;
  let n = node;
  if (style.code) n = h('code', { class: 'md-code' }, n);
  if (style.strike) n = h('s', null, n);
  if (style.italic) n = h('i', null, n);
  if (style.bold) n = h('b', null, n);
  return n;
}
