// A deterministic simulation of people typing into one card, for test_typing_sim.py: the real
// BoardSync (static/js/sync.js) in several "tabs", against a simulated server built on the
// browser's reducer (model.js, which mirrors the server's; a splice is rebased and stored with
// `server.ops` as board/model/visibility.py enrich does, an op id is applied once and a resend
// is answered with its original event). Virtual time; the network delays frames, drops
// connections (frames in flight are lost both ways), and tabs reload (a new BoardSync on the
// same localStorage, welcomed with the whole state). Each tab types unique characters at
// random places and deletes random ranges (what it deletes is what it saw), through the
// handle a text area uses (openText), and checks every change the handle reports.
//
// argv: path of static/js/, then a JSON config {seed, tabs, steps, ...}. Prints a JSON report.
import { pathToFileURL } from "node:url";

const dir = process.argv[2];
const config = { seed: 1, tabs: 3, actions: 120, drops: 0.004, reloads: 0.002, addOffline: 1500, ...JSON.parse(process.argv[3] || "{}") };

// Deterministic randomness ------------------------------------------------------------------

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
// sync.js draws its back-off jitter and its ids at random too: the same seed, the same run.
const jitter = mulberry32(config.seed + 1);
Math.random = jitter;
Object.defineProperty(globalThis, "crypto", {
  value: { getRandomValues: (bytes) => bytes.map(() => Math.floor(jitter() * 256)) },
  configurable: true,
});

// Virtual time and the browser globals sync.js uses ------------------------------------------

let now = 0;
let current = null; // the tab (and its generation) whose code runs now
const timers = new Map();
let timerSeq = 0;
const START = Date.UTC(2027, 2, 9, 14, 0, 0);

globalThis.setTimeout = (fn, ms = 0) => {
  timerSeq += 1;
  timers.set(timerSeq, { at: now + Math.max(0, ms), seq: timerSeq, fn, ctx: current });
  return timerSeq;
};
globalThis.clearTimeout = (id) => timers.delete(id);
Object.defineProperty(globalThis, "performance", { value: { now: () => now }, configurable: true, writable: true });
Date.now = () => START + now;
globalThis.addEventListener = () => {};
// No heartbeat here (the connection's ticker): sockets in this simulation either carry frames
// or close, and a ticker firing forever would never let the run settle.
globalThis.setInterval = () => 0;
Object.defineProperty(globalThis, "navigator", { value: { onLine: true }, configurable: true, writable: true });
globalThis.location = { protocol: "http:", host: "sim" };

class Storage {
  constructor() {
    this.map = new Map();
  }
  get length() {
    return this.map.size;
  }
  key(i) {
    return [...this.map.keys()][i] ?? null;
  }
  getItem(k) {
    return this.map.has(k) ? this.map.get(k) : null;
  }
  setItem(k, v) {
    this.map.set(k, String(v));
  }
  removeItem(k) {
    this.map.delete(k);
  }
}
Object.defineProperty(globalThis, "localStorage", { get: () => current.tab.local, configurable: true });
Object.defineProperty(globalThis, "sessionStorage", { get: () => current.tab.session, configurable: true });

function runAs(ctx, fn) {
  const before = current;
  current = ctx;
  try {
    return fn();
  } finally {
    current = before;
  }
}
const alive = (ctx) => ctx === null || ctx.gen === ctx.tab.gen;

// The network ---------------------------------------------------------------------------------

const NET = null; // network timers belong to no tab
let server; // set below

class FakeSocket {
  static OPEN = 1;
  constructor() {
    this.ctx = current;
    this.readyState = 0;
    this.listeners = { open: [], message: [], close: [] };
    this.toServer = 0; // delivery times keep each direction in order (TCP)
    this.toClient = 0;
    this.conn = { socket: this, closed: false };
    if (this.ctx && now < this.ctx.tab.blockedUntil) {
      // This tab's network is down: the connection fails.
      this.conn.closed = true;
      this.later(between(1, 30), () => this.emit("close", { code: 1006, reason: "" }));
      return;
    }
    this.later(between(1, 30), () => {
      if (this.conn.closed) return;
      this.readyState = 1;
      this.emit("open", {});
    });
  }
  addEventListener(type, fn) {
    this.listeners[type].push(fn);
  }
  emit(type, event) {
    if (!alive(this.ctx)) return;
    runAs(this.ctx, () => {
      for (const fn of this.listeners[type]) fn(event);
    });
  }
  later(ms, fn) {
    runAs(NET, () => setTimeout(fn, ms));
  }
  send(text) {
    if (this.readyState !== 1) throw new Error("send on a socket that is not open");
    this.toServer = Math.max(this.toServer, now) + between(1, 40);
    this.later(this.toServer - now, () => {
      if (!this.conn.closed) server.receive(this.conn, JSON.parse(text));
    });
  }
  deliver(frame) {
    const text = JSON.stringify(frame);
    this.toClient = Math.max(this.toClient, now) + between(1, 40);
    this.later(this.toClient - now, () => {
      if (!this.conn.closed) this.emit("message", { data: text });
    });
  }
  /** The connection breaks: what is in flight either way is lost. */
  drop() {
    if (this.conn.closed) return;
    this.conn.closed = true;
    this.readyState = 3;
    server.leave(this.conn);
    this.later(between(1, 50), () => this.emit("close", { code: 1006, reason: "" }));
  }
  close() {
    if (this.conn.closed) return;
    this.conn.closed = true;
    this.readyState = 3;
    server.leave(this.conn);
  }
}
globalThis.WebSocket = FakeSocket;

// The modules under test, loaded with the globals in place.
const model = await import(pathToFileURL(`${dir}/model.js`).href);
const text = await import(pathToFileURL(`${dir}/text.js`).href);
const { BoardSync } = await import(pathToFileURL(`${dir}/sync.js`).href);
const rawTemplate = JSON.parse(config.template);
const template = model.makeTemplate(rawTemplate);

// The server --------------------------------------------------------------------------------

const problems = [];
const fail = (message) => problems.push(`${now}ms: ${message}`);

class Server {
  constructor(wire) {
    this.state = model.fromWire(wire);
    this.events = [];
    this.byId = new Map();
    this.conns = new Set();
    this.splices = 0;
    this.resends = 0;
  }
  leave(conn) {
    this.conns.delete(conn);
  }
  receive(conn, frame) {
    if (frame.type === "hello") {
      const welcome = { type: "welcome", board: this.state.id, seq: this.state.seq, now: new Date(START + now).toISOString(), me: {} };
      if (frame.since === null || frame.since > this.state.seq) welcome.state = model.toWire(this.state, template);
      else welcome.ops = this.events.slice(frame.since);
      conn.actor = conn.socket.ctx.tab.actor;
      conn.client = frame.client;
      conn.socket.deliver(welcome);
      this.conns.add(conn);
      return;
    }
    if (frame.type === "ping") return conn.socket.deliver({ type: "pong" });
    if (frame.type !== "op" || !this.conns.has(conn)) return;
    const known = this.byId.get(frame.id);
    if (known) {
      const { server: _, ...sent } = known.op;
      if (JSON.stringify(sent) !== JSON.stringify(frame.op)) fail(`op ${frame.id} resent with another body`);
      this.resends += 1;
      conn.socket.deliver(known);
      return;
    }
    let op = frame.op;
    if (op.kind === "text.splice") {
      try {
        op = { ...op, server: { ops: model.rebasedSplice(this.state, op, template) } };
      } catch {
        // refused below with the same sentence
      }
    }
    const at = new Date(START + now).toISOString();
    const result = model.apply(this.state, op, { at, by: conn.actor.id, actor: conn.actor, template });
    if (model.isRefusal(result)) {
      conn.socket.deliver({ type: "error", id: frame.id, code: result.code, message: result.message });
      return;
    }
    if (op.kind === "text.splice") this.splices += 1;
    const event = { type: "op", seq: this.state.seq, id: frame.id, client: conn.client, by: conn.actor.id, at, op };
    this.events.push(event);
    this.byId.set(frame.id, event);
    for (const other of this.conns) other.socket.deliver(event);
  }
}

// The tabs ------------------------------------------------------------------------------------

const CARD = "c_typed";
const TARGET = { card: CARD, field: "text" };
const SENTINEL = "§"; // never deleted, so the text is never blank
let nextChar = 0x4e00; // unique characters: one per keystroke, in a CJK block
const inserted = new Set();
const deleted = new Set();
const errors = [];

function makeTab(n) {
  const tab = { n, gen: 0, local: new Storage(), session: new Storage(), actor: { id: `p_${n}`, role: "expert", workshop: "w" }, blockedUntil: 0 };
  start(tab);
  return tab;
}

function start(tab) {
  tab.gen += 1;
  tab.field = null;
  const ctx = { tab, gen: tab.gen };
  runAs(ctx, () => {
    tab.sync = new BoardSync({
      boardId: "b",
      template,
      actor: tab.actor,
      onChange: () => {},
      onStatus: () => {},
      onPresence: () => {},
      onError: (message) => errors.push(`tab ${tab.n}: ${message}`),
    });
    tab.sync.start();
  });
  tab.ctx = ctx;
}

/** What a text area does: follow the handle, check each change it reports. */
function openField(tab) {
  const field = tab.sync.openText(TARGET, (value, change) => {
    if (value === null) return fail(`tab ${tab.n}: the card vanished`);
    if (change !== null && text.applyText(tab.area, change) !== value) {
      fail(`tab ${tab.n}: the reported change does not lead to the new text`);
    }
    tab.area = value;
  });
  if (field === null) return;
  tab.field = field;
  tab.area = field.text;
}

function act(tab) {
  const sync = tab.sync;
  if (!sync.view) return;
  if (tab.field === null) {
    if (!sync.view.cards.has(CARD)) return;
    openField(tab);
    if (tab.field === null) return;
  }
  if (tab.area !== tab.field.text) fail(`tab ${tab.n}: the area and the handle disagree`);
  if (random() < 0.03) {
    tab.field.close(); // the dialog closes (and is opened again at the next keystroke)
    tab.field = null;
    return;
  }
  const chars = [...tab.area];
  let next;
  let cursor;
  const typed = [];
  let gone = [];
  // Mostly typing, some deleting; texts stay well under the 500 characters a card holds.
  if ((random() < 0.75 && chars.length < 150) || chars.length < 6) {
    const at = between(0, chars.length);
    const count = between(1, 3);
    for (let i = 0; i < count; i += 1) typed.push(String.fromCodePoint(nextChar++));
    next = [...chars.slice(0, at), ...typed, ...chars.slice(at)].join("");
    cursor = at + count;
  } else {
    const at = between(0, chars.length - 1);
    const length = Math.min(between(1, 4), chars.length - at);
    gone = chars.slice(at, at + length);
    if (gone.includes(SENTINEL)) return;
    next = [...chars.slice(0, at), ...chars.slice(at + length)].join("");
    cursor = at;
  }
  const refused = tab.field.edit(next, cursor);
  if (refused === WAIT) {
    // Just after a reload, until the resend of a splice is answered: the area goes back.
    seen.waited += 1;
    tab.area = tab.field.text;
    return;
  }
  if (refused !== null) return fail(`tab ${tab.n}: typing refused: ${refused}`);
  for (const c of typed) inserted.add(c);
  for (const c of gone) deleted.add(c);
  tab.area = next;
}
const WAIT = "Your earlier typing here is still being saved; type again in a moment.";

// The run -----------------------------------------------------------------------------------

const initial = model.fromWire(JSON.parse(config.board));
server = new Server(model.toWire(initial, template));
const tabs = [];
for (let n = 0; n < config.tabs; n += 1) tabs.push(makeTab(n));

// Tab 0 adds the card while its network is down for a while: its typing into the card waits
// until the server has the card, and the others see the card only then.
const adder = tabs[0];
function addCard() {
  if (!adder.sync.view) return runAs(NET, () => setTimeout(() => runAs(adder.ctx, addCard), 5));
  adder.blockedUntil = now + config.addOffline;
  adder.sync.conn.ws?.drop();
  const refused = adder.sync.submit({ kind: "card.add", card: { id: CARD, section: "problem_vision", type: "idea", text: `Start ${SENTINEL} end` }, after: null });
  if (refused) fail(`card.add refused: ${refused}`);
}
runAs(NET, () => setTimeout(() => runAs(adder.ctx, addCard), 1));

let actions = 0;
const seen = { drops: 0, reloads: 0, uncertain: 0, waited: 0, waitingForCard: 0, buffered: 0 };
function schedule(tab) {
  runAs(NET, () =>
    setTimeout(() => {
      if (actions >= config.actions * config.tabs) return;
      actions += 1;
      runAs(tab.ctx, () => act(tab));
      const entries = tab.sync.pending.filter((p) => p.text);
      if (entries.some((p) => p.text.uncertain)) seen.uncertain += 1;
      if (entries.length && tab.sync.confirmed && !tab.sync.confirmed.cards.has(CARD)) seen.waitingForCard += 1;
      if (entries.some((p) => p.text.fixed) && entries.some((p) => !p.text.fixed)) seen.buffered += 1;
      // Now and then the network drops this tab's connection, or the tab reloads.
      const roll = random();
      if (roll < config.drops * 20) {
        seen.drops += 1;
        tab.sync.conn.ws?.drop?.();
      } else if (roll < (config.drops + config.reloads) * 20) {
        seen.reloads += 1;
        tab.field?.close?.();
        const old = tab.sync.conn.ws;
        tab.gen += 1; // the old page's timers and socket are gone with it
        old?.close?.();
        start(tab);
      }
      schedule(tab);
    }, between(5, 90)),
  );
}
for (const tab of tabs) schedule(tab);

let steps = 0;
while (timers.size > 0 && steps < 2_000_000) {
  steps += 1;
  let first = null;
  for (const t of timers.values()) if (first === null || t.at < first.at || (t.at === first.at && t.seq < first.seq)) first = t;
  timers.delete(first.seq);
  now = first.at;
  if (!alive(first.ctx)) continue;
  runAs(first.ctx, first.fn);
}
// Quiescence: the dialogs close (typing goes out at once), the network settles.
for (const tab of tabs) runAs(tab.ctx, () => tab.field?.close());
while (timers.size > 0 && steps < 4_000_000) {
  steps += 1;
  let first = null;
  for (const t of timers.values()) if (first === null || t.at < first.at || (t.at === first.at && t.seq < first.seq)) first = t;
  timers.delete(first.seq);
  now = first.at;
  if (!alive(first.ctx)) continue;
  runAs(first.ctx, first.fn);
}

const final = server.state.cards.get(CARD)?.text ?? null;
const shown = tabs.map((tab) => (tab.sync.view ? tab.sync.view.cards.get(CARD)?.text ?? null : null));
const pending = tabs.map((tab) => tab.sync.pending.length);
const status = tabs.map((tab) => tab.sync.status);
const left = final === null ? [] : [...final];
const expected = [...inserted].filter((c) => !deleted.has(c));
const missing = expected.filter((c) => !left.includes(c));
const extra = left.filter((c) => c.codePointAt(0) >= 0x4e00 && (!inserted.has(c) || deleted.has(c)));
const twice = left.filter((c, i) => c.codePointAt(0) >= 0x4e00 && left.indexOf(c) !== i);
process.stdout.write(
  JSON.stringify({
    problems,
    errors,
    final,
    shown,
    pending,
    status,
    missing,
    extra,
    twice,
    inserted: inserted.size,
    deleted: deleted.size,
    splices: server.splices,
    resends: server.resends,
    seq: server.state.seq,
    steps,
    now,
    stored: tabs.map((tab) => tab.local.map.size),
    seen,
  }),
);
