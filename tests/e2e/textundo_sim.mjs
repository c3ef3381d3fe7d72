// Random typing sessions for test_text_undo.py: the real TypingHistory (static/js/textundo.js)
// records this person's typing and deletions while someone else types into the same text, and
// undoes and redoes at random. Deterministic for a seed. Prints a JSON report of what broke the
// promises of docs/undo.md, if anything: undoing everything removes every character this person
// typed and brings back every character they deleted, never removes another's, and a redo right
// after an undo gives the text back.
//
// argv: path of static/js/, then a JSON config {seed, steps}.
import { pathToFileURL } from "node:url";

const dir = process.argv[2];
const config = { seed: 1, steps: 80, ...JSON.parse(process.argv[3] || "{}") };
const { TypingHistory } = await import(pathToFileURL(`${dir}/textundo.js`).href);
const { applyText, splice } = await import(pathToFileURL(`${dir}/text.js`).href);

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(config.seed);
const between = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));

const problems = [];
const ORIGINAL = "ABCDEFGH";
let mine = 0x4e00; // this person's characters: one per keystroke
let theirs = 0x3041; // the other person's
const isMine = (c) => c.codePointAt(0) >= 0x4e00;
const theirsTyped = new Set();
const chars = (s) => [...s];

let text = ORIGINAL;
let now = 0;
const history = new TypingHistory();
const seen = { inserts: 0, deletes: 0, remote: 0, undos: 0, redos: 0, roundTrips: 0 };

for (let step = 0; step < config.steps; step += 1) {
  now += between(0, 1400);
  const roll = random();
  const at = between(0, chars(text).length);
  if (roll < 0.4) {
    const typed = Array.from({ length: between(1, 3) }, () => (random() < 0.2 ? " " : String.fromCodePoint(mine++))).join("");
    const next = [...chars(text).slice(0, at), typed, ...chars(text).slice(at)].join("");
    history.record(text, next, at + chars(typed).length, now);
    text = next;
    seen.inserts += 1;
  } else if (roll < 0.58 && chars(text).length > 1) {
    const from = Math.min(at, chars(text).length - 1);
    const length = Math.min(between(1, 3), chars(text).length - from);
    const next = [...chars(text).slice(0, from), ...chars(text).slice(from + length)].join("");
    history.record(text, next, from, now);
    text = next;
    seen.deletes += 1;
  } else if (roll < 0.82) {
    const typed = Array.from({ length: between(1, 2) }, () => String.fromCodePoint(theirs++));
    for (const c of typed) theirsTyped.add(c);
    const change = splice(chars(text).length, at, 0, typed.join(""));
    text = applyText(text, change);
    history.remote(change);
    seen.remote += 1;
  } else {
    const which = roll < 0.93 ? "undo" : "redo";
    const found = history[which](text);
    if (found === null) continue;
    const before = text;
    // Another's characters never go away with an undo or a redo of this person's typing.
    const lost = chars(before).filter((c) => !isMine(c) && c !== " " && !chars(found.text).includes(c));
    if (lost.length && which === "undo") problems.push(`step ${step}: an undo removed ${lost.join("")}`);
    text = found.text;
    found.commit();
    seen[`${which}s`] += 1;
    if (which === "undo" && random() < 0.3) {
      const back = history.redo(text);
      if (back === null) problems.push(`step ${step}: nothing to redo right after an undo`);
      else {
        back.commit();
        if (back.text !== before) problems.push(`step ${step}: redo after undo gave ${back.text}, not ${before}`);
        text = back.text;
        seen.roundTrips += 1;
      }
    }
  }
}

const undone = history.undoneAll(text);
const left = chars(undone);
if (left.some(isMine)) problems.push(`undoing everything left this person's typing: ${undone}`);
for (const c of [...ORIGINAL, ...theirsTyped]) {
  const count = left.filter((x) => x === c).length;
  if (count !== 1) problems.push(`after undoing everything, ${c} is there ${count} times: ${undone}`);
}
const order = left.filter((c) => ORIGINAL.includes(c)).join("");
if (order !== ORIGINAL) problems.push(`the original text came back as ${order}`);

// Runs, on their own: a sentence typed key by key comes back a word at a time, a pause cuts a
// word in two, backspaces go together, and a deletion undone then the typing it deleted leave
// nothing behind.
function typeOut(h, start, keys, gap = 60) {
  let t = start;
  let at = 0;
  for (const key of keys) {
    at += gap;
    const next = key === "\b" ? [...t].slice(0, -1).join("") : t + key;
    h.record(t, next, [...next].length, at);
    t = next;
  }
  return t;
}
function undoAll(h, t) {
  const seenTexts = [];
  for (let found = h.undo(t); found !== null; found = h.undo(t)) {
    t = found.text;
    found.commit();
    seenTexts.push(t);
  }
  return seenTexts;
}
const words = new TypingHistory();
const runs = {
  words: undoAll(words, typeOut(words, "", [..."We fund it now"])),
  backspaces: (() => {
    const h = new TypingHistory();
    return undoAll(h, typeOut(h, "", [..."helo", "\b", "\b", ..."lo!"]));
  })(),
};
const paused = new TypingHistory();
let t = "";
let clock = 0;
for (const key of "abcdef") {
  clock += key === "d" ? 2000 : 50; // a pause before "d"
  paused.record(t, t + key, t.length + 1, clock);
  t += key;
}
runs.pause = undoAll(paused, t);
process.stdout.write(JSON.stringify({ problems, seen, text, undone, runs }));
