// One socket on one op log (a board, or the workshop's stage), under every page that talks to
// the server: the board (sync.js), the room pages (stage.js's LogClient: /run, /present, the
// board's Follow) and the pre-read editor (preread-link.js). It opens the socket and says hello,
// keeps it honest, and comes back by itself; what the frames mean is its owner's business.
//
// Honest means the state shown is the state the connection is in, within seconds:
//  - a heartbeat: after IDLE_PING without a frame it sends {"type": "ping"} (the server answers
//    "pong"); no frame STALL_AFTER later and it says "reconnecting" while it waits; none by
//    DEAD_AFTER and it drops the socket and opens a new one. A sleeping laptop (the clock jumps
//    between ticks) and a page coming back into view are checked at once;
//  - the browser's `offline` event drops the socket and says "offline" at once (a socket can
//    stay open through a network outage and carry nothing); `online` reconnects at once;
//  - back-off with jitter between attempts (0.5 s, 1 s, 2 s … 10 s, each drawn from its upper
//    half, so a restarted server is not hit by every laptop in the room at the same instant);
//  - close codes after which retrying cannot help (signed out, not allowed, no such board) end
//    it: "closed", with the server's reason.
//
// One vocabulary of states for every page (the pill's class is conn-<state>):
//   connecting   the first attempt, not welcomed yet
//   connected    welcomed, and the server answers
//   reconnecting lost (dropped, or silent for seconds), trying again
//   offline      the browser says it is offline, or several attempts failed
//   closed       for good (closedFor says why)

export const STATES = ["connecting", "connected", "reconnecting", "offline", "closed"];

export const CONNECTION_TEXT = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline",
  closed: "Disconnected",
};

/** The pill's words: the state, why it closed, and how many edits wait on this laptop. */
export function connectionText(status, { waiting = 0, closedFor = null } = {}) {
  const base = status === "closed" && closedFor ? `Disconnected: ${closedFor}` : CONNECTION_TEXT[status];
  if (status === "connected" || status === "closed" || waiting === 0) return base;
  return `${base} · ${waiting} ${waiting === 1 ? "edit" : "edits"} waiting`;
}

const BACKOFF_MIN = 500;
const BACKOFF_MAX = 10000;
const OFFLINE_AFTER = 3; // failed attempts before "reconnecting" becomes "offline"
const FINAL_CLOSE = new Set([4401, 4403, 4404]); // signed out, not allowed, no such board
const TICK = 250;
const IDLE_PING = 1500; // nothing heard for this long: ask the server for a frame
const STALL_AFTER = 2000; // no answer this long after asking: say so (at most 3.75 s after the last frame)
const DEAD_AFTER = 10000; // no answer this long after asking: a new socket
const CONNECT_TIMEOUT = 10000; // no welcome this long after opening: try again
const WAKE_GAP = 5000; // the clock jumped by more than this between ticks: the laptop slept

const live = new Set();
let watching = false;

/** One ticker and one set of listeners for every connection of the page. */
function watch() {
  if (watching) return;
  watching = true;
  let lastTick = Date.now();
  setInterval(() => {
    const now = Date.now();
    const slept = now - lastTick > WAKE_GAP;
    lastTick = now;
    for (const c of live) c.tick(now, slept);
  }, TICK);
  addEventListener("offline", () => live.forEach((c) => c.offline()));
  addEventListener("online", () => live.forEach((c) => c.wake(true)));
  globalThis.document?.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") live.forEach((c) => c.wake(false));
  });
}

export class Connection {
  /**
   * id: the board (or stage) id; hello(): the rest of the hello frame ({client, since});
   * onFrame(frame): every frame but pong; onDrop(): the socket is gone (resend later);
   * onStatus(status): the state changed.
   */
  constructor({ id, hello, onFrame, onDrop = () => {}, onStatus = () => {} }) {
    Object.assign(this, { id, hello, onFrame, onDrop, onStatus });
    this.ws = null;
    this.welcomed = false;
    this.status = "connecting";
    this.closedFor = null;
    this.attempts = 0;
    this.timer = null;
    this.lastFrame = 0;
    this.pingAt = 0;
    this.connectAt = 0;
    this.helloAt = 0;
    this.stopped = false;
  }

  start() {
    watch();
    live.add(this);
    this.#connect();
    return this;
  }

  /** Close for good: the page no longer needs this log. */
  stop() {
    this.stopped = true;
    live.delete(this);
    clearTimeout(this.timer);
    this.#detach("done");
    this.welcomed = false;
  }

  /** Send a frame now; false when there is no open socket (the owner keeps it for later). */
  send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  /** The owner understood the welcome: connected. */
  ready() {
    this.welcomed = true;
    this.attempts = 0;
    this.closedFor = null;
    this.#setStatus("connected");
  }

  /** Drop this socket and open a new one at once (a gap, a state the owner could not follow). */
  resync() {
    this.#detach("resync");
    this.welcomed = false;
    this.onDrop();
    this.#connect();
  }

  // Liveness ---------------------------------------------------------------------------------

  tick(now, slept) {
    if (this.stopped) return;
    if (slept) return this.wake(false);
    if (!this.ws) return;
    if (!this.welcomed) {
      // A handshake that hangs (a half-open network after a sleep) never fails by itself.
      if (now - this.connectAt > CONNECT_TIMEOUT) this.#dead();
    } else if (this.pingAt) {
      if (now - this.pingAt > DEAD_AFTER) this.#dead();
      else if (now - this.pingAt > STALL_AFTER && this.status === "connected") this.#setStatus("reconnecting");
    } else if (now - this.lastFrame > IDLE_PING) {
      this.#ping();
    }
  }

  /** After a sleep, the network coming back (`now`) or the page coming into view: make sure
   * the socket lives, or open one. */
  wake(now) {
    if (this.stopped || this.status === "closed") return;
    if (!this.ws) {
      if (now || this.attempts > 1) {
        this.attempts = Math.min(this.attempts, 1);
        this.#connect();
      }
      return;
    }
    if (this.welcomed && !this.pingAt) this.#ping();
  }

  /** The browser lost its network: whatever the socket seems, nothing goes through now. */
  offline() {
    if (this.stopped || this.status === "closed") return;
    clearTimeout(this.timer);
    if (this.ws) {
      this.#detach("offline");
      this.welcomed = false;
      this.onDrop();
    }
    this.#setStatus("offline");
    // The `online` event brings it back at once; this is in case that event never comes.
    this.timer = setTimeout(() => this.#connect(), BACKOFF_MAX);
  }

  #ping() {
    this.pingAt = Date.now();
    this.send({ type: "ping" });
  }

  #dead() {
    this.#detach("no answer");
    this.#dropped(1006, "");
  }

  // The socket -------------------------------------------------------------------------------

  #connect() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}/ws/boards/${encodeURIComponent(this.id)}`);
    this.ws = ws;
    this.welcomed = false;
    this.pingAt = 0;
    this.connectAt = Date.now();
    ws.addEventListener("open", () => {
      if (this.ws !== ws) return;
      this.helloAt = Date.now();
      this.lastFrame = this.helloAt;
      ws.send(JSON.stringify({ type: "hello", ...this.hello() }));
    });
    ws.addEventListener("message", (e) => {
      if (this.ws !== ws) return;
      this.lastFrame = Date.now();
      this.pingAt = 0;
      if (this.welcomed && this.status === "reconnecting") this.#setStatus("connected");
      let frame;
      try {
        frame = JSON.parse(e.data);
      } catch {
        return;
      }
      if (frame.type !== "pong") this.onFrame(frame);
    });
    ws.addEventListener("close", (e) => {
      if (this.ws === ws) this.#dropped(e.code, e.reason);
    });
  }

  /** Forget the socket (its late events are ignored) and close it. */
  #detach(reason) {
    const ws = this.ws;
    this.ws = null;
    this.pingAt = 0;
    if (!ws) return;
    try {
      ws.close(reason === "done" || reason === "resync" ? 1000 : 4000, reason);
    } catch {
      // already closing
    }
  }

  #dropped(code, reason) {
    this.ws = null;
    this.welcomed = false;
    this.pingAt = 0;
    this.onDrop();
    if (this.stopped) return;
    if (FINAL_CLOSE.has(code)) {
      this.closedFor = reason || "The server closed the connection.";
      this.#setStatus("closed");
      return;
    }
    this.attempts += 1;
    const offline = this.attempts > OFFLINE_AFTER || navigator.onLine === false;
    this.#setStatus(offline ? "offline" : "reconnecting");
    const ceiling = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** (this.attempts - 1));
    this.timer = setTimeout(() => this.#connect(), ceiling / 2 + Math.random() * (ceiling / 2));
  }

  #setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.onStatus(status);
  }
}
