// The side panel of the board page: a card's comments, or the results of a voting round.
// Where the window is wide it docks beside the canvas (the canvas reflows into fewer, still
// readable columns); where it is not, it slides over the canvas (board-views.css). Either
// way no card is squeezed. Esc, or its Close button, puts the focus back where it was.

import { el, isTyping } from "./dom.js";
import { CommentsPanel } from "./comments.js";
import { resultsBody } from "./voting.js";

export class SidePanel {
  /**
   * aside: the <aside>. comments: {actor, names, template, submit} for CommentsPanel.
   * results: {actor, template, actions} for the vote results. onToggle(): redraw the page.
   */
  constructor(aside, { comments, results, onToggle }) {
    this.aside = aside;
    this.results = results;
    this.onToggle = onToggle;
    this.state = null; // {kind: "comments", card} | {kind: "results", round} | null
    this.returnTo = null;
    this.lastSig = "";
    this.view = null;
    this.title = el("h2", { id: "side-title", tabindex: "-1" });
    this.body = el("div", { class: "side-body" });
    this.comments = new CommentsPanel(comments);
    aside.replaceChildren(
      el("div", { class: "side-head" }, [
        this.title,
        el("button", { type: "button", class: "side-close", text: "✕ Close", "aria-label": "Close the side panel", on: { click: () => this.open(null) } }),
      ]),
      this.body,
    );
    aside.addEventListener("keydown", (e) => {
      if (e.key !== "Escape" || isTyping(e) || document.querySelector("dialog[open]")) return;
      e.stopPropagation();
      this.open(null);
    });
  }

  get kind() {
    return this.state?.kind ?? null;
  }

  /** Open `next` ({kind: "comments", card} or {kind: "results", round}), or close with null. */
  open(next) {
    const wasOpen = this.state !== null;
    if (!wasOpen && next) this.returnTo = document.activeElement;
    this.state = next;
    this.aside.hidden = next === null;
    document.body.classList.toggle("with-side", next !== null);
    if (next?.kind === "comments") this.comments.show(next.card);
    this.lastSig = "";
    if (this.view) this.draw(this.view); // now: the keyboard may go into it at once
    this.onToggle();
    if (wasOpen && !next) {
      const back = this.returnTo;
      this.returnTo = null;
      if (back && back.isConnected) back.focus({ preventScroll: true });
    }
  }

  /** The keyboard goes into the panel: the comment box, else the panel's title. */
  focusInside() {
    if (this.kind === "comments" && this.comments.focusInput()) return;
    this.title.focus();
  }

  draw(view) {
    this.view = view;
    const side = this.state;
    if (!side) return;
    if (side.kind === "comments") {
      this.title.textContent = "Comments";
      if (this.body.firstChild !== this.comments.node) this.body.replaceChildren(this.comments.node);
      this.comments.render(view);
      return;
    }
    const round = view.rounds.get(side.round);
    const sig = JSON.stringify([side, round, [...view.cards.values()].map((c) => [c.id, c.text, c.type, c.hidden])]);
    if (sig === this.lastSig) return;
    this.lastSig = sig;
    if (!round) {
      this.title.textContent = "Vote results";
      this.body.replaceChildren(el("p", { text: "This voting round is not on this board." }));
      return;
    }
    this.title.replaceChildren("Results: ", el("span", { dir: "auto", text: round.title }));
    this.body.replaceChildren(...resultsBody(view, round, this.results));
  }
}
