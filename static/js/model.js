// The board reducer, a line-by-line mirror of board/model/ops.py (and of the role table in
// board/model/permissions.py and the field checks in board/model/template.py), so the view of
// pending edits shows exactly what the server will do, and refuses what the server refuses.
// Pure: no DOM, no network. Like the server, an accepted op updates `state` in place, and a
// refusal leaves it untouched because every check runs before the first write.
//
// State shape (wire state made safe for any id a person may type):
//   {id, workshop, title, city, initiative, theme, mayor, brief: {}, seq,
//    sections: Map<sectionId, cardId[]>, cards: Map<cardId, card>}

export const ID_MAX = 64;
export const BOARD_FIELDS = ["title", "initiative", "theme"];
const BOARD_TEXT_MAX = { title: 200, initiative: 300, theme: 100 };
const CARD_CORE_FIELDS = new Set(["id", "section", "type", "text"]);
const CARD_SERVER_FIELDS = ["author", "created_at", "updated_at", "updated_by"];

const own = (obj, key) => obj !== null && typeof obj === "object" && Object.hasOwn(obj, key);
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
// Python measures strings in code points, JavaScript in UTF-16 units.
const pyLen = (s) => [...s].length;
// Python's repr() of a JSON value, for messages that quote one.
function pyRepr(value) {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const body = value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll("\t", "\\t");
    return quote + (quote === "'" ? body.replaceAll("'", "\\'") : body) + quote;
  }
  return String(value);
}
// Python's `\s`, `\d` and `$` (which also matches before one final newline), on str patterns.
const PY_SPACE = "\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const URL_RE = new RegExp(`^(https?://|mailto:)[^${PY_SPACE}<>"]{1,2000}\\n?$`, "iu");
const DATE_RE = /^\p{Nd}{4}-\p{Nd}{2}-\p{Nd}{2}\n?$/u;

/** The template as the reducer needs it, built once from GET /api/template. */
export function makeTemplate(raw) {
  const moneySections = new Set(raw.sections.filter((s) => s.money).map((s) => s.id));
  return {
    raw,
    textMax: raw.text_max,
    sectionIds: raw.sections.map((s) => s.id),
    sections: new Map(raw.sections.map((s) => [s.id, s])),
    cardTypes: new Map(Object.entries(raw.card_types)),
    moneySections,
    moneyFields: raw.money_fields,
    briefFields: raw.brief_fields,
    /** The type fields a card of this type may carry in this section (name -> spec). */
    fieldsFor(cardType, section) {
      const fields = raw.card_types[cardType].fields;
      return moneySections.has(section) ? { ...fields, ...raw.money_fields } : { ...fields };
    },
  };
}

/** Wire state (welcome.state, GET /api/boards/{id}) -> model state. */
export function fromWire(wire) {
  return {
    id: wire.id,
    workshop: wire.workshop,
    title: wire.title ?? "",
    city: wire.city ?? "",
    initiative: wire.initiative ?? "",
    theme: wire.theme ?? "",
    mayor: wire.mayor ?? null,
    brief: { ...(wire.brief || {}) },
    seq: wire.seq ?? 0,
    sections: new Map(wire.sections.map((s) => [s.id, [...s.cards]])),
    cards: new Map(Object.entries(wire.cards).map(([id, card]) => [id, { ...card }])),
  };
}

export function clone(state) {
  return {
    ...state,
    brief: { ...state.brief },
    sections: new Map([...state.sections].map(([id, ids]) => [id, [...ids]])),
    cards: new Map([...state.cards].map(([id, card]) => [id, { ...card }])),
  };
}

// Permissions (board/model/permissions.py) ------------------------------------------------

export const Action = {
  READ: "read",
  ADD_CARD: "add_card",
  COMMENT: "comment",
  EDIT_CARD: "edit_card",
  MOVE_CARD: "move_card",
  DELETE_CARD: "delete_card",
  EDIT_BOARD: "edit_board",
  SETUP: "setup",
};

/** actor: {id, role, workshop}. Same answers as `can` on the server, for every pair. */
export function can(actor, action, { workshop, boardMayor = null, cardAuthor = null }) {
  if (actor.workshop !== workshop) return false;
  const role = actor.role;
  if (role === "facilitator") return true;
  if (action === Action.READ) return true;
  if (role === "observer" || action === Action.SETUP) return false;
  const ownBoard = role === "mayor" && boardMayor === actor.id;
  const ownCard = cardAuthor !== null && cardAuthor !== undefined && cardAuthor === actor.id;
  switch (action) {
    case Action.ADD_CARD:
    case Action.COMMENT:
      return true;
    case Action.EDIT_CARD:
    case Action.MOVE_CARD:
      return role === "expert" || ownBoard || ownCard;
    case Action.DELETE_CARD:
      return ownBoard || ownCard;
    case Action.EDIT_BOARD:
      return ownBoard;
  }
  return false;
}

const FORBIDDEN = {
  [Action.ADD_CARD]: "Your role cannot add cards to this board.",
  [Action.EDIT_CARD]: "You can only edit your own cards on this board.",
  [Action.MOVE_CARD]: "You can only move your own cards on this board.",
  [Action.DELETE_CARD]: "You can only delete your own cards on this board.",
  [Action.EDIT_BOARD]: "Only the facilitator and this board's mayor can edit the board itself.",
};

// Field checks (board/model/template.py check_field) ----------------------------------------

/** Why `value` does not fit the field `spec`, or null when it does. null always fits. */
export function checkField(name, spec, value) {
  if (value === null) return null;
  const kind = spec.kind;
  if (kind === "text") {
    if (typeof value !== "string") return `'${name}' must be text.`;
    const max = spec.max ?? 500;
    if (pyLen(value) > max) return `'${name}' is longer than ${max} characters.`;
  } else if (kind === "url") {
    if (typeof value !== "string" || !URL_RE.test(value)) {
      return `'${name}' must be a web address starting with http://, https:// or mailto:.`;
    }
  } else if (kind === "enum") {
    if (!spec.values.includes(value)) return `'${name}' must be one of ${spec.values.join(", ")}.`;
  } else if (kind === "int") {
    if (typeof value !== "number" || !Number.isInteger(value)) return `'${name}' must be a whole number.`;
    if (!(spec.min <= value && value <= spec.max)) {
      return `'${name}' must be between ${spec.min} and ${spec.max}.`;
    }
  } else if (kind === "number") {
    if (typeof value !== "number") return `'${name}' must be a number.`;
    if (Number.isNaN(value) || value < (spec.min ?? -Infinity) || value > 1e15) {
      return `'${name}' is out of range.`;
    }
  } else if (kind === "date") {
    if (typeof value !== "string" || !DATE_RE.test(value)) return `'${name}' must be a date written YYYY-MM-DD.`;
  } else if (kind === "bool") {
    if (typeof value !== "boolean") return `'${name}' must be true or false.`;
  } else {
    return `'${name}' has an unknown kind '${kind}' in the template.`;
  }
  return null;
}

// The reducer (board/model/ops.py) ----------------------------------------------------------

class Refused extends Error {
  constructor(code, message) {
    super(message);
    this.refusal = { code, message };
  }
}
const refuse = (code, message) => new Refused(code, message);

function allowed(state, ctx, action, card = null) {
  if (!ctx.actor) return;
  const author = card !== null ? (card.author ?? null) : null;
  if (!can(ctx.actor, action, { workshop: state.workshop, boardMayor: state.mayor, cardAuthor: author })) {
    throw refuse("forbidden", FORBIDDEN[action]);
  }
}

function stringId(value, what) {
  if (typeof value !== "string" || !(1 <= pyLen(value) && pyLen(value) <= ID_MAX)) {
    throw refuse("bad_request", `The ${what} must be a string of 1 to ${ID_MAX} characters.`);
  }
  return value;
}

function getCard(state, cardId) {
  const card = state.cards.get(stringId(cardId, "card id"));
  if (card === undefined) throw refuse("not_found", "That card is not on this board (it may have been deleted).");
  return card;
}

function getSection(state, sectionId) {
  if (!state.sections.has(sectionId)) {
    throw refuse("bad_request", `There is no section ${pyRepr(sectionId)} on this canvas.`);
  }
  return sectionId;
}

function afterId(value) {
  if (value === null || value === undefined) return null;
  return stringId(value, "'after' card id");
}

function checkText(value, limit) {
  if (typeof value !== "string" || !value.trim()) throw refuse("bad_request", "A card needs some text.");
  if (pyLen(value) > limit) throw refuse("bad_request", `Card text is limited to ${limit} characters.`);
  return value;
}

function checkFields(template, cardType, section, values) {
  const fields = template.fieldsFor(cardType, section);
  for (const [name, value] of Object.entries(values)) {
    if (!own(fields, name)) throw refuse("bad_request", `A ${cardType} card has no field '${name}' here.`);
    const problem = checkField(name, fields[name], value);
    if (problem) throw refuse("bad_request", problem);
  }
}

function cardType(template, value) {
  if (typeof value !== "string" || !template.cardTypes.has(value)) {
    throw refuse("bad_request", `The card type must be one of ${[...template.cardTypes.keys()].join(", ")}.`);
  }
  return value;
}

/** Insert after `after`; an `after` no longer in the section (moved or deleted by someone else
 * meanwhile) puts the card last, so a concurrent edit never loses the card. */
export function place(ids, cardId, after) {
  if (after === null) {
    ids.unshift(cardId);
    return;
  }
  const index = ids.indexOf(after);
  if (index < 0) ids.push(cardId);
  else ids.splice(index + 1, 0, cardId);
}

function fieldsOf(op, name) {
  const value = op[name];
  if (!isObject(value)) throw refuse("bad_request", `'${name}' must be an object.`);
  return value;
}

const extraOf = (obj) => Object.fromEntries(Object.entries(obj).filter(([k]) => !CARD_CORE_FIELDS.has(k)));

function cardAdd(state, op, ctx) {
  const body = fieldsOf(op, "card");
  const cardId = stringId(body.id, "card id");
  if (state.cards.has(cardId)) throw refuse("conflict", "A card with this id already exists on this board.");
  const section = getSection(state, body.section);
  const type = cardType(ctx.template, body.type);
  const text = checkText(body.text, ctx.template.textMax);
  const extra = extraOf(body);
  checkFields(ctx.template, type, section, extra);
  const after = afterId(op.after);
  allowed(state, ctx, Action.ADD_CARD);
  const card = { id: cardId, section, type, text };
  for (const [k, v] of Object.entries(extra)) if (v !== null) card[k] = v;
  Object.assign(card, { author: ctx.by, created_at: ctx.at, updated_at: ctx.at, updated_by: ctx.by });
  state.cards.set(cardId, card);
  place(state.sections.get(section), cardId, after);
}

function cardUpdate(state, op, ctx) {
  const card = getCard(state, op.card);
  const changes = fieldsOf(op, "set");
  if (Object.keys(changes).length === 0) throw refuse("bad_request", "'set' names no field to change.");
  for (const name of ["id", "section", ...CARD_SERVER_FIELDS]) {
    if (own(changes, name)) {
      const hint = name === "section" ? " (use card.move)" : "";
      throw refuse("bad_request", `'${name}' cannot be changed with card.update${hint}.`);
    }
  }
  const type = cardType(ctx.template, own(changes, "type") ? changes.type : card.type);
  if (own(changes, "text")) checkText(changes.text, ctx.template.textMax);
  checkFields(ctx.template, type, card.section, extraOf(changes));
  allowed(state, ctx, Action.EDIT_CARD, card);
  if (type !== card.type) {
    const keep = ctx.template.fieldsFor(type, card.section);
    for (const name of Object.keys(card)) {
      if (!CARD_CORE_FIELDS.has(name) && !CARD_SERVER_FIELDS.includes(name) && !own(keep, name)) delete card[name];
    }
  }
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete card[name];
    else card[name] = value;
  }
  card.updated_at = ctx.at;
  card.updated_by = ctx.by;
}

function cardMove(state, op, ctx) {
  const card = getCard(state, op.card);
  const section = getSection(state, op.section);
  const after = afterId(op.after);
  if (after === card.id) throw refuse("bad_request", "A card cannot be placed after itself.");
  allowed(state, ctx, Action.MOVE_CARD, card);
  const from = state.sections.get(card.section);
  from.splice(from.indexOf(card.id), 1);
  card.section = section;
  place(state.sections.get(section), card.id, after);
  card.updated_at = ctx.at;
  card.updated_by = ctx.by;
}

function cardDelete(state, op, ctx) {
  const card = getCard(state, op.card);
  allowed(state, ctx, Action.DELETE_CARD, card);
  const ids = state.sections.get(card.section);
  ids.splice(ids.indexOf(card.id), 1);
  state.cards.delete(card.id);
}

function boardUpdate(state, op, ctx) {
  const changes = fieldsOf(op, "set");
  if (Object.keys(changes).length === 0) throw refuse("bad_request", "'set' names no field to change.");
  const brief = own(changes, "brief") ? changes.brief : {};
  for (const [name, value] of Object.entries(changes)) {
    if (BOARD_FIELDS.includes(name)) {
      const limit = BOARD_TEXT_MAX[name];
      if (typeof value !== "string" || pyLen(value) > limit) {
        throw refuse("bad_request", `'${name}' must be text of at most ${limit} characters.`);
      }
      if (name === "title" && !value.trim()) throw refuse("bad_request", "A board needs a title.");
    } else if (name !== "brief") {
      const names = [...BOARD_FIELDS, "brief"].sort().join(", ");
      throw refuse("bad_request", `A board has no field '${name}' (try ${names}).`);
    }
  }
  if (!isObject(brief)) throw refuse("bad_request", "'brief' must be an object.");
  for (const [name, value] of Object.entries(brief)) {
    if (!own(ctx.template.briefFields, name)) throw refuse("bad_request", `The brief has no field '${name}'.`);
    const spec = ctx.template.briefFields[name];
    if (value !== null && (typeof value !== "string" || pyLen(value) > spec.max)) {
      throw refuse("bad_request", `'${name}' must be text of at most ${spec.max} chars.`);
    }
  }
  allowed(state, ctx, Action.EDIT_BOARD);
  for (const name of BOARD_FIELDS) if (own(changes, name)) state[name] = changes[name];
  for (const [name, value] of Object.entries(brief)) {
    if (value === null) delete state.brief[name];
    else state.brief[name] = value;
  }
}

const HANDLERS = new Map([
  ["card.add", cardAdd],
  ["card.update", cardUpdate],
  ["card.move", cardMove],
  ["card.delete", cardDelete],
  ["board.update", boardUpdate],
]);
export const KINDS = [...HANDLERS.keys()];

/**
 * Apply one op: returns `state` (the same object, seq advanced) or a refusal {code, message}.
 * ctx: {at, by, actor, template}; `actor` null means an already accepted op (no role check).
 */
export function apply(state, op, ctx) {
  const handler = isObject(op) ? HANDLERS.get(op.kind) : undefined;
  if (handler === undefined) return { code: "bad_request", message: `Unknown operation; the kinds are ${KINDS.join(", ")}.` };
  try {
    handler(state, op, ctx);
  } catch (error) {
    if (error instanceof Refused) return error.refusal;
    throw error;
  }
  state.seq += 1;
  return state;
}

/** True when `apply` refused (its result is {code, message} rather than the state). */
export const isRefusal = (result) => !(result?.cards instanceof Map);
