// Typing into a board's text fields, merged character by character with everyone else's
// (docs/text-merge.md): the OT client of the board's sync (sync.js), which keeps the pending
// edits; this module keeps what is special about typing in them.
//
// A text field open for typing (`open`) sends `text.splice` ops. Its pending changes are text
// entries, kept in `sync.pending` like other edits: each holds `change` (text.js components)
// written against `against`, the text it applies to (the confirmed text, then each earlier entry
// of the same field applied). Per field, the first entry is the one sent ("fixed": its op, with
// `base`, never changes again, so a resend is byte for byte the same); later typing is composed
// into one buffered entry, sent with a fresh base once the first is acknowledged (the classic OT
// client: synchronized, awaiting confirm, awaiting with buffer). Every change others make to
// that field is transformed into the entries (the in-flight one exactly as the server rebases
// it), so confirmed + pending is always the text the person sees. When that chain cannot be
// followed exactly (a reload, a resync from the whole state, a refusal), the entries are carried
// over the difference of the texts instead: still no keystroke is lost. After a resync from the
// whole state (a reload), a splice sent before may or may not be in that state: it is
// "uncertain", and its field's typing is not shown (nor typed into) until the server answers
// its resend, which says which (one round trip).

import { apply, clone, isRefusal } from "./model.js";
import { applyText, baseLength, compose, diff, diffKeeping, insertedPositions, splitFirst, transform } from "./text.js";
import { randomId } from "./dom.js";

// Typing goes out after a pause this long (one splice per pause), or at least this often.
const TYPING_PAUSE = 200;
const TYPING_MAX_WAIT = 1000;
export const BLANK_CARD = "A card needs some text.";
const WAIT_FOR_ANSWER = "Your earlier typing here is still being saved; type again in a moment.";

const cpLen = (s) => [...s].length;

/** The text log's name of a text field (model.js targetOf): {card, field} or {brief}. */
export function textKey(target) {
  return target.card != null ? `card:${target.card}:${target.field ?? "text"}` : `brief:${target.brief}`;
}

/** A text field's value in a state, or null when its card is not there (or only a placeholder). */
export function textOf(state, target) {
  if (target.card != null) {
    const card = state.cards.get(target.card);
    if (card === undefined || card.hidden) return null;
    const value = Object.hasOwn(card, target.field ?? "text") ? card[target.field ?? "text"] : "";
    return typeof value === "string" ? value : null;
  }
  const value = Object.hasOwn(state.brief, target.brief) ? state.brief[target.brief] : "";
  return typeof value === "string" ? value : null;
}

function setText(state, target, text) {
  if (target.card != null) state.cards.get(target.card)[target.field ?? "text"] = text;
  else state.brief[target.brief] = text;
}

/** The op naming a text field: {kind, card, field} (field only when not the card's text) or {kind, brief}. */
function spliceOp(target, extra = {}) {
  const op = { kind: "text.splice" };
  if (target.card != null) {
    op.card = target.card;
    if ((target.field ?? "text") !== "text") op.field = target.field;
  } else {
    op.brief = target.brief;
  }
  return Object.assign(op, extra);
}

export class Typing {
  /** sync: the board's BoardSync (its pending, confirmed and view, pump, derive, save). */
  constructor(sync) {
    this.sync = sync;
    this.fields = new Set(); // text fields open for typing
    this.timer = null;
  }

  /** See BoardSync.openText. */
  open(target, onRemote) {
    const view = this.sync.view;
    const text = view ? textOf(view, target) : null;
    if (text === null) return null;
    const field = { key: textKey(target), target: { ...target }, text, delta: null, onRemote };
    field.edit = (newText, cursor = null) => this.#typed(field, newText, cursor);
    field.close = () => this.#close(field);
    this.fields.add(field);
    return field;
  }

  #typed(field, newText, cursor) {
    const s = this.sync;
    if (!s.view) return "The board is still loading; try again in a moment.";
    if (newText === field.text) return null;
    const current = textOf(s.view, field.target);
    if (current === null) return "This card was deleted meanwhile.";
    if (current !== field.text) return "The text changed meanwhile; type again.";
    if (s.pending.find((p) => p.text?.key === field.key)?.text.uncertain) return WAIT_FOR_ANSWER;
    const change = diff(current, newText, cursor);
    // The server's checks (role, lock, private card, length) on what the person sees. Text a
    // person is retyping may be blank for a moment: it waits (see #fix) instead.
    const part = splitFirst(change);
    const probe = spliceOp(field.target, { base: s.view.seq, at: part.at, delete: part.delete, insert: part.insert });
    const trial = apply(clone(s.view), probe, s.ctx());
    if (isRefusal(trial) && trial.message !== BLANK_CARD) return trial.message;
    const now = performance.now();
    const last = s.pending.findLast((p) => p.text?.key === field.key);
    if (last && !last.text.fixed) {
      last.text.change = compose(last.text.change, change);
      last.text.typedAt = now;
      last.text.ended = false;
    } else {
      s.pending.push({
        id: randomId("op-"),
        op: spliceOp(field.target),
        t: Date.now(),
        sent: false,
        retry: false,
        text: { key: field.key, target: { ...field.target }, against: current, change, fixed: false, typedAt: now, startedAt: now, ended: false },
      });
    }
    field.text = newText;
    s.savePending();
    s.derive();
    this.#soon(TYPING_PAUSE);
    return null;
  }

  #close(field) {
    this.fields.delete(field);
    for (const p of this.sync.pending) if (p.text?.key === field.key && !p.text.fixed) p.text.ended = true;
    this.sync.pump();
  }

  #soon(delay) {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.sync.pump();
    }, delay);
  }

  // Events --------------------------------------------------------------------------------

  /** A welcome with the whole state: was a splice we sent applied before it? Its resend will
   * tell; until then its field's typing waits. */
  markUncertain(confirmed) {
    const seen = new Set();
    for (const p of this.sync.pending) {
      if (!p.text || seen.has(p.text.key)) continue;
      seen.add(p.text.key);
      p.text.uncertain = p.text.fixed && textOf(confirmed, p.text.target) !== p.text.against;
    }
  }

  /** The fields typed into (or shown for typing), as they are before an event is applied. */
  before(confirmed) {
    const before = new Map();
    for (const p of this.sync.pending) if (p.text && !before.has(p.text.key)) before.set(p.text.key, textOf(confirmed, p.text.target));
    for (const f of this.fields) if (!before.has(f.key)) before.set(f.key, textOf(confirmed, f.target));
    return before;
  }

  /** After an event was applied to `confirmed`: carry the typing over the changes it made. */
  after(confirmed, before, acked) {
    for (const [key, text] of before) {
      const log = confirmed.textLog.get(key);
      const last = log?.[log.length - 1];
      if (!last || last[0] !== confirmed.seq) continue;
      // Our own splice: what follows it was typed against its result.
      if (acked?.text?.key === key) this.settle(acked, textOf(confirmed, acked.text.target));
      else this.#transformPending(key, last[1], text);
    }
    if (acked?.text && !before.has(acked.text.key)) this.settle(acked, textOf(confirmed, acked.text.target));
  }

  /** Our splice is in `confirmed` now, giving its field `text`: the typing that followed it
   * was written against its result as foreseen. Should the server have merged it otherwise
   * (after a reload, foreseen only roughly), that typing is carried over to the text as it
   * is, keeping to the characters the splice typed, wherever they are now. */
  settle(acked, text) {
    const next = this.sync.pending.find((p) => p.text?.key === acked.text.key);
    if (!next || text === null) return;
    const chained = next.text.against === applyText(acked.text.against, acked.text.change);
    this.#realign(next, text, chained ? insertedPositions(acked.text.change) : null);
  }

  /** Someone else's change of a field, written against `text`: the field's entries are
   * transformed over it, in order, as the server rebases a splice (the earlier change's
   * insert goes first); what comes out at the end is the change of the text as shown. */
  #transformPending(key, change, text) {
    let c = change;
    let expected = text; // what the next entry must be written against
    for (const p of this.sync.pending) {
      if (p.text?.key !== key) continue;
      if (p.text.uncertain) break; // none of this field's typing is shown until it is answered
      if (expected === null) {
        c = null;
        break;
      }
      // Not written against that text (typed before a reload, or after a merge not foreseen):
      // first carried over to it.
      if (p.text.against !== expected) this.#realign(p, expected);
      const after = applyText(expected, p.text.change);
      const [theirs, mine] = transform(c, p.text.change);
      p.text.against = applyText(expected, c);
      p.text.change = mine;
      expected = after;
      c = theirs;
      this.sync.textDirty = true;
    }
    for (const f of this.fields) {
      if (f.key !== key) continue;
      f.delta = c === null || f.delta === false ? false : f.delta === null ? c : composeOrNull(f.delta, c);
    }
  }

  /** Make an entry apply to `text`, carrying its change over what differs (a resync, a reload,
   * an edit refused or merged otherwise than foreseen). `favored`: positions of its text that
   * hold the person's own typing, to keep first. */
  #realign(entry, text, favored = null) {
    if (entry.text.against === text) return;
    entry.text.change = transform(diffKeeping(entry.text.against, text, favored), entry.text.change)[1];
    entry.text.against = text;
    this.sync.textDirty = true;
    for (const f of this.fields) if (f.key === entry.text.key) f.delta = false; // shown by diff
  }

  // Sending -------------------------------------------------------------------------------

  /** Whether a text entry may go now: the first of its field, its card on the server, the
   * person paused typing. An entry that may is fixed into its op first (#fix). */
  sendable(entry, now) {
    const s = this.sync;
    const t = entry.text;
    if (s.pending.find((p) => p.text?.key === t.key) !== entry) return false; // one in flight per field
    if (t.fixed) return true;
    const current = textOf(s.confirmed, t.target);
    if (current === null) {
      // Its card is not on the server yet (its card.add is pending: wait), or no more.
      const adding = s.pending.some((p) => p.op.kind === "card.add" && p.op.card?.id === t.target.card);
      if (!adding) this.#drop(entry);
      return false;
    }
    if (!t.ended) {
      const due = Math.min(t.typedAt + TYPING_PAUSE, t.startedAt + TYPING_MAX_WAIT);
      if (now < due) {
        this.#soon(due - now + 5);
        return false;
      }
    }
    return this.#fix(entry, current);
  }

  /** Turn a buffered change into the splice op sent (its first splice; the rest stays
   * buffered), with `base` the confirmed seq it is written against. */
  #fix(entry, current) {
    const s = this.sync;
    const t = entry.text;
    this.#realign(entry, current);
    const part = splitFirst(t.change);
    if (part === null) {
      this.#drop(entry); // typed and undone: nothing to send
      return false;
    }
    const op = spliceOp(t.target, { base: s.confirmed.seq, at: part.at, delete: part.delete, insert: part.insert });
    const trial = apply(clone(s.confirmed), op, s.ctx());
    if (isRefusal(trial)) {
      if (trial.message === BLANK_CARD && !t.ended) return false; // being retyped: wait
      this.#drop(entry);
      s.onError(trial.message);
      return false;
    }
    entry.op = op;
    t.fixed = true;
    t.change = part.change;
    if (part.rest !== null) {
      const index = s.pending.indexOf(entry);
      s.pending.splice(index + 1, 0, {
        id: randomId("op-"),
        op: spliceOp(t.target),
        t: entry.t,
        sent: false,
        retry: false,
        text: { ...t, against: applyText(current, part.change), change: part.rest, fixed: false, typedAt: 0, startedAt: 0 },
      });
    }
    s.textDirty = true;
    return true;
  }

  #drop(entry) {
    const index = this.sync.pending.indexOf(entry);
    if (index >= 0) this.sync.pending.splice(index, 1);
    this.sync.textDirty = true;
  }

  // The view ------------------------------------------------------------------------------

  /** Apply a text entry to the view being derived; `previous`: field -> its last entry met. */
  applyEntry(view, entry, previous) {
    const t = entry.text;
    const before = previous.get(t.key) ?? null;
    previous.set(t.key, entry);
    if (t.uncertain || before?.text.uncertain) {
      previous.set(t.key, before ?? entry); // the field's typing waits for the answer
      return;
    }
    const current = textOf(view, t.target);
    if (current === null) return;
    if (t.against !== current) {
      // Typing after a splice of ours keeps to the characters that splice typed.
      const chained = before !== null && t.against === applyText(before.text.against, before.text.change);
      this.#realign(entry, current, chained ? insertedPositions(before.text.change) : null);
    }
    setText(view, t.target, applyText(current, t.change));
  }

  /** Tell each open text field how its text changed, if it did. */
  show(view) {
    for (const f of this.fields) {
      const text = textOf(view, f.target);
      const delta = f.delta;
      f.delta = null;
      if (text === f.text) continue;
      let change = null;
      if (text !== null && f.text !== null) {
        const fits = delta && baseLength(delta) === cpLen(f.text) && applyText(f.text, delta) === text;
        change = fits ? delta : diffKeeping(f.text, text);
      }
      f.text = text;
      f.onRemote(text, change);
    }
  }
}

function composeOrNull(a, b) {
  try {
    return compose(a, b);
  } catch {
    return false;
  }
}
