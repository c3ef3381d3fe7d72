// A client of one op log (a board or the workshop's stage) for the room pages (/run, /present,
// /cross, the board's Follow), on a Connection (connection.js: hello, heartbeat, back-off,
// offline and online, states): apply events in seq order, resume with `since` after a drop,
// estimate the server's clock, and send ops that resolve on their own event or reject on their
// error. Ops not acknowledged yet are resent with the same ids after a reconnect (the server
// applies an id at most once).

import { Connection } from "./connection.js";
import { randomId } from "./dom.js";

const RETRYABLE = new Set(["unavailable", "rate_limited"]);

export class RoomError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function tabClient() {
  let id = sessionStorage.getItem("brickboard:room-client");
  if (!id) {
    id = randomId("room-");
    sessionStorage.setItem("brickboard:room-client", id);
  }
  return id;
}

/**
 * One op log, followed live. Subclasses give `fromWire(wire)` and `applyEvent(state, event)`
 * (true, or a refusal: the client then starts over from the whole state).
 * Callbacks: onChange(state), onStatus(status), onError(message).
 */
export class LogClient {
  constructor({ id, onChange = () => {}, onStatus = () => {}, onError = () => {} }) {
    Object.assign(this, { id, onChange, onStatus, onError });
    this.client = tabClient();
    this.state = null;
    this.me = null;
    this.pending = new Map(); // op id -> {op, resolve, reject, sentAt}
    this.offset = 0; // server clock minus this laptop's clock, in ms
    this.offsetRtt = Infinity;
    this.stopped = false;
    this.conn = new Connection({
      id,
      hello: () => ({ client: this.client, since: this.state ? this.state.seq : null }),
      onFrame: (frame) => this.#receive(frame),
      onDrop: () => {
        for (const p of this.pending.values()) p.sentAt = 0;
      },
      onStatus: (status) => this.#status(status),
    });
  }

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
    return this;
  }

  /** Close for good (the page no longer needs this log); pending ops are rejected. */
  stop() {
    this.stopped = true;
    this.conn.stop();
    this.#rejectAll("The connection was closed.");
  }

  /** The server's clock now, in ms since the epoch, as well as this page can tell. */
  serverNow() {
    return Date.now() + this.offset;
  }

  get serverOffset() {
    return this.offset;
  }

  /** Send an op; resolves with its event once the server stored it, rejects on its error. */
  send(op) {
    if (this.stopped) return Promise.reject(new RoomError("closed", "The connection was closed."));
    if (!this.welcomed) {
      return Promise.reject(new RoomError("offline", "Not connected to the server right now; try again in a moment."));
    }
    const id = randomId("op-");
    return new Promise((resolve, reject) => {
      this.pending.set(id, { op, resolve, reject, sentAt: 0 });
      this.#sendOp(id);
    });
  }

  // Hooks for subclasses.
  fromWire(wire) {
    return structuredClone(wire);
  }

  applyEvent() {
    return { code: "bad_request", message: "This client cannot apply events." };
  }

  // The log ------------------------------------------------------------------------------

  #status(status) {
    if (status === "closed") this.#rejectAll(this.closedFor);
    this.onStatus(status);
  }

  #rejectAll(message) {
    for (const [, p] of this.pending) p.reject(new RoomError("closed", message));
    this.pending.clear();
  }

  /** Start over from the whole state (an event we cannot apply), or resume (a gap). */
  #resync(fromScratch) {
    if (fromScratch) this.state = null;
    this.conn.resync();
  }

  #sendOp(id) {
    const entry = this.pending.get(id);
    if (!entry || !this.welcomed) return;
    if (this.conn.send({ type: "op", id, op: entry.op })) entry.sentAt = Date.now();
  }

  #receive(frame) {
    if (frame.type === "welcome") this.#welcome(frame);
    else if (frame.type === "op") this.#events([frame]);
    else if (frame.type === "ops") this.#events(frame.ops || []);
    else if (frame.type === "error") this.#error(frame);
  }

  #welcome(frame) {
    // The server's clock: its `now` was read between our hello and this welcome.
    const received = Date.now();
    this.offsetRtt = Infinity;
    this.#clockSample(Date.parse(frame.now), this.conn.helloAt || received, received);
    this.me = frame.me;
    if (frame.state) {
      this.state = this.fromWire(frame.state);
    } else if (!this.state || !this.#apply(frame.ops || [])) {
      if (!this.state) this.#resync(true);
      return;
    }
    if (this.state.seq !== frame.seq) {
      this.#resync(true); // the resume did not reach the server's head: start over
      return;
    }
    this.conn.ready();
    this.onChange(this.state);
    // Ops sent before the drop whose events did not come back: again, with the same ids.
    for (const id of this.pending.keys()) this.#sendOp(id);
  }

  #events(events) {
    if (!this.state || !this.welcomed) return;
    if (this.#apply(events)) this.onChange(this.state);
  }

  #apply(events) {
    for (const event of events) {
      if (event.seq <= this.state.seq) {
        this.#acknowledge(event); // a resend answered with its original event
        continue;
      }
      if (event.seq !== this.state.seq + 1) {
        this.#resync(false);
        return false;
      }
      const result = this.applyEvent(this.state, event);
      if (result !== true) {
        console.error("brickboard: event does not apply locally", event.seq, result && result.message);
        this.#resync(true);
        return false;
      }
      this.#lowerBound(event.at);
      this.#acknowledge(event);
    }
    return true;
  }

  #acknowledge(event) {
    const entry = this.pending.get(event.id);
    if (!entry) return;
    this.pending.delete(event.id);
    if (entry.sentAt) this.#clockSample(Date.parse(event.at), entry.sentAt, Date.now());
    entry.resolve(event);
  }

  #error(frame) {
    const entry = frame.id ? this.pending.get(frame.id) : undefined;
    if (!entry) {
      if (frame.message) this.onError(frame.message);
      return;
    }
    if (RETRYABLE.has(frame.code)) {
      entry.sentAt = 0;
      setTimeout(() => this.#sendOp(frame.id), 1000 + Math.random() * 1000);
      return;
    }
    this.pending.delete(frame.id);
    entry.reject(new RoomError(frame.code, frame.message || "The server refused this."));
  }

  /** A server time read between two local times: the tightest such pair gives the offset. */
  #clockSample(serverMs, sent, received) {
    if (!Number.isFinite(serverMs)) return;
    const rtt = received - sent;
    if (rtt > this.offsetRtt) return;
    this.offsetRtt = rtt;
    this.offset = serverMs - (sent + received) / 2;
  }

  /** Someone's event was stamped before we received it: the server's clock is at least that. */
  #lowerBound(at) {
    const serverMs = Date.parse(at);
    if (Number.isFinite(serverMs) && serverMs - Date.now() > this.offset) this.offset = serverMs - Date.now();
  }
}
