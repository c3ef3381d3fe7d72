// A minimal live connection to one board for the pre-read editor (docs/protocol.md), on a
// Connection (connection.js: hello, heartbeat, back-off, offline and online, the states every
// page shows): hello with since null, the board's state in the welcome, op frames whose own
// event is the acknowledgement, resent with the same ids after a reconnect (the server applies
// an id once). It follows only what the editor shows: the board fields, the brief and the cards.

import { Connection } from "./connection.js";
import { randomId } from "./dom.js";

const RETRYABLE = new Set(["rate_limited", "unavailable"]);

export class BoardLink {
  /** handlers: onWelcome(state), onEvent(event, state), onStatus(status, reason). */
  constructor(boardId, handlers) {
    this.boardId = boardId;
    this.handlers = handlers;
    this.client = randomId("preread-");
    this.pending = new Map(); // op id -> {op, resolve, reject}
    this.state = null;
    this.closeWhenIdle = false;
    this.conn = new Connection({
      id: boardId,
      hello: () => ({ client: this.client, since: null }),
      onFrame: (frame) => this.#receive(frame),
      onStatus: (status) => this.#status(status),
    }).start();
  }

  get status() {
    return this.conn.status;
  }

  get reason() {
    return this.conn.closedFor || "";
  }

  /** Send an op; resolves with its event (the acknowledgement), rejects with the refusal. */
  send(op) {
    const id = randomId("op-");
    return new Promise((resolve, reject) => {
      this.pending.set(id, { op, resolve, reject });
      this.#sendOne(id);
    });
  }

  close() {
    this.conn.stop();
  }

  #status(status) {
    if (status === "closed") {
      for (const p of this.pending.values()) p.reject(new Error(this.reason || "The connection was refused."));
      this.pending.clear();
    }
    this.handlers.onStatus(status, this.reason);
  }

  #sendOne(id) {
    const entry = this.pending.get(id);
    if (entry && this.conn.welcomed) this.conn.send({ type: "op", id, op: entry.op });
  }

  #receive(frame) {
    if (frame.type === "welcome") {
      this.state = frame.state;
      this.conn.ready();
      this.handlers.onWelcome(this.state);
      for (const id of this.pending.keys()) this.#sendOne(id);
    } else if (frame.type === "op") {
      this.#event(frame);
    } else if (frame.type === "ops") {
      for (const event of frame.ops) if (this.conn.welcomed) this.#event(event);
    } else if (frame.type === "error") {
      const entry = frame.id ? this.pending.get(frame.id) : null;
      if (!entry) return;
      if (RETRYABLE.has(frame.code)) {
        setTimeout(() => this.#sendOne(frame.id), 1000 + Math.random() * 1000);
        return;
      }
      this.pending.delete(frame.id);
      entry.reject(new Error(frame.message || "The server refused the change."));
      this.#idle();
    }
  }

  #event(event) {
    if (!this.state) return;
    if (event.seq > this.state.seq + 1) {
      this.conn.resync(); // a gap: start again from the whole state (pending ops are resent)
      return;
    }
    if (event.seq === this.state.seq + 1) {
      applyShallow(this.state, event.op);
      this.state.seq = event.seq;
      this.handlers.onEvent(event, this.state);
    }
    const entry = this.pending.get(event.id);
    if (entry) {
      this.pending.delete(event.id);
      entry.resolve(event);
      this.#idle();
    }
  }

  #idle() {
    // Later, not now: whoever awaited this op may send the next one first.
    setTimeout(() => {
      if (this.closeWhenIdle && this.pending.size === 0) this.close();
    }, 0);
  }
}

/** The part of the reducer the editor needs, on the wire state. Ops the server applied are
 * valid, so nothing is checked here; hidden (private) content stays out. */
function applyShallow(state, op) {
  if (!op || op.hidden) return;
  const list = (sectionId) => state.sections.find((s) => s.id === sectionId)?.cards;
  const place = (ids, cardId, after) => {
    if (!ids) return;
    const index = after === null || after === undefined ? -1 : ids.indexOf(after);
    if (after !== null && after !== undefined && index < 0) ids.push(cardId);
    else ids.splice(index + 1, 0, cardId);
  };
  const unlist = (cardId) => {
    for (const s of state.sections) {
      const at = s.cards.indexOf(cardId);
      if (at >= 0) s.cards.splice(at, 1);
    }
  };
  switch (op.kind) {
    case "board.update": {
      for (const name of ["title", "initiative", "theme"]) if (Object.hasOwn(op.set, name)) state[name] = op.set[name];
      const brief = op.set.brief || {};
      state.brief = { ...(state.brief || {}) };
      for (const [name, value] of Object.entries(brief)) {
        if (value === null) delete state.brief[name];
        else state.brief[name] = value;
      }
      break;
    }
    case "card.add":
      state.cards[op.card.id] = { ...op.card };
      place(list(op.card.section), op.card.id, op.after);
      break;
    case "card.update": {
      const card = state.cards[op.card];
      if (!card) break;
      for (const [name, value] of Object.entries(op.set)) {
        if (value === null) delete card[name];
        else card[name] = value;
      }
      break;
    }
    case "card.move": {
      const card = state.cards[op.card];
      if (!card) break;
      unlist(op.card);
      card.section = op.section;
      place(list(op.section), op.card, op.after);
      break;
    }
    case "card.restore": {
      const card = op.server?.card;
      if (!card) break;
      state.cards[op.card] = { ...card };
      place(list(card.section), op.card, op.server.after ?? null);
      break;
    }
    case "card.delete":
      unlist(op.card);
      delete state.cards[op.card];
      break;
    default:
      break; // comments, votes, locks: not shown here
  }
}
