// One board on the run page: its link, "show on projector", dot voting (open a round, watch
// the dots come in, close, reveal), private writing and section sign-off. The board's own
// socket carries the ops; each resolves when its event comes back, or shows the server's
// sentence. The controls are built once and only their state changes, so a form being filled
// in survives the events that keep arriving.

import { el, randomId, toast } from "./dom.js";
import { BoardFeed, currentRound, tally } from "./boardfeed.js";
import { CONNECTION_TEXT, clockTime, connectionText } from "./roomview.js";

const TOP_SHOWN = 5;

export class RunBoard {
  /** board: a board summary; container: where the panel goes; show(button): spotlight it. */
  constructor({ board, template, container, show }) {
    this.board = board;
    this.template = template;
    this.feed = new BoardFeed({
      id: board.id,
      template,
      onChange: () => this.render(),
      onStatus: () => this.render(),
      onError: (message) => toast(`${board.city || board.title}: ${message}`),
    });
    this.#build(container, show);
  }

  start() {
    this.feed.start();
  }

  /** Send a board op from a button: busy while in flight, the server's sentence if refused. */
  async act(button, op) {
    if (button) button.disabled = true;
    try {
      await this.feed.send(op);
      return true;
    } catch (error) {
      toast(`${this.board.city || this.board.title}: ${error.message}`);
      return false;
    } finally {
      if (button) button.disabled = false;
      this.render();
    }
  }

  #build(container, show) {
    const b = this.board;
    const q = {};
    const button = (cls, text, onClick, extra = {}) => {
      q[cls] = el("button", { type: "button", class: cls, text, ...extra, on: { click: (e) => onClick(e.currentTarget) } });
      return q[cls];
    };
    q.conn = el("span", { class: "rb-conn pill conn-connecting", text: CONNECTION_TEXT.connecting });
    q.count = el("span", { class: "rb-count" });
    q.voteStatus = el("p", { class: "vote-status" });
    q.voteCount = el("p", { class: "vote-count" });
    q.voteTop = el("ol", { class: "vote-top" });

    // A new round.
    q.title = el("input", { type: "text", dir: "auto", class: "vote-title", value: "Dot vote", maxLength: 200, "aria-label": "Title of the vote", required: true });
    q.dots = el("input", { type: "number", class: "vote-dots", value: "3", min: "1", max: "20", step: "1", "aria-label": "Dots per person", required: true });
    q.blind = el("input", { type: "checkbox", class: "vote-blind" });
    q.sectionBoxes = this.template.raw.sections.map((s) =>
      el("label", { class: "check" }, [el("input", { type: "checkbox", value: s.id, class: "vote-section" }), s.title]),
    );
    q.sectionsSummary = el("summary", { text: "Sections: all" });
    const sections = el("details", { class: "vote-sections" }, [q.sectionsSummary, el("div", { class: "checks" }, q.sectionBoxes)]);
    sections.addEventListener("change", () => {
      const picked = this.#pickedSections();
      q.sectionsSummary.textContent = picked ? `Sections: ${picked.length} chosen` : "Sections: all";
    });
    q.form = el("form", { class: "vote-form" }, [
      el("label", { class: "field" }, [el("span", { text: "Title" }), q.title]),
      el("label", { class: "field dots-field" }, [el("span", { text: "Dots each" }), q.dots]),
      sections,
      el("label", { class: "check blind-field" }, [q.blind, "Blind: counts hidden until the reveal"]),
      el("button", { type: "submit", class: "vote-open primary", text: "Open vote" }),
    ]);
    q.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.#openRound(q.form.querySelector(".vote-open"));
    });

    // Section sign-off.
    q.lockSection = el(
      "select",
      { class: "lock-section", "aria-label": "Section to sign off" },
      this.template.raw.sections.map((s) => el("option", { value: s.id, text: s.title })),
    );
    q.lockSection.addEventListener("change", () => this.render());
    q.agreed = el("p", { class: "lock-list" });
    q.privateStatus = el("p", { class: "private-status" });

    const voteActions = el("div", { class: "vote-actions" }, [
      button("vote-close", "■ Close vote", (btn) => this.#roundOp(btn, "vote.close")),
      button("vote-reveal", "◉ Reveal results", (btn) => this.#roundOp(btn, "vote.reveal")),
    ]);
    this.q = q;
    this.node = el("article", { class: "run-board", dataset: { board: b.id } }, [
      el("header", { class: "rb-head" }, [
        el("div", { class: "rb-name" }, [el("h3", { class: "rb-city", dir: "auto", text: b.city || b.title }), el("p", { class: "rb-initiative", dir: "auto", text: b.initiative || b.title || "" })]),
        el("div", { class: "rb-state" }, [q.conn, q.count]),
      ]),
      el("div", { class: "rb-links" }, [
        el("a", { class: "open-board", href: `/boards/${encodeURIComponent(b.id)}`, target: "_blank", rel: "noopener", text: "Open board ↗" }),
        button("show-board", "Show on projector", (btn) => show(btn)),
      ]),
      el("div", { class: "rb-block rb-vote" }, [el("h4", { text: "Dot vote" }), q.voteStatus, q.voteCount, q.voteTop, voteActions, q.form]),
      el("div", { class: "rb-block rb-private" }, [
        el("h4", { text: "Private writing" }),
        q.privateStatus,
        el("div", { class: "row" }, [
          button("private-start", "✎ Start private writing", (btn) => this.act(btn, { kind: "private.start" })),
          button("private-reveal", "◉ Reveal private cards", (btn) => this.act(btn, { kind: "private.reveal" })),
        ]),
      ]),
      el("div", { class: "rb-block rb-lock" }, [
        el("h4", { text: "Agreed sections" }),
        el("div", { class: "row" }, [
          q.lockSection,
          button("lock-toggle", "✔ Mark agreed", (btn) => {
            const section = q.lockSection.value;
            const locked = !(this.feed.state && this.feed.state.locks && this.feed.state.locks.has(section));
            this.act(btn, { kind: "section.lock", section, locked });
          }),
        ]),
        q.agreed,
      ]),
    ]);
    container.append(this.node);
    this.render();
  }

  #pickedSections() {
    const picked = this.q.sectionBoxes.map((l) => l.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
    return picked.length ? picked : null;
  }

  async #openRound(btn) {
    const dots = Number(this.q.dots.value);
    const title = this.q.title.value.trim() || "Dot vote";
    if (!Number.isInteger(dots) || dots < 1 || dots > 20) {
      toast("Dots per person: a whole number from 1 to 20.");
      return;
    }
    const round = { id: randomId("r-"), title, dots, sections: this.#pickedSections(), blind: this.q.blind.checked };
    await this.act(btn, { kind: "vote.open", round });
  }

  #roundOp(btn, kind) {
    const round = currentRound(this.feed.state);
    if (round) this.act(btn, { kind, round: round.id });
  }

  render() {
    const q = this.q;
    const feed = this.feed;
    q.conn.textContent = connectionText(feed.status, { waiting: feed.pending.size, closedFor: feed.closedFor });
    q.conn.className = `rb-conn pill conn-${feed.status}`;
    const state = feed.state;
    const ready = Boolean(state) && feed.status === "connected";
    for (const b of this.node.querySelectorAll("button")) if (!b.classList.contains("show-board")) b.disabled = !ready;
    if (!state) return;
    q.count.textContent = `${state.cards.size} ${state.cards.size === 1 ? "card" : "cards"}`;
    this.#renderVote(state);
    this.#renderPrivate(state);
    this.#renderLocks(state);
  }

  #renderVote(state) {
    const q = this.q;
    const round = currentRound(state);
    const open = Boolean(round) && round.status === "open";
    q.form.hidden = open;
    q.voteTop.replaceChildren();
    q.voteCount.textContent = "";
    if (!round) {
      q.voteStatus.textContent = "No vote yet.";
      q.voteStatus.className = "vote-status";
      q["vote-close"].hidden = q["vote-reveal"].hidden = true;
      return;
    }
    const kind = round.blind ? "blind" : "open";
    const scope = round.sections ? ` · ${round.sections.length} ${round.sections.length === 1 ? "section" : "sections"}` : "";
    const placed = round.votes.length;
    const voters = new Set(round.votes.map((v) => v.by)).size;
    if (open) {
      q.voteStatus.replaceChildren("● Voting: “", el("span", { dir: "auto", text: round.title }), `” · ${round.dots} dots each · ${kind}${scope}`);
    } else {
      q.voteStatus.replaceChildren("Closed: “", el("span", { dir: "auto", text: round.title }), `”${round.revealed ? " · results shown" : " · not revealed yet"}`);
    }
    q.voteStatus.className = `vote-status ${open ? "is-open" : "is-closed"} ${kind}`;
    q.voteCount.textContent = `${placed} ${placed === 1 ? "dot" : "dots"} placed by ${voters} ${voters === 1 ? "person" : "people"}${round.revealed ? "" : " · counts hidden until the reveal"}`;
    if (round.revealed) {
      const { totals, ranking } = tally(round);
      q.voteTop.replaceChildren(
        ...ranking
          .filter((id) => state.cards.has(id))
          .slice(0, TOP_SHOWN)
          .map((id) => el("li", { dataset: { card: id } }, [el("span", { class: "n", text: `● ${totals.get(id)}` }), el("span", { class: "t", dir: "auto", text: state.cards.get(id).text })])),
      );
    }
    q["vote-close"].hidden = !open;
    q["vote-reveal"].hidden = round.revealed;
  }

  #renderPrivate(state) {
    const q = this.q;
    const on = Boolean(state.private);
    const hidden = [...state.cards.values()].filter((c) => c.private || c.hidden).length;
    q.privateStatus.textContent = on
      ? `✎ On since ${clockTime(state.private.at)} · ${hidden} ${hidden === 1 ? "card" : "cards"} not shown yet`
      : "Off: everyone sees every card.";
    q.privateStatus.className = `private-status${on ? " is-on" : ""}`;
    q["private-start"].hidden = on;
    q["private-reveal"].hidden = !on;
  }

  #renderLocks(state) {
    const q = this.q;
    const locks = state.locks instanceof Map ? state.locks : new Map();
    const locked = locks.has(q.lockSection.value);
    q["lock-toggle"].textContent = locked ? "↺ Reopen" : "✔ Mark agreed";
    const names = this.template.raw.sections.filter((s) => locks.has(s.id)).map((s) => s.title);
    q.agreed.textContent = names.length ? `✔ ${names.join(", ")}` : "None yet.";
  }
}
