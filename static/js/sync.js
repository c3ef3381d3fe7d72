// The board's sync: hello/welcome, the confirmed state, pending edits, resume.
//
// `confirmed` is the server's state, advanced only by `op` events in seq order. `pending` is
// what this tab sent (or will send) and has not seen acknowledged; the view is confirmed with
// pending applied on top, so a refused or out-of-date edit simply vanishes from the view.
// Pending edits live in localStorage (pending-store.js), so a reload or a dropped connection
// loses none of them; they are resent with the same ids, and the server applies an id at most
// once. The socket itself, its heartbeat, back-off and states are connection.js's; typing
// merged with others' typing is typing.js's (docs/text-merge.md).
//
// Some events are placeholders (`op.hidden`): someone else's private card or blind dot, without
// its content. They advance `confirmed` through applyPlaceholder, never through the reducer.
//
// An observer (the undo stack, undo.js) may watch this person's own edits: `submitted(entry,
// view, trial)` when one is queued, `acked(entry, pre, post)` when its event comes back (with
// `capture(state, op)` read from the confirmed state just before and after it; null when the
// event was applied before this page knew it), `refused(entry, frame)` when the server says no.

import { apply, applyPlaceholder, clone, fromWire, isRefusal } from "./model.js";
import { Connection } from "./connection.js";
import { randomId } from "./dom.js";
import { PendingStore } from "./pending-store.js";
import { Typing, textOf } from "./typing.js";

const RETRYABLE = new Set(["unavailable", "rate_limited"]);
// The server allows 30 ops/s per connection with a burst of 60; stay well under it when a
// long list of offline edits is resent, so none is refused for speed.
const SEND_RATE = 20;
const SEND_BURST = 30;
const LOADING = "The board is still loading; try again in a moment.";

export { textKey } from "./typing.js";

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
    this.store = new PendingStore(boardId, actor.id, this.client);
    this.confirmed = null;
    this.view = null;
    this.pending = this.store.load(); // [{id, op, t, sent, retry, text?}]
    this.typing = new Typing(this);
    this.observer = null;
    this.retryTimer = null;
    this.tokens = SEND_BURST;
    this.tokensAt = performance.now();
    this.pumpTimer = null;
    this.focus = null;
    this.serverOffset = 0; // server time − local time, from the welcome's `now`
    this.textDirty = false;
    this.conn = new Connection({
      id: boardId,
      hello: () => ({ client: this.client, since: this.confirmed ? this.confirmed.seq : null }),
      onFrame: (frame) => this.#receive(frame),
      onDrop: () => {
        for (const p of this.pending) p.sent = false;
        this.onPresence([]); // who is here is unknown until the next welcome
      },
      onStatus: () => this.onStatus(),
    });
  }

  /** connecting | connected | reconnecting | offline | closed (connection.js). */
  get status() {
    return this.conn.status;
  }

  get closedFor() {
    return this.conn.closedFor;
  }

  get welcomed() {
    return this.conn.welcomed;
  }

  start() {
    this.conn.start();
  }

  // Local edits -------------------------------------------------------------------------

  /** Check an op against the current view as the server would; queue and send it if it
   * applies. Returns null, or the sentence saying why it was refused. `preview`: the op as the
   * server will store it (what it adds under `server`), shown until the event comes back. */
  submit(op, preview = null) {
    if (!this.view) return LOADING;
    const trial = apply(clone(this.view), preview ?? op, this.ctx());
    if (isRefusal(trial)) return trial.message;
    const entry = { id: randomId("op-"), op, t: Date.now(), sent: false, retry: false };
    if (preview) entry.preview = preview;
    this.observer?.submitted(entry, this.view, trial);
    this.pending.push(entry);
    this.savePending();
    this.derive();
    this.pump();
    return null;
  }

  /** Would the server accept this op now? null, or the sentence saying why not. Sends nothing. */
  check(op) {
    if (!this.view) return LOADING;
    const trial = apply(clone(this.view), op, this.ctx());
    return isRefusal(trial) ? trial.message : null;
  }

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
    return this.typing.open(target, onRemote);
  }

  setFocus(focus) {
    this.focus = focus;
    if (this.welcomed) this.conn.send({ type: "presence", focus });
  }

  pendingCount() {
    return this.pending.length;
  }

  // Frames from the server -------------------------------------------------------------

  /** Drop this socket and resume at once (a seq gap, or a state we could not follow). */
  #resync(fromScratch) {
    if (fromScratch) this.confirmed = null;
    this.conn.resync();
  }

  #receive(frame) {
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
    const now = Date.parse(frame.now);
    if (!Number.isNaN(now)) this.serverOffset = now - Date.now();
    if (frame.state) {
      this.confirmed = fromWire(frame.state);
      this.typing.markUncertain(this.confirmed);
    } else if (!this.confirmed || !this.#applyEvents(frame.ops || [])) {
      if (!this.confirmed) this.#resync(true);
      return;
    }
    if (this.confirmed.seq !== frame.seq) {
      // The resume did not bring us to the server's head: start again from the whole state.
      this.#resync(true);
      return;
    }
    this.conn.ready();
    this.derive();
    if (this.focus) this.conn.send({ type: "presence", focus: this.focus });
    this.pump();
  }

  #events(events) {
    if (!this.confirmed || !this.welcomed) return;
    if (this.#applyEvents(events)) {
      this.derive();
      this.pump();
    }
  }

  /** Apply events to `confirmed` in seq order; false when a resync had to start. */
  #applyEvents(events) {
    for (const event of events) {
      if (event.seq <= this.confirmed.seq) {
        // A resend answered with its original event: already in `confirmed`.
        const acked = this.#acknowledge(event.id);
        if (acked?.text) this.typing.settle(acked, textOf(this.confirmed, acked.text.target));
        else if (acked) this.observer?.acked(acked, null, null);
        continue;
      }
      if (event.seq !== this.confirmed.seq + 1) {
        this.#resync(false); // a gap: resume from what we have
        return false;
      }
      const acked = this.#acknowledge(event.id);
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
      const before = this.typing.before(this.confirmed);
      const watched = acked && !acked.text && this.observer ? this.observer.capture(this.confirmed, event.op) : null;
      const result = apply(this.confirmed, event.op, { at: event.at, by: event.by, actor: null, template: this.template });
      if (isRefusal(result)) {
        // The server applied something our mirror refuses: never guess, take its whole state.
        console.error("brickboard: event does not apply locally", event.seq, result.message);
        this.#resync(true);
        return false;
      }
      this.typing.after(this.confirmed, before, acked);
      if (watched) this.observer.acked(acked, watched, this.observer.capture(this.confirmed, event.op));
    }
    if (this.textDirty) this.savePending();
    return true;
  }

  /** The pending entry this event acknowledges (removed from the list), or null. */
  #acknowledge(id) {
    const index = this.pending.findIndex((p) => p.id === id);
    if (index < 0) return null;
    const [entry] = this.pending.splice(index, 1);
    this.savePending();
    return entry;
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
    this.savePending();
    this.derive();
    this.observer?.refused(entry, frame);
    this.onError(frame.message || "The server refused an edit.");
  }

  #scheduleRetry() {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, 1000 + Math.random() * 1000);
  }

  // Sending --------------------------------------------------------------------------------

  /** Send unsent pending ops in order, paced by a small token bucket. */
  pump() {
    if (!this.welcomed || this.pumpTimer) return;
    const now = performance.now();
    this.tokens = Math.min(SEND_BURST, this.tokens + ((now - this.tokensAt) / 1000) * SEND_RATE);
    this.tokensAt = now;
    const before = this.pending.length;
    for (const entry of [...this.pending]) {
      if (entry.sent) continue;
      if (entry.text && !this.typing.sendable(entry, now)) continue;
      if (this.tokens < 1) {
        this.pumpTimer = setTimeout(() => {
          this.pumpTimer = null;
          this.pump();
        }, 1000 / SEND_RATE);
        break;
      }
      if (!this.conn.send({ type: "op", id: entry.id, op: entry.op })) break;
      this.tokens -= 1;
      entry.sent = true;
    }
    if (this.textDirty) this.savePending();
    if (this.pending.length !== before) this.derive();
    this.onStatus();
  }

  // The view -----------------------------------------------------------------------------

  ctx() {
    return { at: new Date().toISOString(), by: this.actor.id, actor: this.actor, template: this.template };
  }

  derive() {
    if (!this.confirmed) return;
    if (this.pending.length === 0) {
      this.view = this.confirmed;
    } else {
      const view = clone(this.confirmed);
      const ctx = this.ctx();
      const previous = new Map(); // field -> its last entry met
      // A pending op that no longer applies (its card was deleted meanwhile) is skipped here;
      // the server will refuse it too, and its error removes it from the list.
      for (const entry of this.pending) {
        if (entry.text) this.typing.applyEntry(view, entry, previous);
        else apply(view, entry.preview ?? entry.op, ctx);
      }
      this.view = view;
    }
    if (this.textDirty) this.savePending();
    this.typing.show(this.view);
    this.onChange(this.view);
    this.onStatus();
  }

  savePending() {
    this.textDirty = false;
    this.store.save(this.pending);
  }
}
