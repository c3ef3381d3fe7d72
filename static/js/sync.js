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

import { apply, applyPlaceholder, clone, fromWire, isRefusal } from "./model.js";
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
// Close codes after which retrying cannot help: signed out, not allowed, no such board.
const FINAL_CLOSE = new Set([4401, 4403, 4404]);

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
    const now = Date.parse(frame.now);
    if (!Number.isNaN(now)) this.serverOffset = now - Date.now();
    if (frame.state) {
      this.confirmed = fromWire(frame.state);
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
        this.#acknowledge(event.id); // a resend answered with its original event
        continue;
      }
      if (event.seq !== this.confirmed.seq + 1) {
        this.#resync(false); // a gap: resume from what we have
        return false;
      }
      this.#acknowledge(event.id);
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
      const result = apply(this.confirmed, event.op, { at: event.at, by: event.by, actor: null, template: this.template });
      if (isRefusal(result)) {
        // The server applied something our mirror refuses: never guess, take its whole state.
        console.error("brickboard: event does not apply locally", event.seq, result.message);
        this.#resync(true);
        return false;
      }
    }
    return true;
  }

  #acknowledge(id) {
    const index = this.pending.findIndex((p) => p.id === id);
    if (index >= 0) {
      this.pending.splice(index, 1);
      this.#savePending();
    }
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
    for (const entry of this.pending) {
      if (entry.sent) continue;
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
    this.onStatus();
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
      // A pending op that no longer applies (its card was deleted meanwhile) is skipped here;
      // the server will refuse it too, and its error removes it from the list.
      for (const entry of this.pending) apply(view, entry.op, ctx);
      this.view = view;
    }
    this.onChange(this.view);
    this.onStatus();
  }

  #setStatus(status) {
    this.status = status;
    this.onStatus();
  }

  // Persistence --------------------------------------------------------------------------

  #savePending() {
    try {
      if (this.pending.length === 0) localStorage.removeItem(this.storeKey);
      else localStorage.setItem(this.storeKey, JSON.stringify(this.pending.map(({ id, op, t }) => ({ id, op, t }))));
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
    this.pending = list.map(({ id, op, t }) => ({ id, op, t, sent: false, retry: false }));
    this.#savePending();
    return this.pending;
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
