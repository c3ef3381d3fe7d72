// The connection to one board: hello/welcome, the confirmed state, pending edits, resume.
//
// `confirmed` is the server's state, advanced only by `op` events in seq order. `pending` is
// what this tab sent (or will send) and has not seen acknowledged; the view is confirmed with
// pending applied on top, so a refused or out-of-date edit simply vanishes from the view.
// Pending edits live in localStorage, so a reload or a dropped connection loses none of them;
// they are resent with the same ids, and the server applies an id at most once.
//
// Some events are placeholders (`op.hidden`): someone else's private card or blind dot, without
// its content. They advance `confirmed` through applyPlaceholder, never through the reducer.
//
// Typing (docs/text-merge.md): a text field open for typing (`openText`) sends `text.splice`
// ops, merged character by character with everyone else's typing. Its pending changes are
// text entries, kept in `pending` like other edits: each holds `change` (text.js components)
// written against `against`, the text it applies to (the confirmed text, then each earlier
// entry of the same field applied). Per field, the first entry is the one sent ("fixed": its
// op, with `base`, never changes again, so a resend is byte for byte the same); later typing
// is composed into one buffered entry, sent with a fresh base once the first is acknowledged
// (the classic OT client: synchronized, awaiting confirm, awaiting with buffer). Every change
// others make to that field is transformed into the entries (the in-flight one exactly as the
// server rebases it), so confirmed + pending is always the text the person sees. When that
// chain cannot be followed exactly (a reload, a resync from the whole state, a refusal), the
// entries are carried over the difference of the texts instead: still no keystroke is lost.
// After a resync from the whole state (a reload), a splice sent before may or may not be in
// that state: it is "uncertain", and its field's typing is not shown (nor typed into) until the
// server answers its resend, which says which (one round trip).

import { apply, applyPlaceholder, clone, fromWire, isRefusal } from "./model.js";
import { applyText, baseLength, compose, diff, diffKeeping, insertedPositions, splitFirst, transform } from "./text.js";
import { randomId } from "./dom.js";

const RETRYABLE = new Set(["unavailable", "rate_limited"]);
const BACKOFF_MIN = 500;
const BACKOFF_MAX = 10000;
const OFFLINE_AFTER = 3; // failed attempts before "Reconnecting…" becomes "Offline"
// The server allows 30 ops/s per connection with a burst of 60; stay well under it when a
// long list of offline edits is resent, so none is refused for speed.
const SEND_RATE = 20;
const SEND_BURST = 30;
const STORE_PREFIX = "brickboard:pending:";
// Typing goes out after a pause this long (one splice per pause), or at least this often.
const TYPING_PAUSE = 200;
const TYPING_MAX_WAIT = 1000;
const BLANK_CARD = "A card needs some text.";
// Close codes after which retrying cannot help: signed out, not allowed, no such board.
const FINAL_CLOSE = new Set([4401, 4403, 4404]);

const cpLen = (s) => [...s].length;

/** The text log's name of a text field (model.js targetOf): {card, field} or {brief}. */
export function textKey(target) {
  return target.card != null ? `card:${target.card}:${target.field ?? "text"}` : `brief:${target.brief}`;
}

/** A text field's value in a state, or null when its card is not there (or only a placeholder). */
function textOf(state, target) {
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

/** A per-tab client id: kept in sessionStorage so a reload of the tab keeps it. */
function tabClientId() {
  let id = sessionStorage.getItem("brickboard:client");
  if (!id) {
    id = randomId("tab-");
    sessionStorage.setItem("brickboard:client", id);
  }
  return id;
}

export class BoardSync {
  /**
   * boardId, template (makeTemplate), actor {id, role, workshop, name};
   * onChange(view) after every change of the view, onStatus() when the connection or the
   * pending count changes, onPresence(online), onError(message).
   */
  constructor({ boardId, template, actor, onChange, onStatus, onPresence, onError }) {
    Object.assign(this, { boardId, template, actor, onChange, onStatus, onPresence, onError });
    this.client = tabClientId();
    // Per board and person (a shared laptop must never send one person's edits as another's),
    // and per tab, so two tabs do not overwrite each other's list.
    this.storePrefix = `${STORE_PREFIX}${boardId}:${actor.id}:`;
    this.storeKey = this.storePrefix + this.client;
    this.confirmed = null;
    this.view = null;
    this.pending = this.#loadPending(); // [{id, op, t, sent, retry}]
    this.ws = null;
    this.welcomed = false;
    this.status = "connecting"; // connecting | connected | reconnecting | offline | closed
    this.attempts = 0;
    this.reconnectTimer = null;
    this.retryTimer = null;
    this.tokens = SEND_BURST;
    this.tokensAt = performance.now();
    this.pumpTimer = null;
    this.focus = null;
    this.closedFor = null;
    this.serverOffset = 0; // server time − local time, from the welcome's `now`
    this.fields = new Set(); // text fields open for typing (openText)
    this.typingTimer = null;
    addEventListener("online", () => this.#reconnectNow());
  }

  start() {
    this.#connect();
  }

  // Local edits -------------------------------------------------------------------------

  /** Check an op against the current view as the server would; queue and send it if it
   * applies. Returns null, or the sentence saying why it was refused. */
  submit(op) {
    if (!this.view) return "The board is still loading; try again in a moment.";
    const trial = apply(clone(this.view), op, this.#ctx());
    if (isRefusal(trial)) return trial.message;
    this.pending.push({ id: randomId("op-"), op, t: Date.now(), sent: false, retry: false });
    this.#savePending();
    this.#derive();
    this.#pump();
    return null;
  }

  /** Would the server accept this op now? null, or the sentence saying why not. Sends nothing. */
  check(op) {
    if (!this.view) return "The board is still loading; try again in a moment.";
    const trial = apply(clone(this.view), op, this.#ctx());
    return isRefusal(trial) ? trial.message : null;
  }

  // Typing -------------------------------------------------------------------------------

  /**
   * Open a text field for typing: target {card, field} (field defaults to "text") or {brief}.
   * Returns null when the view has no such text, else a handle:
   *   handle.text: the text as shown (confirmed + pending);
   *   handle.edit(newText, cursor): the person changed the text (cursor: code points into
   *     newText where the edit ended); null, or why it was refused (then show handle.text);
   *   handle.onRemote = (text, change) => …: the text changed under the person (others typed,
   *     an edit was refused); `change` carries a cursor over it (text.js transformIndex), text
   *     is null when the card is gone;
   *   handle.close(): typing is over: what is buffered goes out now.
   */
  openText(target, onRemote = () => {}) {
    const text = this.view ? textOf(this.view, target) : null;
    if (text === null) return null;
    const field = { key: textKey(target), target: { ...target }, text, delta: null, onRemote };
    field.edit = (newText, cursor = null) => this.#typed(field, newText, cursor);
    field.close = () => this.#closeText(field);
    this.fields.add(field);
    return field;
  }

  #typed(field, newText, cursor) {
    if (!this.view) return "The board is still loading; try again in a moment.";
    if (newText === field.text) return null;
    const current = textOf(this.view, field.target);
    if (current === null) return "This card was deleted meanwhile.";
    if (current !== field.text) return "The text changed meanwhile; type again.";
    if (this.pending.find((p) => p.text?.key === field.key)?.text.uncertain) {
      return "Your earlier typing here is still being saved; type again in a moment.";
    }
    const change = diff(current, newText, cursor);
    // The server's checks (role, lock, private card, length) on what the person sees. Text a
    // person is retyping may be blank for a moment: it waits (see #fix) instead.
    const part = splitFirst(change);
    const probe = spliceOp(field.target, { base: this.view.seq, at: part.at, delete: part.delete, insert: part.insert });
    const trial = apply(clone(this.view), probe, this.#ctx());
    if (isRefusal(trial) && trial.message !== BLANK_CARD) return trial.message;
    const now = performance.now();
    const last = this.pending.findLast((p) => p.text?.key === field.key);
    if (last && !last.text.fixed) {
      last.text.change = compose(last.text.change, change);
      last.text.typedAt = now;
      last.text.ended = false;
    } else {
      this.pending.push({
        id: randomId("op-"),
        op: spliceOp(field.target),
        t: Date.now(),
        sent: false,
        retry: false,
        text: { key: field.key, target: { ...field.target }, against: current, change, fixed: false, typedAt: now, startedAt: now, ended: false },
      });
    }
    field.text = newText;
    this.#savePending();
    this.#derive();
    this.#typingSoon(TYPING_PAUSE);
    return null;
  }

  #closeText(field) {
    this.fields.delete(field);
    for (const p of this.pending) if (p.text?.key === field.key && !p.text.fixed) p.text.ended = true;
    this.#pump();
  }

  #typingSoon(delay) {
    if (this.typingTimer) return;
    this.typingTimer = setTimeout(() => {
      this.typingTimer = null;
      this.#pump();
    }, delay);
  }

  setFocus(focus) {
    this.focus = focus;
    if (this.welcomed) this.#send({ type: "presence", focus });
  }

  pendingCount() {
    return this.pending.length;
  }

  // The socket ---------------------------------------------------------------------------

  #connect() {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}/ws/boards/${encodeURIComponent(this.boardId)}`);
    this.ws = ws;
    this.welcomed = false;
    ws.addEventListener("open", () => {
      const since = this.confirmed ? this.confirmed.seq : null;
      ws.send(JSON.stringify({ type: "hello", client: this.client, since }));
    });
    ws.addEventListener("message", (e) => {
      if (this.ws === ws) this.#receive(e.data);
    });
    ws.addEventListener("close", (e) => {
      if (this.ws === ws) this.#dropped(e.code, e.reason);
    });
  }

  #dropped(code, reason) {
    this.ws = null;
    this.welcomed = false;
    for (const p of this.pending) p.sent = false;
    this.onPresence([]); // who is here is unknown until the next welcome
    if (FINAL_CLOSE.has(code)) {
      this.closedFor = reason || "The server closed the connection.";
      this.#setStatus("closed");
      return;
    }
    this.attempts += 1;
    this.#setStatus(this.attempts > OFFLINE_AFTER || !navigator.onLine ? "offline" : "reconnecting");
    // Exponential back-off, each wait drawn from its upper half, so a restarted server is not
    // hit by every laptop in the room at the same instant.
    const ceiling = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** (this.attempts - 1));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.reconnectTimer = setTimeout(() => this.#connect(), delay);
  }

  #reconnectNow() {
    if (this.ws === null && this.status !== "closed") this.#connect();
  }

  /** Drop this socket and resume at once (a seq gap, or a state we could not follow). */
  #resync(fromScratch) {
    if (fromScratch) this.confirmed = null;
    const ws = this.ws;
    this.ws = null;
    this.welcomed = false;
    for (const p of this.pending) p.sent = false;
    if (ws) ws.close(1000, "resync");
    this.#connect();
  }

  #send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  #receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    switch (frame.type) {
      case "welcome":
        return this.#welcome(frame);
      case "op":
        return this.#events([frame]);
      case "ops":
        return this.#events(frame.ops);
      case "error":
        return this.#error(frame);
      case "presence":
        return this.onPresence(frame.online);
    }
  }

  #welcome(frame) {
    this.me = frame.me; // op ids are unique per author: an event acknowledges ours only if it is ours
    const now = Date.parse(frame.now);
    if (!Number.isNaN(now)) this.serverOffset = now - Date.now();
    if (frame.state) {
      this.confirmed = fromWire(frame.state);
      // Was a splice we sent applied before this state? Its resend will tell.
      const seen = new Set();
      for (const p of this.pending) {
        if (!p.text || seen.has(p.text.key)) continue;
        seen.add(p.text.key);
        p.text.uncertain = p.text.fixed && textOf(this.confirmed, p.text.target) !== p.text.against;
      }
    } else if (!this.#applyEvents(frame.ops || [])) {
      return;
    }
    if (this.confirmed.seq !== frame.seq) {
      // The resume did not bring us to the server's head: start again from the whole state.
      this.#resync(true);
      return;
    }
    this.welcomed = true;
    this.attempts = 0;
    this.#setStatus("connected");
    this.#derive();
    if (this.focus) this.#send({ type: "presence", focus: this.focus });
    this.#pump();
  }

  #events(events) {
    if (!this.confirmed || !this.welcomed) return;
    if (this.#applyEvents(events)) {
      this.#derive();
      this.#pump();
    }
  }

  /** Apply events to `confirmed` in seq order; false when a resync had to start. */
  #applyEvents(events) {
    for (const event of events) {
      if (event.seq <= this.confirmed.seq) {
        // A resend answered with its original event: already in `confirmed`.
        const acked = this.#acknowledge(event);
        if (acked?.text) this.#settle(acked, textOf(this.confirmed, acked.text.target));
        continue;
      }
      if (event.seq !== this.confirmed.seq + 1) {
        this.#resync(false); // a gap: resume from what we have
        return false;
      }
      const acked = this.#acknowledge(event);
      if (event.op && event.op.hidden === true) {
        try {
          applyPlaceholder(this.confirmed, event);
        } catch (error) {
          console.error("brickboard: placeholder does not apply locally", event.seq, error);
          this.#resync(true);
          return false;
        }
        continue;
      }
      // The fields typed into (or shown for typing), as they were before this event.
      const before = new Map();
      for (const p of this.pending) if (p.text && !before.has(p.text.key)) before.set(p.text.key, textOf(this.confirmed, p.text.target));
      for (const f of this.fields) if (!before.has(f.key)) before.set(f.key, textOf(this.confirmed, f.target));
      const result = apply(this.confirmed, event.op, { at: event.at, by: event.by, actor: null, template: this.template });
      if (isRefusal(result)) {
        // The server applied something our mirror refuses: never guess, take its whole state.
        console.error("brickboard: event does not apply locally", event.seq, result.message);
        this.#resync(true);
        return false;
      }
      for (const [key, text] of before) {
        const log = this.confirmed.textLog.get(key);
        const last = log?.[log.length - 1];
        if (!last || last[0] !== this.confirmed.seq) continue;
        // Our own splice: what follows it was typed against its result.
        if (acked?.text?.key === key) this.#settle(acked, textOf(this.confirmed, acked.text.target));
        else this.#transformPending(key, last[1], text);
      }
      if (acked?.text && !before.has(acked.text.key)) this.#settle(acked, textOf(this.confirmed, acked.text.target));
    }
    if (this.textDirty) this.#savePending();
    return true;
  }

  /** The pending entry this event acknowledges (removed from the list), or null. */
  #acknowledge(event) {
    if (!this.me || event.by !== this.me.id) return null; // another person's op, whatever its id
    const index = this.pending.findIndex((p) => p.id === event.id);
    if (index < 0) return null;
    const [entry] = this.pending.splice(index, 1);
    this.#savePending();
    return entry;
  }

  /** Our splice is in `confirmed` now, giving its field `text`: the typing that followed it
   * was written against its result as foreseen. Should the server have merged it otherwise
   * (after a reload, foreseen only roughly), that typing is carried over to the text as it
   * is, keeping to the characters the splice typed, wherever they are now. */
  #settle(acked, text) {
    const next = this.pending.find((p) => p.text?.key === acked.text.key);
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
    for (const p of this.pending) {
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
      this.textDirty = true;
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
    this.textDirty = true;
    for (const f of this.fields) if (f.key === entry.text.key) f.delta = false; // shown by diff
  }

  #error(frame) {
    const index = frame.id ? this.pending.findIndex((p) => p.id === frame.id) : -1;
    if (index < 0) {
      if (frame.message) this.onError(frame.message);
      return;
    }
    const entry = this.pending[index];
    // An edit refused only because an earlier edit of ours failed for a retryable reason
    // (say an update of a card whose add was not stored) gets one more try after it.
    const afterRetry = this.pending.slice(0, index).some((p) => p.retry);
    if (RETRYABLE.has(frame.code) || (afterRetry && !entry.retry)) {
      entry.sent = false;
      entry.retry = true;
      this.#scheduleRetry();
      return;
    }
    this.pending.splice(index, 1);
    this.#savePending();
    this.#derive();
    this.onError(frame.message || "The server refused an edit.");
  }

  #scheduleRetry() {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.#pump();
    }, 1000 + Math.random() * 1000);
  }

  /** Send unsent pending ops in order, paced by a small token bucket. */
  #pump() {
    if (!this.welcomed || this.pumpTimer) return;
    const now = performance.now();
    this.tokens = Math.min(SEND_BURST, this.tokens + ((now - this.tokensAt) / 1000) * SEND_RATE);
    this.tokensAt = now;
    const before = this.pending.length;
    for (const entry of [...this.pending]) {
      if (entry.sent) continue;
      if (entry.text && !this.#sendable(entry, now)) continue;
      if (this.tokens < 1) {
        this.pumpTimer = setTimeout(() => {
          this.pumpTimer = null;
          this.#pump();
        }, 1000 / SEND_RATE);
        break;
      }
      if (!this.#send({ type: "op", id: entry.id, op: entry.op })) break;
      this.tokens -= 1;
      entry.sent = true;
    }
    if (this.textDirty) this.#savePending();
    if (this.pending.length !== before) this.#derive();
    this.onStatus();
  }

  /** Whether a text entry may go now: the first of its field, its card on the server, the
   * person paused typing. An entry that may is fixed into its op first (#fix). */
  #sendable(entry, now) {
    const t = entry.text;
    if (this.pending.find((p) => p.text?.key === t.key) !== entry) return false; // one in flight per field
    if (t.fixed) return true;
    const current = textOf(this.confirmed, t.target);
    if (current === null) {
      // Its card is not on the server yet (its card.add is pending: wait), or no more.
      const adding = this.pending.some((p) => p.op.kind === "card.add" && p.op.card?.id === t.target.card);
      if (!adding) this.#drop(entry);
      return false;
    }
    if (!t.ended) {
      const due = Math.min(t.typedAt + TYPING_PAUSE, t.startedAt + TYPING_MAX_WAIT);
      if (now < due) {
        this.#typingSoon(due - now + 5);
        return false;
      }
    }
    return this.#fix(entry, current);
  }

  /** Turn a buffered change into the splice op sent (its first splice; the rest stays
   * buffered), with `base` the confirmed seq it is written against. */
  #fix(entry, current) {
    const t = entry.text;
    this.#realign(entry, current);
    const part = splitFirst(t.change);
    if (part === null) {
      this.#drop(entry); // typed and undone: nothing to send
      return false;
    }
    const op = spliceOp(t.target, { base: this.confirmed.seq, at: part.at, delete: part.delete, insert: part.insert });
    const trial = apply(clone(this.confirmed), op, this.#ctx());
    if (isRefusal(trial)) {
      if (trial.message === BLANK_CARD && !t.ended) return false; // being retyped: wait
      this.#drop(entry);
      this.onError(trial.message);
      return false;
    }
    entry.op = op;
    t.fixed = true;
    t.change = part.change;
    if (part.rest !== null) {
      const index = this.pending.indexOf(entry);
      this.pending.splice(index + 1, 0, {
        id: randomId("op-"),
        op: spliceOp(t.target),
        t: entry.t,
        sent: false,
        retry: false,
        text: { ...t, against: applyText(current, part.change), change: part.rest, fixed: false, typedAt: 0, startedAt: 0 },
      });
    }
    this.textDirty = true;
    return true;
  }

  #drop(entry) {
    const index = this.pending.indexOf(entry);
    if (index >= 0) this.pending.splice(index, 1);
    this.textDirty = true;
  }

  // The view -----------------------------------------------------------------------------

  #ctx() {
    return { at: new Date().toISOString(), by: this.actor.id, actor: this.actor, template: this.template };
  }

  #derive() {
    if (!this.confirmed) return;
    if (this.pending.length === 0) {
      this.view = this.confirmed;
    } else {
      const view = clone(this.confirmed);
      const ctx = this.#ctx();
      const previous = new Map(); // field -> its last entry met
      // A pending op that no longer applies (its card was deleted meanwhile) is skipped here;
      // the server will refuse it too, and its error removes it from the list.
      for (const entry of this.pending) {
        if (!entry.text) {
          apply(view, entry.op, ctx);
          continue;
        }
        const t = entry.text;
        const before = previous.get(t.key) ?? null;
        previous.set(t.key, entry);
        if (t.uncertain || before?.text.uncertain) {
          previous.set(t.key, before ?? entry); // the field's typing waits for the answer
          continue;
        }
        const current = textOf(view, t.target);
        if (current === null) continue;
        if (t.against !== current) {
          // Typing after a splice of ours keeps to the characters that splice typed.
          const chained = before !== null && t.against === applyText(before.text.against, before.text.change);
          this.#realign(entry, current, chained ? insertedPositions(before.text.change) : null);
        }
        setText(view, t.target, applyText(current, t.change));
      }
      this.view = view;
    }
    if (this.textDirty) this.#savePending();
    this.#showFields();
    this.onChange(this.view);
    this.onStatus();
  }

  /** Tell each open text field how its text changed, if it did. */
  #showFields() {
    for (const f of this.fields) {
      const text = textOf(this.view, f.target);
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

  #setStatus(status) {
    this.status = status;
    this.onStatus();
  }

  // Persistence --------------------------------------------------------------------------

  #savePending() {
    this.textDirty = false;
    try {
      if (this.pending.length === 0) localStorage.removeItem(this.storeKey);
      else localStorage.setItem(this.storeKey, JSON.stringify(this.pending.map(stored)));
    } catch {
      // Storage full or disabled: the edits still live in memory and are sent as usual.
    }
  }

  /** Our own saved edits, plus any left for this board by a tab that was closed before they
   * were acknowledged (same person: the cookie is shared). Ids keep each edit single: if that
   * tab is still open, both send it and the server applies it once. */
  #loadPending() {
    const found = new Map();
    try {
      const keys = [];
      for (let i = 0; i < localStorage.length; i += 1) {
        const key = localStorage.key(i);
        if (key && key.startsWith(this.storePrefix)) keys.push(key);
      }
      for (const key of keys) {
        for (const entry of readList(key)) found.set(entry.id, entry);
        if (key !== this.storeKey) localStorage.removeItem(key);
      }
    } catch {
      return []; // storage disabled: nothing was saved either
    }
    const list = [...found.values()].sort((a, b) => a.t - b.t);
    this.pending = list
      .map(({ id, op, t, text }) => ({ id, op, t, sent: false, retry: false, text: loadedText(text) }))
      // Typing that was never made into an op and cannot be read back is not an op to send.
      .filter((e) => e.text || e.op.kind !== "text.splice" || Object.hasOwn(e.op, "base"));
    this.#savePending();
    return this.pending;
  }
}

/** An entry as kept in localStorage: the op, and for typing the change and its text. */
function stored({ id, op, t, text }) {
  if (!text) return { id, op, t };
  const { target, against, change, fixed } = text;
  return { id, op, t, text: { target, against, change, fixed } };
}

/** A typing entry read back: nobody is typing into it any more, so it goes out at once. */
function loadedText(text) {
  if (!text || typeof text !== "object") return undefined;
  const { target, against, change, fixed } = text;
  if (!target || typeof against !== "string" || !Array.isArray(change)) return undefined;
  try {
    if (baseLength(change) !== cpLen(against)) return undefined;
  } catch {
    return undefined;
  }
  return { key: textKey(target), target, against, change, fixed: Boolean(fixed), typedAt: 0, startedAt: 0, ended: true };
}

function composeOrNull(a, b) {
  try {
    return compose(a, b);
  } catch {
    return false;
  }
}

function readList(key) {
  try {
    const list = JSON.parse(localStorage.getItem(key) || "[]");
    return Array.isArray(list) ? list.filter((e) => e && typeof e.id === "string" && e.op) : [];
  } catch {
    return [];
  }
}
