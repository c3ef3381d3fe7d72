// The undo of one's own edit as new ops (docs/undo.md), pure: what to remember of the board
// around an edit (`capture`), and the op that undoes it now (`inverse`), restoring only what
// is still the person's own (Figma's rule), with an `expect` the server checks atomically.

const SERVER_FIELDS = new Set(["author", "created_at", "updated_at", "updated_by", "private", "hidden"]);
export const UNDOABLE = new Set(["card.add", "card.update", "card.move", "card.delete", "card.restore", "section.lock"]);

const cardIdOf = (op) => (op.kind === "card.add" ? op.card?.id : op.card);
const value = (card, name) => (card && Object.hasOwn(card, name) ? card[name] : null);

/** What a card says: its fields without who wrote it or when (nor its id and section). */
function contentKeys(...cards) {
  const keys = new Set();
  for (const card of cards) for (const k of Object.keys(card || {})) if (k !== "id" && k !== "section" && !SERVER_FIELDS.has(k)) keys.add(k);
  return [...keys].sort();
}

function predecessor(state, card) {
  const ids = state.sections.get(card.section) || [];
  const index = ids.indexOf(card.id);
  return index > 0 ? ids[index - 1] : null;
}

/** What undo needs of `state` around `op` (read just before it, and just after). */
export function capture(state, op) {
  if (op.kind === "section.lock") return { by: state.locks.get(op.section)?.by ?? null };
  const card = state.cards.get(cardIdOf(op));
  if (!card) return { card: null };
  const out = { card: { ...card }, after: predecessor(state, card) };
  if (op.kind === "card.delete") {
    out.comments = Object.fromEntries([...state.comments].filter(([, c]) => c.card === card.id).map(([k, c]) => [k, { ...c }]));
  }
  return out;
}

const quote = (text) => `“${text.length > 40 ? `${text.slice(0, 40)}…` : text}”`;

/** A few words naming an entry, for the buttons: "adding the card “Pilot”". */
export function describe(entry, template) {
  if (entry.kind === "restore") return `the restore of ${entry.label || "a snapshot"}`;
  if (entry.kind === "typing") return `typing in ${quote(entry.from)}`;
  const { op, pre, post } = entry;
  const card = post?.card || pre?.card;
  const text = card && !card.hidden ? quote(card.text) : "a card";
  switch (op.kind) {
    case "card.add":
      return `adding ${text}`;
    case "card.update":
      return `the edit of ${text}`;
    case "card.move":
      return `moving ${text}`;
    case "card.delete":
      return `deleting ${text}`;
    case "card.restore":
      return `bringing back ${text}`;
    case "section.lock": {
      const title = template.sections.get(op.section)?.title || "a section";
      return `${op.locked ? "signing off" : "reopening"} ${title}`;
    }
  }
  return "the last edit";
}

const GONE = "That card is no longer on the board, so there is nothing to undo.";

/**
 * The op undoing `entry` on `view` (the board as this person sees it): {op, preview?, note?},
 * or {refused: sentence} when nothing of it is still this person's own. `preview`: the op as
 * the server will store it, for the view until it is acknowledged (a deleted card's content).
 */
export function inverse(entry, view, template, actor) {
  if (entry.kind === "typing") {
    const card = view.cards.get(entry.card);
    if (!card) return { refused: GONE };
    if (value(card, entry.field) !== entry.from) {
      return { refused: "Someone else has typed in this text since, so undo leaves it as it is." };
    }
    return { op: { kind: "card.update", card: entry.card, set: { [entry.field]: entry.to }, expect: { [entry.field]: entry.from } } };
  }
  const { op, pre, post } = entry;
  if (op.kind === "section.lock") {
    if ((view.locks.get(op.section)?.by ?? null) !== post.by) {
      return { refused: "Someone else changed this section's sign-off since, so undo leaves it as it is." };
    }
    return { op: { kind: "section.lock", section: op.section, locked: pre.by !== null, expect: { by: post.by } } };
  }
  const id = cardIdOf(op);
  const current = view.cards.get(id);
  if (op.kind === "card.delete") {
    if (current) return { refused: "This card is back on the board already." };
    const restore = { kind: "card.restore", card: id };
    const server = { card: pre.card, after: pre.after, comments: pre.comments || {}, by: actor.id };
    return { op: restore, preview: { ...restore, server } };
  }
  if (!current || current.hidden) return { refused: GONE };
  if (op.kind === "card.add" || op.kind === "card.restore") {
    const keys = contentKeys(post.card, current);
    if (keys.some((k) => value(current, k) !== value(post.card, k))) {
      const what = op.kind === "card.add" ? "added" : "brought";
      return { refused: `Someone else changed this card since you ${what} it, so undo leaves it on the board.` };
    }
    return { op: { kind: "card.delete", card: id, expect: Object.fromEntries(keys.map((k) => [k, value(post.card, k)])) } };
  }
  if (op.kind === "card.move") {
    if (current.section !== post.card.section || predecessor(view, current) !== post.after) {
      return { refused: "This card was moved since (or the card it followed was), so undo leaves it where it is." };
    }
    const back = { kind: "card.move", card: id, section: pre.card.section, after: pre.after };
    return { op: { ...back, expect: { section: post.card.section, after: post.after } } };
  }
  // card.update: the fields this edit changed that still hold what it left.
  const changed = contentKeys(pre.card, post.card).filter((k) => value(pre.card, k) !== value(post.card, k));
  const mine = changed.filter((k) => value(current, k) === value(post.card, k));
  const type = mine.includes("type") ? pre.card.type : current.type;
  const allowed = template.fieldsFor(type, current.section);
  const set = {};
  for (const k of mine) if (k === "text" || k === "type" || Object.hasOwn(allowed, k)) set[k] = value(pre.card, k);
  const names = Object.keys(set);
  if (names.length === 0) return { refused: "Someone else changed this card since, so undo leaves it as they left it." };
  const expect = Object.fromEntries(names.map((k) => [k, value(post.card, k)]));
  const left = changed.filter((k) => !names.includes(k));
  const note = left.length ? `Undone, except ${left.join(", ")}: someone else changed ${left.length === 1 ? "it" : "them"} since.` : null;
  return { op: { kind: "card.update", card: id, set, expect }, note };
}
