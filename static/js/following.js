// Follow the facilitator: the stage's spotlight moves this page. A spotlit section of this
// board opens large (its own address, ?section=ID); another board is opened (with the same
// section, when the spotlight names one); the shared timer shows in the header.

import { notify } from "./notice.js";
import { StageSync } from "./stage.js";

export class Following {
  /**
   * me: GET /api/me. header: the board header (timer, followStatus). pendingCount(): edits
   * not yet acknowledged (we wait for them before leaving the board). onChange(): redraw.
   * onSection(sectionId | null): the spotlit section of this board, or none any more.
   */
  constructor({ me, template, boardId, header, pendingCount, onChange, onSection }) {
    Object.assign(this, { me, template, boardId, header, pendingCount, onChange, onSection });
    this.client = null;
    this.stage = null; // {spotlight, timer, agenda} while following
    this.section = null; // the spotlit section of this board
    this.navigateTo = null;
    this.leaveBy = 0;
    this.tick = 0;
    // Never leave while a dialog is open: go when it closes.
    document.addEventListener(
      "close",
      (e) => {
        if (e.target instanceof HTMLDialogElement) queueMicrotask(() => this.#tryNavigate());
      },
      true,
    );
    header.timer(null, null);
  }

  get on() {
    return this.client !== null;
  }

  toggle() {
    if (this.on) this.stop();
    else this.start();
  }

  start() {
    if (!this.me.stage) return notify("This workshop has no stage to follow yet.");
    this.#flag(true);
    this.client = new StageSync({
      id: this.me.stage,
      sectionIds: this.template.sectionIds,
      onChange: (state) => {
        this.stage = state.stage;
        this.#spotlight(this.stage.spotlight);
        this.onChange();
      },
      onStatus: (status) => {
        this.header.followStatus(status);
        this.onChange();
      },
    });
    this.client.start();
    this.tick = setInterval(() => this.header.timer(this.stage, this.client), 1000);
    this.onChange();
  }

  stop() {
    this.client?.stop();
    this.client = null;
    this.stage = null;
    this.navigateTo = null;
    this.leaveBy = 0;
    clearInterval(this.tick);
    this.#flag(false);
    this.header.timer(null, null);
    if (this.section) {
      this.section = null;
      this.onSection(null);
    }
    this.onChange();
  }

  #flag(on) {
    const url = new URL(location.href);
    if (on) url.searchParams.set("follow", "1");
    else url.searchParams.delete("follow");
    history.replaceState(history.state, "", url);
  }

  #spotlight(spotlight) {
    if (!spotlight) return;
    if (spotlight.mode !== "overview" && spotlight.board && spotlight.board !== this.boardId) {
      const url = new URL(`/boards/${encodeURIComponent(spotlight.board)}`, location.origin);
      url.searchParams.set("follow", "1");
      if (spotlight.mode === "section" && spotlight.section) url.searchParams.set("section", spotlight.section);
      this.navigateTo = url.pathname + url.search;
      this.#tryNavigate();
      return;
    }
    this.navigateTo = null;
    // A section of every board (a report-out): each follower sees it on the board they are on.
    const mine = (spotlight.mode === "section" && spotlight.board === this.boardId) || spotlight.mode === "cross";
    const section = mine ? spotlight.section : null;
    if (section !== this.section) {
      this.section = section;
      this.onSection(section);
    }
  }

  /** Go where the spotlight went, but never away from an open dialog (when it closes), and
   * not before this board acknowledged the edits in flight (at most a few seconds: unsent
   * edits stay in localStorage and leave with the next visit of this board anyway). */
  #tryNavigate() {
    if (!this.navigateTo || !this.client || document.querySelector("dialog[open]")) return;
    if (!this.leaveBy) this.leaveBy = Date.now() + 4000;
    if (this.pendingCount() > 0 && Date.now() < this.leaveBy) {
      setTimeout(() => this.#tryNavigate(), 250);
      return;
    }
    location.assign(this.navigateTo);
  }
}
