// The workshop's stage: what the room looks at (spotlight), the shared timer, the agenda item.
//
// Three parts, from the bottom up:
//  - applyStage(state, op, ctx): a line-by-line mirror of board/model/stage.py (same checks in
//    the same order, same refusal codes and sentences), pure: no DOM, no network. Tested
//    against the server's reducer by tests/e2e/test_stage_mirror.py.
//  - StageSync: a LogClient (logclient.js: one op log followed live on a Connection) for the
//    stage, with `remaining()` for the timer.

import { LogClient, RoomError } from "./logclient.js";

export const MODES = ["overview", "board", "section", "cross"]; // cross: a section of every board
export const TIMER_MAX_S = 24 * 3600;
const ID_MAX = 64;

// Python semantics the checks rely on ------------------------------------------------------

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
/** dict.get: own keys only (an op may name "constructor"), None for a missing key. */
const get = (obj, key) => (Object.hasOwn(obj, key) && obj[key] !== undefined ? obj[key] : null);
/** Python measures strings in code points, JavaScript in UTF-16 units. */
const pyLen = (s) => [...s].length;
/** isinstance(v, int) and not a bool: JSON numbers without a fraction. */
const isInt = (v) => typeof v === "number" && Number.isInteger(v);
// What str.strip() removes (str.isspace), so "only whitespace" is the server's notion.
const PY_BLANK = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/u;
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python's truth value of a JSON value. */
export function pyTruthy(v) {
  if (v === null || v === undefined || v === false || v === 0 || v === "" || Number.isNaN(v)) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

/** Python's repr() of a JSON scalar, for the sentences that quote one. */
export function pyRepr(value) {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  if (typeof value !== "string") return JSON.stringify(value);
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = "";
  for (const ch of value) {
    const code = ch.codePointAt(0);
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch !== " " && NON_PRINTABLE.test(ch)) {
      if (code < 0x100) out += `\\x${code.toString(16).padStart(2, "0")}`;
      else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, "0")}`;
      else out += `\\U${code.toString(16).padStart(8, "0")}`;
    } else out += ch;
  }
  return quote + out + quote;
}

// Server time: ISO 8601 in UTC, as microseconds since the epoch (Python keeps microseconds).

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})?$/;

/** "2027-03-09T14:02:11.503Z" -> microseconds since the epoch (NaN when not a time). */
export function parseIso(text) {
  const m = typeof text === "string" ? ISO_RE.exec(text) : null;
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s, frac = "", zone = "Z"] = m;
  let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  if (zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    ms -= sign * (+zone.slice(1, 3) * 60 + +zone.slice(4, 6)) * 60000;
  }
  return ms * 1000 + Number(frac.padEnd(6, "0"));
}

/** Microseconds since the epoch -> the server's way of writing a time (milliseconds, Z). */
export function isoOf(micros) {
  return new Date(Math.floor(micros / 1000)).toISOString();
}

// The reducer (board/model/stage.py) --------------------------------------------------------

class Refused extends Error {
  constructor(code, message) {
    super(message);
    this.refusal = { code, message };
  }
}
const refuse = (code, message) => new Refused(code, message);

function asStage(state) {
  if (state.kind !== "stage") throw refuse("bad_request", "This operation is for the workshop stage, not a board.");
  return state.stage;
}

function facilitatorOnly(ctx, what) {
  if (ctx.actor && ctx.actor.role !== "facilitator") throw refuse("forbidden", `Only the facilitator can ${what}.`);
}

function stringId(value, what) {
  if (typeof value !== "string" || !(1 <= pyLen(value) && pyLen(value) <= ID_MAX)) {
    throw refuse("bad_request", `The ${what} must be a string of 1 to ${ID_MAX} characters.`);
  }
  return value;
}

function textField(value, name, limit, required = true) {
  if (typeof value !== "string" || (required && PY_BLANK.test(value))) throw refuse("bad_request", `'${name}' needs some text.`);
  if (pyLen(value) > limit) throw refuse("bad_request", `'${name}' is limited to ${limit} characters.`);
  return value;
}

function seconds(value, name, low, high) {
  if (!isInt(value) || !(low <= value && value <= high)) {
    throw refuse("bad_request", `'${name}' must be a whole number of seconds, ${low} to ${high}.`);
  }
  return value;
}

function target(op, ctx) {
  const mode = get(op, "mode");
  if (!MODES.includes(mode)) throw refuse("bad_request", `'mode' must be one of ${MODES.join(", ")}.`);
  const board = mode === "overview" || mode === "cross" ? null : stringId(get(op, "board"), "board id");
  const section = mode === "section" || mode === "cross" ? get(op, "section") : null;
  if ((mode === "section" || mode === "cross") && !ctx.sectionIds.includes(section)) {
    throw refuse("bad_request", `There is no section ${pyRepr(section)} on this canvas.`);
  }
  return { mode, board, section };
}

function spotlight(state, op, ctx) {
  const stage = asStage(state);
  const to = target(op, ctx);
  facilitatorOnly(ctx, "move the spotlight");
  stage.spotlight = { ...to, by: ctx.by, at: ctx.at };
}

function start(timer, at, secs, label) {
  if (secs !== null) timer.duration_ms = timer.remaining_ms = secs * 1000;
  if (label !== null) timer.label = label;
  timer.ends_at = isoOf(parseIso(at) + timer.remaining_ms * 1000);
  timer.status = "running";
}

function timerStart(state, op, ctx) {
  const timer = asStage(state).timer;
  let secs = get(op, "seconds");
  if (secs !== null) secs = seconds(secs, "seconds", 1, TIMER_MAX_S);
  let label = get(op, "label");
  if (label !== null) label = textField(label, "label", 200, false);
  facilitatorOnly(ctx, "run the timer"); // the role before the state
  // Start on a running timer starts it again from the top (of the new length, if given).
  const left = timer.status === "running" ? timer.duration_ms : timer.remaining_ms;
  if (secs === null && left <= 0) throw refuse("bad_request", "Say how many seconds the timer should run.");
  timer.remaining_ms = left;
  start(timer, ctx.at, secs, label);
}

function timerPause(state, op, ctx) {
  const timer = asStage(state).timer;
  facilitatorOnly(ctx, "run the timer");
  if (timer.status !== "running") throw refuse("conflict", "The timer is not running.");
  // int(timedelta.total_seconds() * 1000), with the same floating-point steps.
  const left = (parseIso(timer.ends_at) - parseIso(ctx.at)) / 1e6;
  timer.remaining_ms = Math.max(0, Math.trunc(left * 1000));
  timer.ends_at = null;
  timer.status = "paused";
}

function timerExtend(state, op, ctx) {
  const timer = asStage(state).timer;
  const secs = seconds(get(op, "seconds"), "seconds", -TIMER_MAX_S, TIMER_MAX_S);
  facilitatorOnly(ctx, "run the timer");
  if (timer.status === "running") {
    const ends = parseIso(timer.ends_at) + secs * 1e6;
    timer.ends_at = isoOf(Math.max(ends, parseIso(ctx.at)));
  } else {
    timer.remaining_ms = Math.max(0, timer.remaining_ms + secs * 1000);
  }
}

function timerReset(state, op, ctx) {
  const timer = asStage(state).timer;
  facilitatorOnly(ctx, "run the timer");
  Object.assign(timer, { status: "idle", remaining_ms: timer.duration_ms, ends_at: null });
}

function agendaStart(state, op, ctx) {
  const stage = asStage(state);
  const day = get(op, "day");
  const index = get(op, "index");
  if (!isInt(day) || !(1 <= day && day <= 3)) throw refuse("bad_request", "'day' must be 1, 2 or 3.");
  if (!isInt(index) || !(0 <= index && index < 50)) {
    throw refuse("bad_request", "'index' must be the item's place in the day's agenda.");
  }
  const title = textField(get(op, "title"), "title", 200);
  let minutes = get(op, "minutes");
  if (minutes !== null) minutes = seconds(minutes, "minutes", 1, 600);
  let to;
  if (pyTruthy(get(op, "board"))) {
    const section = get(op, "section");
    to = target({ mode: pyTruthy(section) ? "section" : "board", board: op.board, section }, ctx);
  } else if (pyTruthy(get(op, "section"))) {
    to = target({ mode: "cross", section: op.section }, ctx); // a section of every board
  } else {
    to = { mode: "overview", board: null, section: null };
  }
  facilitatorOnly(ctx, "run the agenda");
  stage.spotlight = { ...to, by: ctx.by, at: ctx.at };
  stage.agenda = { day, index, title, started_at: ctx.at };
  if (minutes !== null) {
    stage.timer.status = "idle";
    start(stage.timer, ctx.at, minutes * 60, title);
  }
}

const HANDLERS = new Map([
  ["stage.spotlight", spotlight],
  ["timer.start", timerStart],
  ["timer.pause", timerPause],
  ["timer.extend", timerExtend],
  ["timer.reset", timerReset],
  ["agenda.start", agendaStart],
]);
export const STAGE_KINDS = [...HANDLERS.keys()];

// A board's kinds on the stage: refused as the server's board handlers refuse them there (the
// stage has no cards, comments or rounds, so those ops end at "not found", the others at
// as_board). The server's kinds, in its order, for the sentence naming them all.
const BOARD_ONLY = "This operation is for a board, not the workshop stage.";
const LOOKUPS = {
  card: ["card id", "That card is not on this board (it may have been deleted)."],
  comment: ["comment id", "That comment is not on this board (it may have been deleted)."],
  round: ["round id", "There is no such voting round on this board."],
};
const BOARD_KINDS = new Map([
  ["card.add", null],
  ["card.update", "card"],
  ["card.move", "card"],
  ["card.delete", "card"],
  ["card.restore", null],
  ["board.update", null],
  ["section.lock", null],
  ["comment.add", null],
  ["comment.update", "comment"],
  ["comment.resolve", "comment"],
  ["comment.delete", "comment"],
  ["vote.open", null],
  ["vote.place", "round"],
  ["vote.remove", "round"],
  ["vote.close", "round"],
  ["vote.reveal", "round"],
  ["private.start", null],
  ["private.reveal", null],
]);
const ALL_KINDS = [...BOARD_KINDS.keys(), ...STAGE_KINDS, "text.splice"];

function boardOnly(state, op) {
  const lookup = BOARD_KINDS.get(op.kind) ?? null;
  if (lookup !== null) {
    const [what, missing] = LOOKUPS[lookup];
    stringId(get(op, lookup), what);
    throw refuse("not_found", missing);
  }
  throw refuse("bad_request", BOARD_ONLY);
}

/**
 * Apply one stage op to a stage state in its wire shape ({id, workshop, kind, seq, stage}):
 * returns `state` (changed in place, seq advanced) or a refusal {code, message}.
 * ctx: {at, by, actor: {id, role} | null (an accepted event: no role check), sectionIds}.
 */
export function applyStage(state, op, ctx) {
  const kind = isObject(op) && typeof op.kind === "string" && Object.hasOwn(op, "kind") ? op.kind : null;
  const handler = HANDLERS.get(kind) ?? (ALL_KINDS.includes(kind) ? boardOnly : undefined);
  if (handler === undefined) {
    // The server's sentence names every kind it knows, the board's too.
    return { code: "bad_request", message: `Unknown operation; the kinds are ${ALL_KINDS.join(", ")}.` };
  }
  try {
    handler(state, op, ctx);
  } catch (error) {
    if (error instanceof Refused) return error.refusal;
    throw error;
  }
  state.seq += 1;
  return state;
}

export const isRefusal = (result) => !(isObject(result) && "seq" in result);

/** "4:05", "1:02:03"; whole seconds rounded up, so a fresh 5-minute timer reads 5:00. */
export function formatClock(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

// The stage ----------------------------------------------------------------------------------

/**
 * The stage's log: `state.stage` is {spotlight, timer, agenda}. sectionIds: the template's
 * section ids (the spotlight's section must be one of them).
 */
export class StageSync extends LogClient {
  constructor({ id, sectionIds, ...callbacks }) {
    super({ id, ...callbacks });
    this.sectionIds = sectionIds;
  }

  applyEvent(state, event) {
    const result = applyStage(state, event.op, { at: event.at, by: event.by, actor: null, sectionIds: this.sectionIds });
    return isRefusal(result) ? result : true;
  }

  get stage() {
    return this.state ? this.state.stage : null;
  }

  /** Milliseconds left on the shared timer, by the server's clock. */
  remaining() {
    const timer = this.stage?.timer;
    if (!timer) return 0;
    if (timer.status !== "running") return timer.remaining_ms;
    return Math.max(0, parseIso(timer.ends_at) / 1000 - this.serverNow());
  }

  /** Check an op as the server will (same sentence when refused), then send it. */
  send(op) {
    if (this.state && this.me) {
      const at = isoOf(this.serverNow() * 1000);
      const trial = applyStage(structuredClone(this.state), op, { at, by: this.me.id, actor: this.me, sectionIds: this.sectionIds });
      if (isRefusal(trial)) return Promise.reject(new RoomError(trial.code, trial.message));
    }
    return super.send(op);
  }
}
