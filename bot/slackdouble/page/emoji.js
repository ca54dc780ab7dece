// Emoji shortcodes → characters: the ones Baton sends, plus the common ones people type.
// A code that is not here stays as typed (":like_this:"), as Slack shows an unknown emoji.

const CHARS = {
  // Baton's own
  white_check_mark: '✅', dart: '🎯', red_circle: '🔴', warning: '⚠️', hourglass_flowing_sand: '⏳',
  thinking_face: '🤔', white_circle: '⚪', no_entry_sign: '🚫', eyes: '👀', busts_in_silhouette: '👥',
  alarm_clock: '⏰', rotating_light: '🚨', pushpin: '📌', leftwards_arrow_with_hook: '↩️',
  large_blue_circle: '🔵', information_source: 'ℹ️', inbox_tray: '📥', calendar: '📆', briefcase: '💼',
  bell: '🔔', x: '❌', wave: '👋', tada: '🎉', speech_balloon: '💬', page_facing_up: '📄', no_bell: '🔕',
  hourglass: '⌛', construction: '🚧', zzz: '💤', pencil2: '✏️', no_entry: '⛔', newspaper: '📰', memo: '📝',
  key: '🔑', double_vertical_bar: '⏸️', zap: '⚡', wastebasket: '🗑️', thought_balloon: '💭', sunny: '☀️',
  snooze: '😴', scroll: '📜', repeat: '🔁', palm_tree: '🌴', mag: '🔍', heavy_minus_sign: '➖', flag: '🚩',
  arrows_counterclockwise: '🔄', arrow_double_up: '⏫',
  // common
  '+1': '👍', thumbsup: '👍', '-1': '👎', thumbsdown: '👎', ok_hand: '👌', clap: '👏', pray: '🙏',
  raised_hands: '🙌', muscle: '💪', point_right: '👉', point_left: '👈', point_up: '☝️', point_down: '👇',
  raised_hand: '✋', handshake: '🤝', v: '✌️', crossed_fingers: '🤞', writing_hand: '✍️',
  smile: '😄', smiley: '😃', grinning: '😀', blush: '😊', slightly_smiling_face: '🙂', wink: '😉',
  joy: '😂', rofl: '🤣', sweat_smile: '😅', laughing: '😆', innocent: '😇', heart_eyes: '😍',
  sunglasses: '😎', neutral_face: '😐', expressionless: '😑', confused: '😕', worried: '😟',
  disappointed: '😞', cry: '😢', sob: '😭', scream: '😱', angry: '😠', rage: '😡', sweat: '😓',
  upside_down_face: '🙃', face_with_rolling_eyes: '🙄', grimacing: '😬', relieved: '😌', sleeping: '😴',
  star_struck: '🤩', partying_face: '🥳', exploding_head: '🤯', shushing_face: '🤫', zipper_mouth_face: '🤐',
  nerd_face: '🤓', hugging_face: '🤗', face_palm: '🤦', facepalm: '🤦', shrug: '🤷', see_no_evil: '🙈',
  heart: '❤️', broken_heart: '💔', orange_heart: '🧡', yellow_heart: '💛', green_heart: '💚',
  blue_heart: '💙', purple_heart: '💜', sparkling_heart: '💖', fire: '🔥', sparkles: '✨', star: '⭐',
  star2: '🌟', boom: '💥', '100': '💯', rocket: '🚀', trophy: '🏆', medal: '🏅', first_place_medal: '🥇',
  gift: '🎁', balloon: '🎈', confetti_ball: '🎊', bulb: '💡', moneybag: '💰', dollar: '💵', chart_with_upwards_trend: '📈',
  chart_with_downwards_trend: '📉', bar_chart: '📊', clipboard: '📋', paperclip: '📎', link: '🔗',
  lock: '🔒', unlock: '🔓', hammer_and_wrench: '🛠️', wrench: '🔧', hammer: '🔨', gear: '⚙️',
  package: '📦', email: '📧', envelope: '✉️', incoming_envelope: '📨', mailbox: '📫', phone: '📞',
  computer: '💻', iphone: '📱', desktop_computer: '🖥️', keyboard: '⌨️', printer: '🖨️', books: '📚',
  book: '📖', bookmark: '🔖', label: '🏷️', card_index: '📇', file_folder: '📁', open_file_folder: '📂',
  spiral_calendar_pad: '🗓️', date: '📅', stopwatch: '⏱️', timer_clock: '⏲️', watch: '⌚',
  clock9: '🕘', clock12: '🕛', coffee: '☕', pizza: '🍕', beer: '🍺', cake: '🍰', birthday: '🎂',
  sun_with_face: '🌞', cloud: '☁️', rain_cloud: '🌧️', umbrella: '☂️', snowflake: '❄️', rainbow: '🌈',
  earth_africa: '🌍', earth_americas: '🌎', globe_with_meridians: '🌐', house: '🏠', office: '🏢',
  airplane: '✈️', car: '🚗', train: '🚆', ship: '🚢', checkered_flag: '🏁', triangular_flag_on_post: '🚩',
  heavy_check_mark: '✔️', ballot_box_with_check: '☑️', heavy_multiplication_x: '✖️', negative_squared_cross_mark: '❎',
  question: '❓', grey_question: '❔', exclamation: '❗', heavy_exclamation_mark: '❗', grey_exclamation: '❕',
  bangbang: '‼️', interrobang: '⁉️', heavy_plus_sign: '➕', heavy_division_sign: '➗', arrow_right: '➡️',
  arrow_left: '⬅️', arrow_up: '⬆️', arrow_down: '⬇️', arrow_forward: '▶️', arrow_backward: '◀️',
  arrow_upper_right: '↗️', arrow_lower_right: '↘️', arrows_clockwise: '🔃', back: '🔙', soon: '🔜', new: '🆕',
  free: '🆓', up: '🆙', cool: '🆒', ok: '🆗', sos: '🆘', large_green_circle: '🟢', large_yellow_circle: '🟡',
  large_orange_circle: '🟠', large_purple_circle: '🟣', black_circle: '⚫', green_circle: '🟢',
  yellow_circle: '🟡', orange_circle: '🟠', purple_circle: '🟣', brown_circle: '🟤', large_green_square: '🟩',
  large_red_square: '🟥', large_yellow_square: '🟨', large_blue_square: '🟦', white_large_square: '⬜',
  black_large_square: '⬛', small_blue_diamond: '🔹', small_orange_diamond: '🔸', large_blue_diamond: '🔷',
  large_orange_diamond: '🔶', red_triangle_pointed_up: '🔺', small_red_triangle: '🔺',
  small_red_triangle_down: '🔻', radio_button: '🔘', white_square_button: '🔳', black_square_button: '🔲',
  loudspeaker: '📢', mega: '📣', speaker: '🔈', mute: '🔇', lock_with_ink_pen: '🔏', shield: '🛡️',
  skull: '💀', ghost: '👻', robot_face: '🤖', alien: '👽', poop: '💩', hankey: '💩',
  seedling: '🌱', herb: '🌿', four_leaf_clover: '🍀', sunflower: '🌻', rose: '🌹', tulip: '🌷',
  dog: '🐶', cat: '🐱', unicorn_face: '🦄', tiger: '🐯', bee: '🐝', bug: '🐛', turtle: '🐢', snail: '🐌',
  runner: '🏃', running: '🏃', walking: '🚶', man_dancing: '🕺', dancer: '💃', person_frowning: '🙍',
  bust_in_silhouette: '👤', people_holding_hands: '🧑‍🤝‍🧑', family: '👪', baby: '👶', ninja: '🥷',
  mailbox_with_mail: '📬', outbox_tray: '📤', calling: '📲', satellite: '📡',
  crystal_ball: '🔮', magnet: '🧲', test_tube: '🧪', microscope: '🔬', telescope: '🔭', pill: '💊',
  tornado: '🌪️', ocean: '🌊', volcano: '🌋', mountain: '⛰️', tent: '⛺',
  black_flag: '🏴', white_flag: '🏳️', crown: '👑', gem: '💎', ring: '💍',
  handbag: '👜', school_satchel: '🎒', mortar_board: '🎓', tophat: '🎩', art: '🎨', clapper: '🎬',
  microphone: '🎤', headphones: '🎧', musical_note: '🎵', notes: '🎶', video_game: '🎮', game_die: '🎲',
  jigsaw: '🧩', soccer: '⚽', basketball: '🏀', football: '🏈', tennis: '🎾', golf: '⛳', bowling: '🎳',
  stop_sign: '🛑', traffic_light: '🚥', vertical_traffic_light: '🚦', hospital: '🏥', bank: '🏦',
  hotel: '🏨', post_office: '🏣', european_post_office: '🏤', factory: '🏭', construction_worker: '👷',
  ticket: '🎫', admission_tickets: '🎟️', receipt: '🧾', credit_card: '💳', money_with_wings: '💸',
  scales: '⚖️', compass: '🧭', world_map: '🗺️', round_pushpin: '📍', triangular_ruler: '📐',
  straight_ruler: '📏', scissors: '✂️', pen: '🖊️', lower_left_fountain_pen: '🖋️',
  black_nib: '✒️', crayon: '🖍️', paintbrush: '🖌️', mag_right: '🔎', candle: '🕯️',
  battery: '🔋', electric_plug: '🔌', floppy_disk: '💾', cd: '💿', dvd: '📀', camera: '📷',
  movie_camera: '🎥', tv: '📺', radio: '📻', stars: '🌠', moon: '🌙',
  crescent_moon: '🌙', full_moon: '🌕', new_moon: '🌑', partly_sunny: '⛅', thunder_cloud_and_rain: '⛈️',
  droplet: '💧', sweat_drops: '💦', dash: '💨', anger: '💢', speech_left: '🗨️', left_speech_bubble: '🗨️',
  right_anger_bubble: '🗯️', mailbox_closed: '📪', heavy_dollar_sign: '💲',
  copyright: '©️', registered: '®️', tm: '™️', hash: '#️⃣', keycap_ten: '🔟', one: '1️⃣', two: '2️⃣',
  three: '3️⃣', four: '4️⃣', five: '5️⃣', six: '6️⃣', seven: '7️⃣', eight: '8️⃣', nine: '9️⃣', zero: '0️⃣',
};

// Custom emoji of the workspace, drawn as small inline pictures (Slack shows custom emoji as images).
const CUSTOM = {
  baton: batonIcon,
};

/** The character for a shortcode (without colons), or '' when unknown or custom. */
function emojiChar(name) {
  return Object.prototype.hasOwnProperty.call(CHARS, name) ? CHARS[name] : '';
}

/** Whether a shortcode is known (as a character or a custom emoji). */
export function isEmoji(name) {
  return emojiChar(name) !== '' || Object.prototype.hasOwnProperty.call(CUSTOM, name);
}

/** A node that shows one emoji; unknown names come back as the text ":name:". */
export function emojiNode(name) {
  if (Object.prototype.hasOwnProperty.call(CUSTOM, name)) {
    const span = document.createElement('span');
    span.className = 'emoji emoji-custom';
    span.setAttribute('role', 'img');
    span.setAttribute('aria-label', name);
    span.title = `:${name}:`;
    span.append(CUSTOM[name]());
    return span;
  }
  const ch = emojiChar(name);
  if (!ch) return document.createTextNode(`:${name}:`);
  const span = document.createElement('span');
  span.className = 'emoji';
  span.setAttribute('role', 'img');
  span.setAttribute('aria-label', name.replace(/_/g, ' '));
  span.title = `:${name}:`;
  span.textContent = ch;
  return span;
}

/** An emoji from Slack's rich_text "unicode" field ("1f44d" or "1f469-200d-1f4bb"), or ''. */
export function charFromUnicode(hex) {
  if (typeof hex !== 'string' || !/^[0-9a-f]{2,6}(-[0-9a-f]{2,6})*$/i.test(hex)) return '';
  try {
    return String.fromCodePoint(...hex.split('-').map((h) => parseInt(h, 16)));
  } catch {
    return '';
  }
}

const CODE_RE = /:([a-z0-9_+'-]+):/g;

/** A string with known :codes: replaced by their characters (for places that take text only, like <option>). */
export function emojiText(s) {
  return String(s).replace(CODE_RE, (all, name) => emojiChar(name) || all);
}

/**
 * Appends text to parent, turning known :codes: into emoji nodes. Used for plain_text with emoji: true
 * and for the text runs of mrkdwn.
 */
export function appendWithEmoji(parent, s) {
  let last = 0;
  CODE_RE.lastIndex = 0;
  for (let m = CODE_RE.exec(s); m; m = CODE_RE.exec(s)) {
    if (!isEmoji(m[1])) {
      // ":30:00:" — retry from the second colon so the next code can still match
      CODE_RE.lastIndex = m.index + 1;
      continue;
    }
    if (m.index > last) parent.append(s.slice(last, m.index));
    parent.append(emojiNode(m[1]));
    last = m.index + m[0].length;
  }
  if (last < s.length) parent.append(s.slice(last));
}

const SVG = 'http://www.w3.org/2000/svg';

function svgEl(name, attrs) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

/** Baton's mark: a relay baton, tilted. Also used as the bot's avatar. */
export function batonIcon() {
  const svg = svgEl('svg', { viewBox: '0 0 24 24', width: '1em', height: '1em', 'aria-hidden': 'true', class: 'baton-icon' });
  const g = svgEl('g', { transform: 'rotate(-40 12 12)' });
  g.append(
    svgEl('rect', { x: '3', y: '9', width: '18', height: '6', rx: '3', fill: '#f4a261' }),
    svgEl('rect', { x: '8', y: '9', width: '2.2', height: '6', fill: '#e76f51' }),
    svgEl('rect', { x: '13.8', y: '9', width: '2.2', height: '6', fill: '#e76f51' }),
    svgEl('rect', { x: '3', y: '9', width: '18', height: '6', rx: '3', fill: 'none', stroke: '#9c4a1a', 'stroke-width': '0.8' }),
  );
  svg.append(g);
  return svg;
}
