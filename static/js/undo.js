// Undo and redo, per person and per board (docs/undo.md): two stacks of this person's own
// edits, kept in localStorage beside the pending edits, so they survive a reconnect and a reload.
//
// The manager watches the board's sync (it is its observer): every undoable edit this person
// makes goes on the undo stack with what the board held around it (undo-ops.js `capture`), read
// from the view when it is queued and again, exactly, from the confirmed state when its event
// comes back. Undo turns the top entry into a new op (undo-ops.js `inverse`) sent through the
// sync like any edit, and that op goes on the redo stack, to be undone in turn. An op the server
// refuses (someone else changed it meanwhile: `conflict`) is dropped from its stack. A restore
// made from the History page (recordRestore) is undone over HTTP, with `expect`.

import { postJSON } from "./dom.js";
import { UNDOABLE, capture, describe, inverse } from "./undo-ops.js";

const PREFIX = "brickboard:undo:";
const LIMIT = 100;
const OTHER = { undo: "redo", redo: "undo" };

const keyOf = (boardId, personId) => `${PREFIX}${boardId}:${personId}`;

function read(key) {
  try {
    const data = JSON.parse(localStorage.getItem(key) || "{}");
    const list = (name) => (Array.isArray(data[name]) ? data[name].filter((e) => e && typeof e === "object") : []);
    return { undo: list("undo"), redo: list("redo") };
  } catch {
    return { undo: [], redo: [] };
  }
}

function write(key, stacks) {
  try {
    if (!stacks.undo.length && !stacks.redo.length) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify({ undo: stacks.undo.slice(-LIMIT), redo: stacks.redo.slice(-LIMIT) }));
  } catch {
    // Storage full or disabled: undo still works in this page.
  }
}

function storageWorks() {
  try {
    localStorage.getItem(PREFIX);
    return true;
  } catch {
    return false;
  }
}

/** The History page: a restore this person made goes on their undo stack for that board.
 * from: the snapshot taken before it; to: the snapshot restored. */
export function recordRestore(boardId, personId, { from, to, label }) {
  const key = keyOf(boardId, personId);
  const stacks = read(key);
  stacks.undo.push({ kind: "restore", from, to, label, t: Date.now() });
  stacks.redo = [];
  write(key, stacks);
}

export class UndoManager {
  /**
   * sync: BoardSync; notify(message, kind): tell the person (a refusal, a partial undo);
   * onChange(): the stacks changed; announce(text): what was just undone, said politely.
   */
  constructor({ sync, boardId, actor, template, notify, onChange = () => {}, announce = () => {} }) {
    Object.assign(this, { sync, boardId, actor, template, notify, onChange, announce });
    this.key = keyOf(boardId, actor.id);
    this.stored = storageWorks();
    this.memory = read(this.key); // the stacks when localStorage is off
    this.going = null; // "undo" | "redo" while its op is being submitted
    this.busy = false; // an undone restore on its way over HTTP
    sync.observer = this;
    addEventListener("storage", (e) => {
      if (e.key === this.key) this.onChange(); // another tab of this person on this board
    });
  }

  // What the page shows -----------------------------------------------------------------

  can(which) {
    return !this.busy && this.#stacks()[which].length > 0;
  }

  /** "adding “Pilot”", for the buttons' names; null when that stack is empty. */
  next(which) {
    const top = this.#stacks()[which].at(-1);
    return top ? describe(top, this.template) : null;
  }

  // The sync's observer -----------------------------------------------------------------

  capture(state, op) {
    return UNDOABLE.has(op.kind) ? capture(state, op) : null;
  }

  /** An edit was queued: the person's own (undo stack, redo cleared), or an undo or redo. */
  submitted(entry, view, trial) {
    if (!UNDOABLE.has(entry.op.kind)) return;
    const item = { id: entry.id, op: entry.op, pre: capture(view, entry.op), post: capture(trial, entry.op), t: Date.now() };
    this.#change((stacks) => {
      if (this.going) {
        stacks[OTHER[this.going]].push(item);
      } else {
        stacks.undo.push(item);
        stacks.redo = [];
      }
    });
  }

  /** Its event came back: what the board held around it, exactly (null: known already). */
  acked(entry, pre, post) {
    if (!pre || !post) return;
    this.#change((stacks) => {
      for (const item of [...stacks.undo, ...stacks.redo]) {
        if (item.id === entry.id) Object.assign(item, { pre, post });
      }
    });
  }

  refused(entry) {
    this.#change((stacks) => {
      stacks.undo = stacks.undo.filter((e) => e.id !== entry.id);
      stacks.redo = stacks.redo.filter((e) => e.id !== entry.id);
    });
  }

  /** The person closed a card's dialog after typing in a text of it: one step, undone by
   * setting the text back while nobody else has typed in it since. */
  typed({ card, field, from, to }) {
    if (from === to) return;
    this.#change((stacks) => {
      stacks.undo.push({ kind: "typing", card, field, from, to, t: Date.now() });
      stacks.redo = [];
    });
  }

  // Undo and redo -----------------------------------------------------------------------

  undo() {
    return this.#step("undo");
  }

  redo() {
    return this.#step("redo");
  }

  async #step(which) {
    if (this.busy) return;
    const stacks = this.#stacks();
    const entry = stacks[which].pop();
    if (!entry) {
      this.notify(which === "undo" ? "Nothing of yours to undo on this board." : "Nothing to redo.", "info");
      return;
    }
    this.#save(stacks);
    if (entry.kind === "restore") return this.#restore(which, entry);
    if (!this.sync.view) {
      this.#change((s) => s[which].push(entry));
      this.notify("The board is still loading; try again in a moment.");
      return;
    }
    const found = inverse(entry, this.sync.view, this.template, this.actor);
    if (found.refused) {
      this.notify(found.refused);
      return;
    }
    this.going = which;
    let refusal;
    try {
      refusal = this.sync.submit(found.op, found.preview ?? null);
    } finally {
      this.going = null;
    }
    if (refusal) this.notify(refusal);
    else if (found.note) this.notify(found.note, "info");
    else this.announce(`${which === "undo" ? "Undone" : "Redone"}: ${describe(entry, this.template)}.`);
  }

  /** A restore is undone by restoring the snapshot taken before it, while the board still
   * shows what it restored (the server checks, `expect`); redone the same way back. */
  async #restore(which, entry) {
    this.busy = true;
    this.onChange();
    try {
      const url = `/api/boards/${encodeURIComponent(this.boardId)}/restore`;
      await postJSON(url, { snapshot: entry.from, expect: entry.to });
      this.#change((s) => s[OTHER[which]].push({ ...entry, from: entry.to, to: entry.from, t: Date.now() }));
      this.announce(`${which === "undo" ? "Undone" : "Redone"}: ${describe(entry, this.template)}.`);
    } catch (error) {
      if (error instanceof TypeError) this.#change((s) => s[which].push(entry)); // no network: kept
      this.notify(error instanceof TypeError ? "Undoing a restore needs the connection; try again when it is back." : error.message);
    } finally {
      this.busy = false;
      this.onChange();
    }
  }

  // The stacks --------------------------------------------------------------------------

  /** Read afresh each time: another tab of this person may have changed them. */
  #stacks() {
    if (this.stored) this.memory = read(this.key);
    return this.memory;
  }

  #save(stacks) {
    this.memory = stacks;
    write(this.key, stacks);
  }

  #change(mutate) {
    const stacks = this.#stacks();
    mutate(stacks);
    this.#save(stacks);
    this.onChange();
  }
}
