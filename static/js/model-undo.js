// What undo needs from the reducer (docs/undo.md), a line-by-line mirror of
// board/model/expect.py (the `expect` precondition) and board/model/trash.py (deleted cards
// kept, and `card.restore` bringing one back as it was). Part of model.js's reducer: same
// refusals, same sentences, pure.
//
// state.trash: Map<cardId, {card, after, comments, by}>, oldest first (in checkpoints as a
// list of {id, …}; never on the wire).

import { Action, allowed, asBoard, checkUnlocked, refuse, stringId } from "./model.js";

export const TRASH_LIMIT = 200;

const own = (obj, key) => obj !== null && typeof obj === "object" && Object.hasOwn(obj, key);
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const get = (obj, key) => (own(obj, key) ? obj[key] : undefined);
const isScalar = (v) => v === null || ["string", "number", "boolean"].includes(typeof v);
const truthy = (v) => v !== undefined && v !== null && v !== false && v !== 0 && v !== "";

/** The op's `expect` object, checked for shape; null when it has none. */
function expected(op) {
  const expect = get(op, "expect") ?? null;
  if (expect === null) return null;
  if (!isObject(expect)) throw refuse("bad_request", "'expect' must be an object.");
  if (!Object.values(expect).every(isScalar)) {
    throw refuse("bad_request", "'expect' values must be text, numbers, true/false or null.");
  }
  return expect;
}

/** The card this one follows in its section (null: it is first). */
export function predecessor(state, card) {
  const ids = state.sections.get(card.section);
  const index = ids.indexOf(card.id);
  return index > 0 ? ids[index - 1] : null;
}

/** Refuse with `conflict` when the card no longer holds what `expect` names. */
export function checkCard(state, card, op) {
  const expect = expected(op);
  for (const name of Object.keys(expect || {}).sort()) {
    const found = name === "after" ? predecessor(state, card) : own(card, name) ? card[name] : null;
    if (found === expect[name]) continue;
    if (name === "section" || name === "after") {
      throw refuse("conflict", "This card was moved since (or the card it followed was); your undo leaves it where it is.");
    }
    throw refuse("conflict", `Someone else changed this card's ${name} since; your undo leaves it as it is.`);
  }
}

/** section.lock's `expect`: {by: who signed the section off, null for nobody}. */
export function checkLock(state, section, op) {
  const expect = expected(op);
  if (expect === null) return;
  if (Object.keys(expect).some((k) => k !== "by")) throw refuse("bad_request", "A sign-off's 'expect' names only 'by'.");
  const found = state.locks.get(section);
  if (own(expect, "by") && (found ? found.by : null) !== expect.by) {
    throw refuse("conflict", "Someone else changed this section's sign-off since; your undo leaves it as it is.");
  }
}

/** Note a card about to be deleted, with its place and its comments. */
export function keepDeleted(state, card, ctx) {
  const comments = Object.fromEntries([...state.comments].filter(([, c]) => c.card === card.id).map(([k, c]) => [k, { ...c }]));
  state.trash.set(card.id, { card: { ...card }, after: predecessor(state, card), comments, by: ctx.by });
  while (state.trash.size > TRASH_LIMIT) state.trash.delete(state.trash.keys().next().value);
}

/** What card.restore brings back: the op's `server` part (the room's), else the trash. */
export function deletedCard(state, op) {
  const server = get(op, "server");
  if (isObject(server) && isObject(get(server, "card"))) return server;
  const cardId = get(op, "card");
  return typeof cardId === "string" ? (state.trash.get(cardId) ?? null) : null;
}

export function cardRestore(state, op, ctx) {
  asBoard(state);
  const cardId = stringId(get(op, "card"), "card id");
  if (state.cards.has(cardId)) throw refuse("conflict", "This card is on the board already.");
  const entry = deletedCard(state, op);
  if (entry === null) throw refuse("not_found", "This card was deleted too long ago to bring back here; restore it from History.");
  const card = { ...entry.card };
  allowed(state, ctx, Action.ADD_CARD);
  if (ctx.actor && get(entry, "by") !== ctx.actor.id) throw refuse("forbidden", "Only the person who deleted this card can bring it back.");
  checkUnlocked(state, card.section, ctx);
  // Private again only while private writing still goes on (a reveal since showed it).
  const wasPrivate = get(card, "private");
  delete card.private;
  if (truthy(wasPrivate) && state.private !== null) card.private = true;
  state.cards.set(cardId, card);
  const ids = state.sections.get(card.section);
  const after = get(entry, "after") ?? null;
  const index = ids.indexOf(after);
  ids.splice(after !== null && index >= 0 ? index + 1 : after === null ? 0 : ids.length, 0, cardId);
  for (const [commentId, comment] of Object.entries(get(entry, "comments") || {})) state.comments.set(commentId, { ...comment });
  state.trash.delete(cardId);
}

/** The trash of a checkpoint (a list of {id, …}), or an empty one for a wire state. */
export function trashOf(wire) {
  const trash = new Map();
  for (const { id, ...entry } of own(wire, "trash") ? wire.trash : []) trash.set(id, structuredClone(entry));
  return trash;
}

export const trashToCheckpoint = (state) => [...state.trash].map(([id, entry]) => ({ id, ...structuredClone(entry) }));
