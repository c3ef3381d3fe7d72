// Undo inside a text typed live (docs/undo.md, "Typing"): the person's own typing in one field,
// a run at a time, never what others typed there.
//
// A run is a word and the spaces after it, a run of deletions, or whatever was typed before a
// pause of PAUSE ms. Each run is kept as its inverse: a change (text.js components) of the text
// as shown now. Every later change of that text, the person's or anyone else's, is carried into
// every kept inverse by the same transform that merges concurrent typing (text.js), so an undo
// removes exactly the run's characters wherever they are now, and keeps what others typed, even
// in the middle of it. Undoing a run is one edit of the text, sent as the typing is.

import { applyText, compose, diff, normalize, splitFirst, transform, transformIndex } from "./text.js";

const PAUSE = 1000;
const SPACE = /^\s/u;
const cpLen = (s) => [...s].length;

/** Which of undo or redo a key press asks for (Ctrl/⌘+Z, Ctrl/⌘+Shift+Z, Ctrl+Y), or null. */
export function undoKey(e) {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  const key = e.key.toLowerCase();
  if (key === "z") return e.shiftKey ? "redo" : "undo";
  if (key === "y" && !e.shiftKey) return "redo";
  return null;
}

/** The change that takes the result of `change` back to `text`, which it was applied to. */
export function invert(change, text) {
  const chars = [...text];
  const out = [];
  let i = 0;
  for (const c of change) {
    if (typeof c === "string") out.push(-cpLen(c));
    else if (c > 0) {
      out.push(c);
      i += c;
    } else {
      out.push(chars.slice(i, i - c).join(""));
      i -= c;
    }
  }
  return normalize(out);
}

/** Where a cursor goes after `change`: just after the last thing it changed. */
function endOf(change) {
  let pos = 0;
  let end = 0;
  for (const c of change) {
    if (typeof c === "string") {
      pos += cpLen(c);
      end = pos;
    } else if (c > 0) pos += c;
    else end = pos;
  }
  return end;
}

export class TypingHistory {
  constructor() {
    this.runs = []; // [{inv, kind, start, end, typed, at, open}], oldest first
    this.redos = []; // [inv], the next redo last
  }

  get empty() {
    return this.runs.length === 0;
  }

  clear() {
    this.runs = [];
    this.redos = [];
  }

  /** The person changed the text from `oldText` to `newText`, the cursor ending at `cursor`. */
  record(oldText, newText, cursor, now = performance.now()) {
    const change = diff(oldText, newText, cursor);
    const part = splitFirst(change);
    if (part === null) return;
    const inv = invert(change, oldText);
    const kind = part.delete === 0 ? "insert" : part.insert === "" ? "delete" : "replace";
    const top = this.runs.at(-1);
    const joins = top?.open && part.rest === null && now - top.at < PAUSE && this.#continues(top, kind, part);
    for (const run of this.runs) if (!(joins && run === top)) run.inv = transform(run.inv, change)[0];
    this.redos = [];
    if (joins) {
      top.inv = compose(inv, top.inv);
      top.at = now;
      if (kind === "insert") {
        top.end = part.at + cpLen(part.insert);
        top.typed += part.insert;
      } else {
        top.start = part.at;
        top.end = part.at;
      }
      return;
    }
    if (top) top.open = false;
    const end = part.at + cpLen(part.insert);
    this.runs.push({ inv, kind, start: part.at, end, typed: part.insert, at: now, open: part.rest === null });
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
    for (const run of this.runs) {
      run.inv = transform(run.inv, change)[0];
      run.start = transformIndex(change, run.start);
      run.end = transformIndex(change, run.end);
    }
    this.redos = this.redos.map((inv) => transform(inv, change)[0]);
  }

  /** Undo the last run of `text` (the text as shown): {text, cursor, commit()} to apply, then
   * commit once the edit was accepted; null when there is nothing to undo. */
  undo(text) {
    return this.#step(this.runs.at(-1)?.inv, text, () => this.runs.pop(), (inv) => this.redos.push(inv));
  }

  redo(text) {
    const push = (inv) => this.runs.push({ inv, kind: "redo", start: 0, end: 0, typed: "", at: 0, open: false });
    return this.#step(this.redos.at(-1), text, () => this.redos.pop(), push);
  }

  #step(change, text, take, give) {
    if (!change) return null;
    let next;
    try {
      next = applyText(text, change);
    } catch {
      this.clear(); // lost track of the text: better no undo than a wrong one
      return null;
    }
    return {
      text: next,
      cursor: endOf(change),
      commit: () => {
        take();
        for (const run of this.runs) run.inv = transform(run.inv, change)[0];
        this.redos = this.redos.map((inv) => transform(inv, change)[0]);
        if (this.runs.at(-1)) this.runs.at(-1).open = false;
        give(invert(change, text));
      },
    };
  }

  /** The text with every kept run undone: what undoing this whole session would leave. */
  undoneAll(text) {
    let out = text;
    const invs = this.runs.map((run) => run.inv);
    try {
      while (invs.length) {
        const change = invs.pop();
        out = applyText(out, change);
        for (let i = 0; i < invs.length; i += 1) invs[i] = transform(invs[i], change)[0];
      }
    } catch {
      return text;
    }
    return out;
  }
}
