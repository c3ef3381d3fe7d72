// Character-level merge of concurrent text edits: a line-by-line mirror of board/model/text.py
// (what the reducer needs: splice, normalize, apply, transform, rebase).
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
