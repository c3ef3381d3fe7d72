// The board reducer, a line-by-line mirror of board/model/ops.py (and of the role table in
// board/model/permissions.py and the field checks in board/model/template.py), so the view of
// pending edits shows exactly what the server will do, and refuses what the server refuses.
// Pure: no DOM, no network. Like the server, an accepted op updates `state` in place, and a
// refusal leaves it untouched because every check runs before the first write.
//
// Also the room tools of board/model/collab.py (comments, dot voting, section sign-off, private
// writing), character-level text edits (text.splice, board/model/textops.py, with the merge of
// text.js), the refusal of stage ops on a board (board/model/stage.py), and what a replica does
// with a placeholder op (`applyPlaceholder`, board/model/visibility.py apply_placeholder).
//
// State shape (wire state made safe for any id a person may type):
//   {id, workshop, kind, title, city, initiative, theme, mayor, brief: {}, seq,
//    sections: Map<sectionId, cardId[]>, cards: Map<cardId, card>,
//    comments: Map<commentId, comment>, rounds: Map<roundId, round>,
//    locks: Map<sectionId, {by, at}>, private: {by, at} | null,
//    textLog: Map<target, [seq, change][]>, textFloor, textFloors: Map<target, seq>,
//    textBytes: Map<target, bytes>, trash: Map<cardId, entry>}  (the text log and the trash of
//    deleted cards, model-undo.js, are not part of the wire state: a state from the wire knows
//    no change before its seq and no deleted card, like from_wire)

import { TextError, applyText, baseLength, rebase, replaceAll, splice } from "./text.js";
import { cardRestore, checkCard, checkLock, keepDeleted, trashOf, trashToCheckpoint } from "./model-undo.js";

export const ID_MAX = 64;
export const BOARD_FIELDS = ["title", "initiative", "theme"];
const BOARD_TEXT_MAX = { title: 200, initiative: 300, theme: 100 };
const CARD_CORE_FIELDS = new Set(["id", "section", "type", "text"]);
const CARD_SERVER_FIELDS = ["author", "created_at", "updated_at", "updated_by", "private"];
export const COMMENT_MAX = 1000;
export const DOTS_MAX = 20;
export const PLACEHOLDER_TEXT = "(private)";

const own = (obj, key) => obj !== null && typeof obj === "object" && Object.hasOwn(obj, key);
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
// dict.get(key): the own value, or undefined (never something from Object.prototype).
const get = (obj, key) => (own(obj, key) ? obj[key] : undefined);
const isInt = (v) => typeof v === "number" && Number.isInteger(v);
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
// `not value.strip()` in Python: empty or only what str.isspace() calls space.
const BLANK_RE = new RegExp(`^[${PY_SPACE}]*$`, "u");
const pyBlank = (s) => BLANK_RE.test(s);

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
    kind: wire.kind ?? "board",
    title: wire.title ?? "",
    city: wire.city ?? "",
    initiative: wire.initiative ?? "",
    theme: wire.theme ?? "",
    mayor: wire.mayor ?? null,
    brief: { ...(wire.brief || {}) },
    seq: wire.seq ?? 0,
    sections: new Map(wire.sections.map((s) => [s.id, [...s.cards]])),
    cards: new Map(Object.entries(wire.cards).map(([id, card]) => [id, { ...card }])),
    comments: new Map(Object.entries(wire.comments || {}).map(([id, c]) => [id, { ...c }])),
    rounds: new Map(Object.entries(wire.rounds || {}).map(([id, r]) => [id, copyRound(r)])),
    locks: new Map(Object.entries(wire.locks || {}).map(([id, l]) => [id, { ...l }])),
    private: wire.private ? { ...wire.private } : null,
    ...textLogOf(wire),
    trash: trashOf(wire),
  };
}

function textLogOf(wire) {
  if (!own(wire, "text_log")) return { textLog: new Map(), textFloor: wire.seq ?? 0, textFloors: new Map(), textBytes: new Map() };
  const textLog = new Map(Object.entries(wire.text_log).map(([k, v]) => [k, v.map(([seq, change]) => [seq, change])]));
  const textFloors = new Map(Object.entries(wire.text_floors || {}));
  if (!own(wire, "text_floors")) {
    // before byte budgets, a log was cut at 1,000 changes
    for (const [key, log] of textLog) if (log.length >= OLD_LOG_LIMIT) textFloors.set(key, log[0][0] - 1);
  }
  return { textLog, textFloor: wire.text_floor ?? wire.seq ?? 0, textFloors, textBytes: new Map() };
}

function copyRound(round) {
  return {
    ...round,
    sections: Array.isArray(round.sections) ? [...round.sections] : round.sections,
    votes: round.votes.map((v) => ({ ...v })),
  };
}

export function clone(state) {
  return {
    ...state,
    brief: { ...state.brief },
    sections: new Map([...state.sections].map(([id, ids]) => [id, [...ids]])),
    cards: new Map([...state.cards].map(([id, card]) => [id, { ...card }])),
    comments: new Map([...state.comments].map(([id, c]) => [id, { ...c }])),
    rounds: new Map([...state.rounds].map(([id, r]) => [id, copyRound(r)])),
    locks: new Map([...state.locks].map(([id, l]) => [id, { ...l }])),
    private: state.private ? { ...state.private } : null,
    textLog: new Map([...state.textLog].map(([k, v]) => [k, [...v]])),
    trash: new Map([...state.trash].map(([k, v]) => [k, structuredClone(v)])),
    textFloors: new Map(state.textFloors),
    textBytes: new Map(state.textBytes),
  };
}

/** The wire state plus the text log (BoardState.to_checkpoint). */
export function toCheckpoint(state, template) {
  return {
    ...toWire(state, template),
    text_log: Object.fromEntries([...state.textLog].map(([k, v]) => [k, v.map(([seq, change]) => [seq, change])])),
    text_floor: state.textFloor,
    trash: trashToCheckpoint(state),
    text_floors: Object.fromEntries(state.textFloors),
  };
}

/** Model state -> the wire shape of BoardState.to_wire() (sections in template order). */
export function toWire(state, template) {
  const obj = (map) => Object.fromEntries(map);
  return {
    id: state.id,
    workshop: state.workshop,
    kind: state.kind,
    template: { id: template.raw.id, version: template.raw.version },
    title: state.title,
    city: state.city,
    initiative: state.initiative,
    theme: state.theme,
    mayor: state.mayor,
    brief: { ...state.brief },
    seq: state.seq,
    sections: template.sectionIds.map((id) => ({
      id,
      title: template.sections.get(id).title,
      prompt: template.sections.get(id).prompt,
      cards: [...(state.sections.get(id) || [])],
    })),
    cards: obj([...state.cards].map(([id, c]) => [id, { ...c }])),
    comments: obj([...state.comments].map(([id, c]) => [id, { ...c }])),
    rounds: obj([...state.rounds].map(([id, r]) => [id, copyRound(r)])),
    locks: obj([...state.locks].map(([id, l]) => [id, { ...l }])),
    private: state.private ? { ...state.private } : null,
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
  [Action.COMMENT]: "Your role cannot comment on this board.",
  [Action.EDIT_CARD]: "You can only edit your own cards on this board.",
  [Action.MOVE_CARD]: "You can only move your own cards on this board.",
  [Action.DELETE_CARD]: "You can only delete your own cards on this board.",
  [Action.EDIT_BOARD]: "Only the facilitator and this board's mayor can edit the board itself.",
};

// Field checks (board/model/template.py check_field) ----------------------------------------

/** Why `value` does not fit the field `spec`, or null when it does. null always fits. */
/** A day that exists, in ASCII digits (board/model/template.py is_real_date). */
function isRealDate(value) {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** Why `value` does not fit the field, or null. `live`: a person's op now, held to today's
 * rules; a replay keeps the looser rules it was accepted under (check_field). */
export function checkField(name, spec, value, live = false) {
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
    if (live && !isRealDate(value)) return `'${name}' must be a real day of the calendar, written YYYY-MM-DD.`;
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
// Exported for the rest of the reducer in model-undo.js (not for pages).
export const refuse = (code, message) => new Refused(code, message);

export function allowed(state, ctx, action, card = null) {
  if (!ctx.actor) return;
  const author = card !== null ? (card.author ?? null) : null;
  if (!can(ctx.actor, action, { workshop: state.workshop, boardMayor: state.mayor, cardAuthor: author })) {
    throw refuse("forbidden", FORBIDDEN[action]);
  }
}

function facilitatorOnly(ctx, what) {
  if (ctx.actor && ctx.actor.role !== "facilitator") throw refuse("forbidden", `Only the facilitator can ${what}.`);
}

export function asBoard(state) {
  if (state.kind !== "board") throw refuse("bad_request", "This operation is for a board, not the workshop stage.");
}

function textField(value, name, limit, required = true) {
  if (typeof value !== "string" || (required && pyBlank(value))) throw refuse("bad_request", `'${name}' needs some text.`);
  if (pyLen(value) > limit) throw refuse("bad_request", `'${name}' is limited to ${limit} characters.`);
  return value;
}

export function stringId(value, what) {
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
  if (typeof value !== "string" || pyBlank(value)) throw refuse("bad_request", "A card needs some text.");
  if (pyLen(value) > limit) throw refuse("bad_request", `Card text is limited to ${limit} characters.`);
  return value;
}

function checkFields(template, cardType, section, values, ctx) {
  const fields = template.fieldsFor(cardType, section);
  for (const [name, value] of Object.entries(values)) {
    if (!own(fields, name)) throw refuse("bad_request", `A ${cardType} card has no field '${name}' here.`);
    const problem = checkField(name, fields[name], value, Boolean(ctx.actor));
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
  asBoard(state);
  const body = fieldsOf(op, "card");
  const cardId = stringId(body.id, "card id");
  if (state.cards.has(cardId)) throw refuse("conflict", "A card with this id already exists on this board.");
  const section = getSection(state, body.section);
  const type = cardType(ctx.template, body.type);
  const text = checkText(body.text, ctx.template.textMax);
  const extra = extraOf(body);
  checkFields(ctx.template, type, section, extra, ctx);
  const after = afterId(op.after);
  allowed(state, ctx, Action.ADD_CARD);
  checkUnlocked(state, section, ctx);
  const card = { id: cardId, section, type, text };
  for (const [k, v] of Object.entries(extra)) if (v !== null) card[k] = v;
  Object.assign(card, { author: ctx.by, created_at: ctx.at, updated_at: ctx.at, updated_by: ctx.by });
  if (state.private !== null) card.private = true;
  state.cards.set(cardId, card);
  place(state.sections.get(section), cardId, after);
}

function cardUpdate(state, op, ctx) {
  const card = getCard(state, op.card);
  const changes = fieldsOf(op, "set");
  if (Object.keys(changes).length === 0) throw refuse("bad_request", "'set' names no field to change.");
  for (const name of ["id", "section", ...[...CARD_SERVER_FIELDS].sort()]) {
    if (own(changes, name)) {
      const hint = name === "section" ? " (use card.move)" : "";
      throw refuse("bad_request", `'${name}' cannot be changed with card.update${hint}.`);
    }
  }
  const type = cardType(ctx.template, own(changes, "type") ? changes.type : card.type);
  if (own(changes, "text")) checkText(changes.text, ctx.template.textMax);
  checkFields(ctx.template, type, card.section, extraOf(changes), ctx);
  allowed(state, ctx, Action.EDIT_CARD, card);
  checkUnlocked(state, card.section, ctx);
  checkNotPrivate(card, ctx);
  checkCard(state, card, op);
  if (type !== card.type) {
    const keep = ctx.template.fieldsFor(type, card.section);
    for (const name of Object.keys(card)) {
      if (!CARD_CORE_FIELDS.has(name) && !CARD_SERVER_FIELDS.includes(name) && !own(keep, name)) delete card[name];
    }
  }
  const before = { ...card };
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete card[name];
    else card[name] = value;
  }
  for (const name of new Set([...textFields(ctx.template, before), ...textFields(ctx.template, card)])) {
    recordText(state, `card:${card.id}:${name}`, own(before, name) ? before[name] : "", own(card, name) ? card[name] : "");
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
  checkUnlocked(state, card.section, ctx);
  checkUnlocked(state, section, ctx);
  checkNotPrivate(card, ctx);
  checkCard(state, card, op);
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
  checkUnlocked(state, card.section, ctx);
  checkNotPrivate(card, ctx);
  checkCard(state, card, op);
  keepDeleted(state, card, ctx);
  const ids = state.sections.get(card.section);
  ids.splice(ids.indexOf(card.id), 1);
  state.cards.delete(card.id);
  dropCommentsOf(state, card.id);
  dropVotesOf(state, card.id, get(serverOf(op), "votes_dropped"));
  forgetCard(state, card.id);
}

function boardUpdate(state, op, ctx) {
  asBoard(state);
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
    recordText(state, `brief:${name}`, own(state.brief, name) ? state.brief[name] : "", value || "");
    if (value === null) delete state.brief[name];
    else state.brief[name] = value;
  }
}


// Running the room (board/model/collab.py) --------------------------------------------------

// Section sign-off

/** Cards of an agreed section are locked for everyone but the facilitator. */
export function checkUnlocked(state, section, ctx) {
  if (state.locks.has(section) && ctx.actor && ctx.actor.role !== "facilitator") {
    throw refuse("forbidden", LOCKED_MESSAGE);
  }
}
export const LOCKED_MESSAGE = "This section was agreed and is locked; ask the facilitator to unlock it.";

function sectionLock(state, op, ctx) {
  asBoard(state);
  const section = get(op, "section");
  if (!state.sections.has(section)) {
    throw refuse("bad_request", `There is no section ${pyRepr(section)} on this canvas.`);
  }
  const locked = get(op, "locked");
  if (typeof locked !== "boolean") throw refuse("bad_request", "'locked' must be true or false.");
  facilitatorOnly(ctx, "mark a section agreed");
  checkLock(state, section, op);
  if (locked) state.locks.set(section, { by: ctx.by, at: ctx.at });
  else state.locks.delete(section);
}

// Comments

function getComment(state, commentId) {
  const comment = state.comments.get(stringId(commentId, "comment id"));
  if (comment === undefined) {
    throw refuse("not_found", "That comment is not on this board (it may have been deleted).");
  }
  return comment;
}

/** Who may resolve a comment: its author, the card's author, the board's mayor, the
 * facilitator (and a replay). Exported for the page, which offers the button only to them. */
export function mayModerate(state, actor, comment) {
  if (!actor || actor.role === "facilitator" || comment.author === actor.id) return true;
  const card = state.cards.get(comment.card);
  return (card !== undefined && (card.author ?? null) === actor.id) || (actor.role === "mayor" && state.mayor === actor.id);
}

function commentAdd(state, op, ctx) {
  asBoard(state);
  const body = fieldsOf(op, "comment");
  const commentId = stringId(get(body, "id"), "comment id");
  if (state.comments.has(commentId)) throw refuse("conflict", "A comment with this id already exists on this board.");
  const card = getCard(state, get(body, "card"));
  const text = textField(get(body, "text"), "text", COMMENT_MAX);
  if (Object.keys(body).some((k) => !["id", "card", "text"].includes(k))) {
    throw refuse("bad_request", "A comment has only id, card and text.");
  }
  allowed(state, ctx, Action.COMMENT);
  checkNotPrivate(card, ctx);
  state.comments.set(commentId, {
    id: commentId,
    card: card.id,
    text,
    author: ctx.by,
    created_at: ctx.at,
    updated_at: ctx.at,
    resolved: false,
    resolved_by: null,
  });
}

function commentUpdate(state, op, ctx) {
  const comment = getComment(state, get(op, "comment"));
  const text = textField(get(op, "text"), "text", COMMENT_MAX);
  if (ctx.actor && comment.author !== ctx.actor.id) throw refuse("forbidden", "You can only edit your own comments.");
  comment.text = text;
  comment.updated_at = ctx.at;
}

function commentResolve(state, op, ctx) {
  const comment = getComment(state, get(op, "comment"));
  const resolved = own(op, "resolved") ? op.resolved : true;
  if (typeof resolved !== "boolean") throw refuse("bad_request", "'resolved' must be true or false.");
  if (!mayModerate(state, ctx.actor, comment)) {
    throw refuse(
      "forbidden",
      "Only the comment's or the card's author, the board's mayor or the facilitator can resolve it.",
    );
  }
  comment.resolved = resolved;
  comment.resolved_by = resolved ? ctx.by : null;
  comment.updated_at = ctx.at;
}

function commentDelete(state, op, ctx) {
  const comment = getComment(state, get(op, "comment"));
  const actor = ctx.actor;
  if (actor && actor.role !== "facilitator" && comment.author !== actor.id) {
    throw refuse("forbidden", "You can only delete your own comments.");
  }
  state.comments.delete(comment.id);
}

/** A deleted card gives its dots back in open rounds (closed rounds keep their result).
 * `dropped` (the room's `server.votes_dropped`) names whose blind dots were on the card, so a
 * replica that sees those dots without their cards removes one hidden dot of each voter. */
function dropVotesOf(state, cardId, dropped) {
  for (const found of state.rounds.values()) {
    if (found.status === "open") found.votes = found.votes.filter((v) => v.card !== cardId);
  }
  for (const entry of Array.isArray(dropped) ? dropped : []) {
    const found = isObject(entry) ? state.rounds.get(entry.round) : undefined;
    if (!found || found.status !== "open") continue;
    const index = found.votes.findIndex((v) => v.card === null && v.by === entry.by);
    if (index >= 0) found.votes.splice(index, 1);
  }
}

export const PRIVATE_MESSAGE = "This card is private to its author until the facilitator reveals private writing.";

/** A card written in private is its author's alone until the reveal: nobody else (who only
 * sees a placeholder) may change, move, delete or comment on it. */
function checkNotPrivate(card, ctx) {
  if (card.private && ctx.actor && card.author !== ctx.actor.id) throw refuse("forbidden", PRIVATE_MESSAGE);
}

/** A deleted card takes its comments with it. */
function dropCommentsOf(state, cardId) {
  for (const [id, comment] of [...state.comments]) if (comment.card === cardId) state.comments.delete(id);
}

// Dot voting

function getRound(state, roundId) {
  const found = state.rounds.get(stringId(roundId, "round id"));
  if (found === undefined) throw refuse("not_found", "There is no such voting round on this board.");
  return found;
}

function voteOpen(state, op, ctx) {
  asBoard(state);
  const body = fieldsOf(op, "round");
  const roundId = stringId(get(body, "id"), "round id");
  const dots = get(body, "dots");
  if (!isInt(dots) || !(1 <= dots && dots <= DOTS_MAX)) {
    throw refuse("bad_request", `'dots' must be a whole number from 1 to ${DOTS_MAX}.`);
  }
  const sections = get(body, "sections") ?? null;
  if (
    sections !== null &&
    (!Array.isArray(sections) || sections.length === 0 || sections.some((s) => !state.sections.has(s)))
  ) {
    throw refuse("bad_request", "'sections' must list sections of this canvas, or be null.");
  }
  const blind = own(body, "blind") ? body.blind : false;
  if (typeof blind !== "boolean") throw refuse("bad_request", "'blind' must be true or false.");
  const title = textField(own(body, "title") ? body.title : "Dot vote", "title", 200);
  facilitatorOnly(ctx, "open a voting round"); // the role before the board's state
  if (state.rounds.has(roundId)) throw refuse("conflict", "A voting round with this id already exists.");
  if ([...state.rounds.values()].some((r) => r.status === "open")) {
    throw refuse("conflict", "Close the open voting round first.");
  }
  state.rounds.set(roundId, {
    id: roundId,
    title,
    dots,
    sections: sections === null ? null : [...sections],
    blind,
    status: "open",
    revealed: !blind,
    opened_by: ctx.by,
    opened_at: ctx.at,
    closed_at: null,
    votes: [],
  });
}

const serverOf = (op) => (isObject(op.server) ? op.server : {});

function voterRole(op, ctx) {
  let role = get(serverOf(op), "role") ?? null;
  if (role === null && ctx.actor) role = ctx.actor.role;
  return role || "expert";
}

function votePlace(state, op, ctx) {
  const found = getRound(state, get(op, "round"));
  const card = getCard(state, get(op, "card"));
  if (found.status !== "open") throw refuse("conflict", "This voting round is closed.");
  if (found.sections !== null && !found.sections.includes(card.section)) {
    throw refuse("bad_request", "This round is not voting on that section.");
  }
  if (ctx.actor && ctx.actor.role === "observer") throw refuse("forbidden", "Observers do not vote.");
  const mine = found.votes.filter((v) => v.by === ctx.by).length;
  if (mine >= found.dots) {
    throw refuse("conflict", `You have placed all ${found.dots} of your dots; remove one to move it.`);
  }
  found.votes.push({ by: ctx.by, role: voterRole(op, ctx), card: card.id });
}

function voteRemove(state, op, ctx) {
  const found = getRound(state, get(op, "round"));
  const cardId = stringId(get(op, "card"), "card id");
  if (found.status !== "open") throw refuse("conflict", "This voting round is closed.");
  const index = found.votes.findIndex((v) => v.by === ctx.by && v.card === cardId);
  if (index < 0) throw refuse("not_found", "You have no dot on that card in this round.");
  found.votes.splice(index, 1);
}

function voteClose(state, op, ctx) {
  const found = getRound(state, get(op, "round"));
  facilitatorOnly(ctx, "close a voting round");
  if (found.status !== "open") throw refuse("conflict", "This voting round is already closed.");
  found.status = "closed";
  found.closed_at = ctx.at;
}

function voteReveal(state, op, ctx) {
  const found = getRound(state, get(op, "round"));
  facilitatorOnly(ctx, "reveal a voting round");
  if (found.status === "open") {
    found.status = "closed";
    found.closed_at = ctx.at;
  }
  found.revealed = true;
  const votes = get(serverOf(op), "votes") ?? null;
  if (votes !== null) found.votes = votes.map((v) => ({ ...v })); // a replica that saw only hidden dots
}

/** Dots per card, overall and by role, ranked (collab.tally): what a reveal shows. */
export function tally(found) {
  const totals = new Map();
  const byRole = new Map();
  for (const vote of found.votes) {
    if (vote.card === null) continue;
    totals.set(vote.card, (totals.get(vote.card) || 0) + 1);
    const per = byRole.get(vote.card) || {};
    per[vote.role] = (per[vote.role] || 0) + 1;
    byRole.set(vote.card, per);
  }
  const ranking = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a) || (a < b ? -1 : a > b ? 1 : 0));
  return { totals, byRole, ranking };
}

// Private writing

function privateStart(state, op, ctx) {
  asBoard(state);
  facilitatorOnly(ctx, "start private writing");
  if (state.private !== null) throw refuse("conflict", "Private writing is already on.");
  state.private = { by: ctx.by, at: ctx.at };
}

function privateReveal(state, op, ctx) {
  asBoard(state);
  facilitatorOnly(ctx, "reveal private writing");
  if (state.private === null) throw refuse("conflict", "Private writing is not on.");
  const server = serverOf(op);
  // Replicas that saw placeholders get the real cards, and their comments.
  for (const [cardId, card] of Object.entries(get(server, "cards") || {})) {
    if (state.cards.has(cardId)) state.cards.set(cardId, { ...card });
  }
  for (const [commentId, comment] of Object.entries(get(server, "comments") || {})) {
    if (state.cards.has(comment.card)) state.comments.set(commentId, { ...comment });
  }
  for (const card of state.cards.values()) delete card.private;
  state.private = null;
}


// Character-level text edits (board/model/textops.py) ----------------------------------------

// The most a field's history of changes may hold, in bytes of their JSON: older changes are
// dropped (the newest is always kept) and the field's floor rises to the last dropped seq.
const LOG_BYTES = 4096;
const OLD_LOG_LIMIT = 1000;
const utf8 = new TextEncoder();

/** The size of a change as JSON, near enough (textops.change_bytes). */
function changeBytes(change) {
  let size = 8 + change.length;
  for (const c of change) size += typeof c === "number" ? String(c).length : utf8.encode(c).length + 2;
  return size;
}

// Python's str() of a JSON value, for sentences that print one.
const pyStr = (v) => (v === null || v === undefined ? "None" : v === true ? "True" : v === false ? "False" : String(v));

/** The card's fields that hold free text (mergeable with text.splice). */
function textFields(template, card) {
  const fields = template.fieldsFor(card.type, card.section);
  return ["text", ...Object.keys(fields).filter((n) => fields[n].kind === "text" && own(card, n))];
}

function targetOf(op) {
  const card = get(op, "card") ?? null;
  if (card !== null) return `card:${pyStr(card)}:${pyStr(own(op, "field") ? op.field : "text")}`;
  return `brief:${pyStr(get(op, "brief") ?? null)}`;
}

/** Note a whole-value change of a text field (card.update, board.update). */
function recordText(state, target, oldText, newText) {
  if (oldText !== newText) logChange(state, target, replaceAll(oldText, newText));
}

function logChange(state, target, change) {
  let log = state.textLog.get(target);
  if (log === undefined) {
    log = [];
    state.textLog.set(target, log);
  }
  log.push([state.seq + 1, change]); // the seq this op is about to get
  let size = state.textBytes.get(target);
  if (size === undefined) size = log.reduce((sum, [, c]) => sum + changeBytes(c), 0);
  else size += changeBytes(change);
  let drop = 0;
  while (size > LOG_BYTES && drop < log.length - 1) {
    size -= changeBytes(log[drop][1]);
    drop += 1;
  }
  if (drop) {
    state.textFloors.set(target, log[drop - 1][0]);
    log.splice(0, drop);
  }
  state.textBytes.set(target, size);
}

function forgetCard(state, cardId) {
  const prefix = `card:${cardId}:`;
  for (const key of [...state.textLog.keys()]) {
    if (!key.startsWith(prefix)) continue;
    state.textLog.delete(key);
    state.textFloors.delete(key);
    state.textBytes.delete(key);
  }
}

function wholeNumber(value, name) {
  if (!isInt(value) || value < 0) throw refuse("bad_request", `'${name}' must be a whole number, 0 or more.`);
  return value;
}

/** [target key, current text, max length, the card or null for the brief]. */
function spliceTarget(state, op, template) {
  if ((get(op, "card") ?? null) !== null) {
    const card = getCard(state, op.card);
    const name = own(op, "field") ? op.field : "text";
    if (name === "text") return [targetOf(op), card.text, template.textMax, card];
    const fields = template.fieldsFor(card.type, card.section);
    const spec = typeof name === "string" && own(fields, name) ? fields[name] : null;
    if (spec === null || spec.kind !== "text") throw refuse("bad_request", `'${pyStr(name)}' is not a text field of this card.`);
    return [targetOf(op), own(card, name) ? card[name] : "", spec.max ?? 500, card];
  }
  const name = stringId(get(op, "brief"), "brief field");
  if (!own(template.briefFields, name)) throw refuse("bad_request", `The brief has no field '${name}'.`);
  return [targetOf(op), own(state.brief, name) ? state.brief[name] : "", template.briefFields[name].max, null];
}

/** The splice as a change of the current text: rebased over what happened since `base`. */
export function rebasedSplice(state, op, template) {
  const [target, current] = spliceTarget(state, op, template);
  const base = wholeNumber(get(op, "base"), "base");
  if (base > state.seq) throw refuse("bad_request", "'base' is ahead of this board.");
  if (base < Math.max(state.textFloor, state.textFloors.get(target) ?? 0)) {
    throw refuse("conflict", "This text was edited too long ago to merge; reload the board and type the change again.");
  }
  const since = (state.textLog.get(target) || []).filter(([seq]) => seq > base).map(([, change]) => change);
  const length = since.length ? baseLength(since[0]) : [...current].length;
  const at = wholeNumber(get(op, "at"), "at");
  const del = wholeNumber(get(op, "delete"), "delete");
  const insert = get(op, "insert");
  let change;
  try {
    change = splice(length, at, del, typeof insert === "string" ? insert : "");
  } catch (error) {
    if (error instanceof TextError) throw refuse("conflict", "This edit does not fit the text it was typed into; reload the board.");
    throw error;
  }
  return rebase(change, since);
}

function textSplice(state, op, ctx) {
  asBoard(state);
  if (own(op, "insert") && typeof op.insert !== "string") throw refuse("bad_request", "'insert' must be text.");
  const [target, current, limit, card] = spliceTarget(state, op, ctx.template);
  const server = serverOf(op);
  const change = own(server, "ops") ? server.ops : rebasedSplice(state, op, ctx.template);
  let text;
  try {
    text = applyText(current, change);
  } catch (error) {
    if (error instanceof TextError) throw refuse("conflict", "This edit does not fit the current text; reload the board.");
    throw error;
  }
  if (pyLen(text) > limit) throw refuse("bad_request", `This text is limited to ${limit} characters.`);
  if (card !== null) {
    if ((own(op, "field") ? op.field : "text") === "text" && pyBlank(text)) throw refuse("bad_request", "A card needs some text.");
    allowed(state, ctx, Action.EDIT_CARD, card);
    checkUnlocked(state, card.section, ctx);
    checkNotPrivate(card, ctx);
  } else {
    allowed(state, ctx, Action.EDIT_BOARD);
  }
  logChange(state, target, change);
  if (card !== null) {
    card[own(op, "field") ? op.field : "text"] = text;
    card.updated_at = ctx.at;
    card.updated_by = ctx.by;
  } else {
    state.brief[op.brief] = text;
  }
}

// The workshop stage has its own state and socket: its ops are refused on a board.
function stageOnly() {
  throw refuse("bad_request", "This operation is for the workshop stage, not a board.");
}

// Placeholders (board/model/visibility.py) -------------------------------------------------

function placeholderCard({ id, section, author, created_at }) {
  return {
    id,
    section,
    type: "idea",
    text: PLACEHOLDER_TEXT,
    author,
    created_at,
    updated_at: created_at,
    updated_by: author,
    private: true,
    hidden: true,
  };
}

/**
 * What a replica does with a placeholder op event (`op.hidden === true`): someone else's private
 * card or blind dot, without its content. Never goes through `apply`. Edits, splices and
 * comments on someone else's private card are placeholders too, applied as no-ops (seq + 1):
 * the reveal brings the card and its comments. Throws (like Python's KeyError) when the event
 * does not fit the state: the caller starts over from the server's.
 */
export function applyPlaceholder(state, event) {
  const { op, by, at } = event;
  if (op.kind === "card.add" || op.kind === "card.restore") {
    // A restored card keeps its author and time.
    const author = get(op.card, "author") ?? by;
    const card = placeholderCard({ id: op.card.id, section: op.card.section, author, created_at: get(op.card, "created_at") ?? at });
    const ids = state.sections.get(card.section);
    if (ids === undefined) throw new Error(`no section ${card.section}`);
    state.cards.set(card.id, card);
    const after = get(op, "after") ?? null;
    const index = ids.indexOf(after);
    ids.splice(index >= 0 ? index + 1 : after === null ? 0 : ids.length, 0, card.id);
  } else if (op.kind === "vote.place") {
    const found = state.rounds.get(op.round);
    if (found === undefined) throw new Error(`no round ${op.round}`);
    found.votes.push({ by, role: null, card: null });
  } else if (op.kind === "vote.remove") {
    const found = state.rounds.get(op.round);
    if (found === undefined) throw new Error(`no round ${op.round}`);
    const index = found.votes.findIndex((v) => v.by === by && v.card === null);
    if (index >= 0) found.votes.splice(index, 1);
  }
  state.seq += 1;
  return state;
}

const HANDLERS = new Map([
  ["card.add", cardAdd],
  ["card.update", cardUpdate],
  ["card.move", cardMove],
  ["card.delete", cardDelete],
  ["card.restore", cardRestore],
  ["board.update", boardUpdate],
  ["section.lock", sectionLock],
  ["comment.add", commentAdd],
  ["comment.update", commentUpdate],
  ["comment.resolve", commentResolve],
  ["comment.delete", commentDelete],
  ["vote.open", voteOpen],
  ["vote.place", votePlace],
  ["vote.remove", voteRemove],
  ["vote.close", voteClose],
  ["vote.reveal", voteReveal],
  ["private.start", privateStart],
  ["private.reveal", privateReveal],
  ["stage.spotlight", stageOnly],
  ["timer.start", stageOnly],
  ["timer.pause", stageOnly],
  ["timer.extend", stageOnly],
  ["timer.reset", stageOnly],
  ["agenda.start", stageOnly],
  ["text.splice", textSplice],
]);
export const KINDS = [...HANDLERS.keys()];

/**
 * Apply one op: returns `state` (the same object, seq advanced) or a refusal {code, message}.
 * ctx: {at, by, actor, template}; `actor` null means an already accepted op (no role check).
 */
export function apply(state, op, ctx) {
  const handler = isObject(op) ? HANDLERS.get(get(op, "kind")) : undefined;
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
