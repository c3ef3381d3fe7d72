// The board's pending edits in localStorage, so a reload or a dropped connection loses none.
//
// Per board and person (a shared laptop must never send one person's edits as another's), and
// per tab, so two tabs do not overwrite each other's list. A tab also takes over the edits left
// for this board by a tab that was closed before they were acknowledged (same person: the
// cookie is shared); ids keep each edit single: if that tab is still open, both send it and the
// server applies it once.

import { baseLength } from "./text.js";
import { textKey } from "./typing.js";

const PREFIX = "brickboard:pending:";
const cpLen = (s) => [...s].length;

export class PendingStore {
  constructor(boardId, personId, client) {
    this.prefix = `${PREFIX}${boardId}:${personId}:`;
    this.key = this.prefix + client;
  }

  /** Our own saved edits plus any left by a closed tab, oldest first, ready to send. */
  load() {
    const found = new Map();
    try {
      const keys = [];
      for (let i = 0; i < localStorage.length; i += 1) {
        const key = localStorage.key(i);
        if (key && key.startsWith(this.prefix)) keys.push(key);
      }
      for (const key of keys) {
        for (const entry of readList(key)) found.set(entry.id, entry);
        if (key !== this.key) localStorage.removeItem(key);
      }
    } catch {
      return []; // storage disabled: nothing was saved either
    }
    const list = [...found.values()]
      .sort((a, b) => a.t - b.t)
      .map(({ id, op, t, text, preview }) => ({ id, op, t, sent: false, retry: false, text: loadedText(text), ...(preview ? { preview } : {}) }))
      // Typing that was never made into an op and cannot be read back is not an op to send.
      .filter((e) => e.text || e.op.kind !== "text.splice" || Object.hasOwn(e.op, "base"));
    this.save(list);
    return list;
  }

  save(list) {
    try {
      if (list.length === 0) localStorage.removeItem(this.key);
      else localStorage.setItem(this.key, JSON.stringify(list.map(stored)));
    } catch {
      // Storage full or disabled: the edits still live in memory and are sent as usual.
    }
  }
}

/** An entry as kept in localStorage: the op (and its preview), and for typing the change and
 * its text. */
function stored({ id, op, t, text, preview }) {
  if (!text) return preview ? { id, op, t, preview } : { id, op, t };
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

function readList(key) {
  try {
    const list = JSON.parse(localStorage.getItem(key) || "[]");
    return Array.isArray(list) ? list.filter((e) => e && typeof e.id === "string" && e.op) : [];
  } catch {
    return [];
  }
}
