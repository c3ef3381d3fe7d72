// Character-level merge of concurrent text edits: a line-by-line mirror of board/model/text.py
// (splice, normalize, apply, transform, compose, rebase), plus what a typing client needs on
// top: the change between two texts (diff), a change cut into the splices the protocol sends
// (splitFirst), and a cursor carried over a change (transformIndex).
//
// A change is a list of components walked left to right over the old text: a positive number
// keeps that many characters, a negative one deletes that many, a string inserts itself.
// Lengths count Unicode code points, as Python's str does (JavaScript strings count UTF-16
// units, so texts are walked as arrays of code points here).

/** A change that does not fit its text (Python's ValueError in text.py). */
export class TextError extends Error {}

const isStr = (c) => typeof c === "string";
const cpLen = (s) => [...s].length;

/** The change "at `at`, delete `del` characters, insert `insert`" on a text of `length`. */
export function splice(length, at, del, insert) {
  if (!(0 <= at && at <= length) || del < 0 || at + del > length) {
    throw new TextError("the splice does not fit the text it was written against");
  }
  return normalize([at, -del, insert, length - at - del]);
}

function sameKind(a, b) {
  if (isStr(a) || isStr(b)) return isStr(a) && isStr(b);
  return a > 0 === b > 0;
}

function push(out, c) {
  if (out.length && sameKind(out[out.length - 1], c)) out[out.length - 1] += c;
  else out.push(c);
}

/** Drop empty parts and merge neighbours of the same kind; an insert next to a delete is put
 * first, so equal changes always have equal components. */
export function normalize(components) {
  const out = [];
  for (const c of components) {
    if (c === 0 || c === "") continue;
    if (isStr(c)) {
      const last = out[out.length - 1];
      if (out.length && !isStr(last) && last < 0) {
        const deleted = out.pop();
        push(out, c);
        out.push(deleted);
      } else {
        push(out, c);
      }
    } else {
      push(out, c);
    }
  }
  return out;
}

export function baseLength(op) {
  let n = 0;
  for (const c of op) if (!isStr(c)) n += Math.abs(c);
  return n;
}

export function applyText(text, op) {
  const chars = [...text];
  if (baseLength(op) !== chars.length) throw new TextError("the change was written for a text of another length");
  let out = "";
  let i = 0;
  for (const c of op) {
    if (isStr(c)) out += c;
    else if (c > 0) {
      out += chars.slice(i, i + c).join("");
      i += c;
    } else i -= c;
  }
  return out;
}

export function targetLength(op) {
  let n = 0;
  for (const c of op) n += isStr(c) ? cpLen(c) : c > 0 ? c : 0;
  return n;
}

function rest(c, n, it) {
  const left = c > 0 ? c - n : c + n;
  return left !== 0 ? left : next(it);
}

function next(it) {
  const step = it.next();
  return step.done ? null : step.value;
}

/** [a', b'] such that applying a then b' equals applying b then a'. Both were written against
 * the same text; when both insert at the same place, `a`'s text goes first. */
export function transform(a, b) {
  if (baseLength(a) !== baseLength(b)) throw new TextError("both changes must be written against the same text");
  const aOut = [];
  const bOut = [];
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  let ca = next(ia);
  let cb = next(ib);
  while (ca !== null || cb !== null) {
    if (isStr(ca)) {
      aOut.push(ca);
      bOut.push(cpLen(ca));
      ca = next(ia);
      continue;
    }
    if (isStr(cb)) {
      aOut.push(cpLen(cb));
      bOut.push(cb);
      cb = next(ib);
      continue;
    }
    if (ca === null || cb === null) throw new TextError("lengths were checked above");
    const n = Math.min(Math.abs(ca), Math.abs(cb));
    if (ca > 0 && cb > 0) {
      aOut.push(n);
      bOut.push(n);
    } else if (ca < 0 && cb > 0) {
      aOut.push(-n);
    } else if (ca > 0 && cb < 0) {
      bOut.push(-n);
    }
    // both delete the same characters: neither needs to delete them again
    ca = rest(ca, n, ia);
    cb = rest(cb, n, ib);
  }
  return [normalize(aOut), normalize(bOut)];
}

/** Transform `op` (written at some base) over the changes applied after that base. */
export function rebase(op, appliedSince) {
  let out = op;
  for (const earlier of appliedSince) out = transform(earlier, out)[1];
  return out;
}

/** A whole-field replacement (card.update of `text`) as a change others can rebase over. */
export function replaceAll(oldText, newText) {
  return normalize([-cpLen(oldText), newText]);
}

/** One change equal to applying `a` then `b`. */
export function compose(a, b) {
  if (targetLength(a) !== baseLength(b)) throw new TextError("b must be written against the result of a");
  const out = [];
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  let ca = next(ia);
  let cb = next(ib);
  while (ca !== null || cb !== null) {
    if (ca !== null && !isStr(ca) && ca < 0) {
      out.push(ca);
      ca = next(ia);
      continue;
    }
    if (isStr(cb)) {
      out.push(cb);
      cb = next(ib);
      continue;
    }
    if (ca === null || cb === null) throw new TextError("lengths were checked above");
    if (isStr(ca)) {
      const chars = [...ca];
      const n = Math.min(chars.length, Math.abs(cb));
      if (cb > 0) out.push(chars.slice(0, n).join(""));
      ca = n < chars.length ? chars.slice(n).join("") : next(ia);
      cb = rest(cb, n, ib);
    } else {
      const n = Math.min(ca, Math.abs(cb));
      out.push(cb > 0 ? n : -n);
      ca = rest(ca, n, ia);
      cb = rest(cb, n, ib);
    }
  }
  return normalize(out);
}

// For the typing client -------------------------------------------------------------------

/** Whether a change leaves its text as it was. */
export const isNoop = (op) => op.every((c) => !isStr(c) && c > 0);

/**
 * The change from `oldText` to `newText`, as one splice: what differs between their common
 * start and common end. `cursor` (code points into newText, where the edit ended, as a text
 * field's selection is after typing) settles where a change among repeated characters was.
 */
export function diff(oldText, newText, cursor = null) {
  const a = [...oldText];
  const b = [...newText];
  let maxSuffix = Math.min(a.length, b.length);
  if (cursor !== null) maxSuffix = Math.max(0, Math.min(maxSuffix, b.length - cursor));
  let s = 0;
  while (s < maxSuffix && a[a.length - 1 - s] === b[b.length - 1 - s]) s += 1;
  const maxPrefix = Math.min(a.length, b.length) - s;
  let p = 0;
  while (p < maxPrefix && a[p] === b[p]) p += 1;
  return normalize([p, -(a.length - p - s), b.slice(p, b.length - s).join(""), s]);
}

/**
 * The change from `oldText` to `newText` that keeps as many characters as it can (a longest
 * common subsequence): what carries pending typing over a text that changed in ways not seen
 * one by one, so that characters still there are kept, not deleted and typed again. Where
 * keeping some characters means letting others go, the positions of oldText in `favored`
 * (the person's own typing) are kept first. Very different long texts fall back to one splice.
 */
export function diffKeeping(oldText, newText, favored = null) {
  const found = common(oldText, newText, favored);
  if (found.best === null) return diff(oldText, newText);
  const { p, s, x, y, best, weight } = found;
  const n = x.length;
  const m = y.length;
  const width = m + 1;
  const out = [p];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j] && best[i * width + j] === best[(i + 1) * width + j + 1] + weight(i)) {
      out.push(1);
      i += 1;
      j += 1;
    } else if (j < m && (i === n || best[i * width + j + 1] >= best[(i + 1) * width + j])) {
      out.push(y[j]);
      j += 1;
    } else {
      out.push(-1);
      i += 1;
    }
  }
  out.push(s);
  return normalize(out);
}

// Common start and end, and the table of heaviest common subsequences of what lies between
// (best[i * (m + 1) + j]: of x[i:] and y[j:], a kept character weighing 1, a favored one
// much more); best is null when one side is empty or both are huge.
function common(oldText, newText, favored) {
  const a = [...oldText];
  const b = [...newText];
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p += 1;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s += 1;
  const x = a.slice(p, a.length - s);
  const y = b.slice(p, b.length - s);
  const n = x.length;
  const m = y.length;
  const heavy = favored ? x.map((_, i) => favored.has(p + i)) : null;
  const weight = heavy ? (i) => (heavy[i] ? 1000 : 1) : () => 1;
  if (n === 0 || m === 0 || n * m > 4_000_000) return { p, s, x, y, best: null, weight };
  const width = m + 1;
  const best = new Int32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      const skip = Math.max(best[(i + 1) * width + j], best[i * width + j + 1]);
      best[i * width + j] = x[i] === y[j] ? Math.max(skip, best[(i + 1) * width + j + 1] + weight(i)) : skip;
    }
  }
  return { p, s, x, y, best, weight };
}

/** The positions, in the text a change leads to, of the characters it inserted. */
export function insertedPositions(op) {
  const out = new Set();
  let at = 0;
  for (const c of op) {
    if (isStr(c)) {
      for (let k = 0; k < cpLen(c); k += 1) out.add(at + k);
      at += cpLen(c);
    } else if (c > 0) at += c;
  }
  return out;
}

/**
 * A change cut in two: its first splice {at, delete, insert, change} (the change of that splice
 * alone, on the same text), and the rest, written against the text after the first splice
 * (null when nothing is left). Null for a change that changes nothing.
 */
export function splitFirst(op) {
  const total = baseLength(op);
  let i = 0;
  let at = 0;
  while (i < op.length && !isStr(op[i]) && op[i] > 0) at += op[i++];
  if (i === op.length) return null;
  let del = 0;
  let insert = "";
  while (i < op.length && (isStr(op[i]) || op[i] < 0)) {
    if (isStr(op[i])) insert += op[i];
    else del -= op[i];
    i += 1;
  }
  const first = normalize([at, insert, -del, total - at - del]);
  const rest = normalize([at + cpLen(insert), ...op.slice(i)]);
  return { at, delete: del, insert, change: first, rest: isNoop(rest) ? null : rest };
}

/** A position in the text (code points) carried over a change of that text. Text inserted
 * right at the position goes after it: a cursor stays where the person left it. */
export function transformIndex(op, index) {
  let old = 0;
  let out = index;
  for (const c of op) {
    if (old > index) break;
    if (isStr(c)) {
      if (old < index) out += cpLen(c);
    } else if (c > 0) {
      old += c;
    } else {
      if (old < index) out -= Math.min(-c, index - old);
      old -= c;
    }
  }
  return out;
}
