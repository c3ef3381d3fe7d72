// Undo inside a text typed live (docs/undo.md, "Typing"): the person's own typing in one field,
// a run at a time, never what others typed there.
//
// A run is a word with the spaces typed around it, a run of deletions, or whatever was typed
// before a pause of PAUSE ms. The history keeps the text as characters that remember who put
// them there (a run of this person's, or someone else) and, once deleted, which run deleted them
// (a tombstone). Every change of the text, the person's or anyone else's, is walked over the
// characters shown. Undoing a run hides the characters it typed that are still there and shows
// again those it deleted; redo does the opposite. So an undo removes exactly the run's
// characters wherever they are now, keeps what others typed (even in the middle of it), and
// undoing a deletion then the typing it deleted leaves nothing behind. Undoing a run is one
// edit of the text, sent as the typing is.

import { diff, splitFirst, transformIndex } from "./text.js";

const PAUSE = 1000;
const SPACE = /^\s/u;
const OTHERS = 0; // who typed or deleted a character, when it was not one of this person's runs
const cpLen = (s) => [...s].length;

/** Which of undo or redo a key press asks for (Ctrl/⌘+Z, Ctrl/⌘+Shift+Z, Ctrl+Y), or null. */
export function undoKey(e) {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  const key = e.key.toLowerCase();
  if (key === "z") return e.shiftKey ? "redo" : "undo";
  if (key === "y" && !e.shiftKey) return "redo";
  return null;
}

export class TypingHistory {
  constructor() {
    this.chars = null; // [{c, ins: run id | OTHERS, del: null (shown) | run id | -run id (undone) | OTHERS, was}]
    this.runs = []; // [{id, kind, start, end, typed, at, open}], oldest first
    this.redos = []; // runs undone, the next redo last
    this.nextId = 1;
  }

  get empty() {
    return this.runs.length === 0;
  }

  clear() {
    this.chars = null;
    this.runs = [];
    this.redos = [];
  }

  /** The person changed the text from `oldText` to `newText`, the cursor ending at `cursor`. */
  record(oldText, newText, cursor, now = performance.now()) {
    this.#follow(oldText);
    const change = diff(oldText, newText, cursor);
    const part = splitFirst(change);
    if (part === null) return;
    const kind = part.delete === 0 ? "insert" : part.insert === "" ? "delete" : "replace";
    const top = this.runs.at(-1);
    const joins = top?.open && part.rest === null && now - top.at < PAUSE && this.#continues(top, kind, part);
    const run = joins ? top : { id: this.nextId++, kind, start: part.at, end: part.at, typed: "", at: now, open: part.rest === null };
    if (!joins) {
      if (top) top.open = false;
      this.runs.push(run);
    }
    this.#walk(change, run.id, run.id);
    this.redos = [];
    run.at = now;
    if (kind === "delete") run.start = run.end = part.at;
    else {
      run.end = part.at + cpLen(part.insert);
      run.typed += part.insert;
    }
  }

  /** Whether an edit carries on the run: typing on where it ended (a new word after a space
   * starts a new run), or deleting on from where it started. */
  #continues(top, kind, part) {
    if (kind === "insert") {
      const wordDone = /\S\s+$/u.test(top.typed);
      return top.kind !== "delete" && part.at === top.end && !(wordDone && !SPACE.test(part.insert));
    }
    return kind === "delete" && top.kind === "delete" && (part.at + part.delete === top.start || part.at === top.start);
  }

  /** Someone else's change of the text as shown (`change`, from text.js). */
  remote(change) {
    if (this.chars === null) return;
    try {
      this.#walk(change, OTHERS, OTHERS);
    } catch {
      this.clear(); // lost track of the text: better no undo than a wrong one
      return;
    }
    for (const run of this.runs) {
      run.start = transformIndex(change, run.start);
      run.end = transformIndex(change, run.end);
    }
  }

  /** Undo the last run of `text` (the text as shown): {text, cursor, commit()} to apply, then
   * commit once the edit was accepted; null when there is nothing to undo. */
  undo(text) {
    this.#follow(text);
    while (this.runs.length) {
      const run = this.runs.at(-1);
      const hide = this.chars.filter((ch) => ch.ins === run.id && ch.del === null);
      const show = this.chars.filter((ch) => ch.del === run.id);
      if (hide.length || show.length) {
        return this.#step(hide, show, -run.id, run.id, () => {
          this.runs.pop();
          this.redos.push(run);
          const below = this.runs.at(-1);
          if (below) below.open = false;
        });
      }
      this.runs.pop(); // all of it gone under others' edits: nothing of it to undo
    }
    return null;
  }

  redo(text) {
    this.#follow(text);
    const run = this.redos.at(-1);
    if (!run) return null;
    const hide = this.chars.filter((ch) => ch.was === run.id && ch.del === null);
    const show = this.chars.filter((ch) => ch.ins === run.id && ch.del === -run.id);
    return this.#step(hide, show, run.id, null, () => {
      this.redos.pop();
      this.runs.push({ ...run, open: false });
    });
  }

  /** The text with every kept run undone: what undoing this whole session would leave. */
  undoneAll(text) {
    this.#follow(text);
    const del = new Map(this.chars.map((ch) => [ch, ch.del]));
    for (const run of [...this.runs].reverse()) {
      for (const ch of this.chars) {
        if (ch.ins === run.id && del.get(ch) === null) del.set(ch, -run.id);
        else if (del.get(ch) === run.id) del.set(ch, null);
      }
    }
    return this.chars.filter((ch) => del.get(ch) === null).map((ch) => ch.c).join("");
  }

  /** Hide and show characters: the text that gives, where the cursor goes, and commit(). */
  #step(hide, show, hiddenAs, wasMark, done) {
    const hidden = new Set(hide);
    const shown = new Set(show);
    let out = "";
    let cursor = 0;
    for (const ch of this.chars) {
      const visible = shown.has(ch) || (ch.del === null && !hidden.has(ch));
      if (visible) out += ch.c;
      if (hidden.has(ch) || shown.has(ch)) cursor = cpLen(out);
    }
    return {
      text: out,
      cursor,
      commit: () => {
        for (const ch of hide) ch.del = hiddenAs;
        for (const ch of show) {
          ch.del = null;
          if (wasMark !== null) ch.was = wasMark;
        }
        done();
      },
    };
  }

  /** Start over from `text` when the characters kept no longer spell it. */
  #follow(text) {
    if (this.chars !== null && this.#shown() === text) return;
    this.chars = [...text].map((c) => ({ c, ins: OTHERS, del: null }));
    this.runs = [];
    this.redos = [];
  }

  #shown() {
    return this.chars.filter((ch) => ch.del === null).map((ch) => ch.c).join("");
  }

  /** Walk a change over the characters shown: kept ones stay, deleted ones become tombstones
   * (deleted by `del`), inserted ones (typed by `ins`) go just before the next character shown. */
  #walk(change, ins, del) {
    const chars = this.chars;
    const out = [];
    let i = 0;
    const take = (n, remove) => {
      while (n > 0) {
        if (i >= chars.length) throw new Error("the change does not fit the text");
        const ch = chars[i++];
        out.push(ch);
        if (ch.del !== null) continue;
        if (remove) ch.del = del;
        n -= 1;
      }
    };
    for (const c of change) {
      if (typeof c === "string") {
        while (i < chars.length && chars[i].del !== null) out.push(chars[i++]);
        for (const x of c) out.push({ c: x, ins, del: null });
      } else take(Math.abs(c), c < 0);
    }
    while (i < chars.length) out.push(chars[i++]);
    this.chars = out;
  }
}
