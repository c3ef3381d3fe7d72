// The banners under the board's header: the open dot vote (dots left, sections, the
// facilitator's buttons) and private writing. Redrawn only when what they say changes.

import { el } from "./dom.js";
import { voteBanner } from "./voting.js";

export class Banners {
  /** root: the banners' element. voteActions: see voting.js voteBanner. submit(op). */
  constructor(root, { actor, template, voteActions, submit }) {
    Object.assign(this, { root, actor, template, voteActions, submit });
    this.sig = "";
  }

  draw(view, open, deco, { following }) {
    const sig = JSON.stringify([open && { ...open, votes: [deco.left, deco.orphans] }, view.private !== null, following]);
    if (sig === this.sig) return;
    this.sig = sig;
    const items = [];
    if (open) items.push(voteBanner(open, deco, { actor: this.actor, template: this.template, actions: this.voteActions }));
    if (view.private) items.push(this.#privateBanner());
    this.root.replaceChildren(...items);
    this.root.hidden = items.length === 0;
  }

  #privateBanner() {
    const role = this.actor.role;
    const text =
      role === "facilitator"
        ? "Private writing is on: each person sees only their own new cards until you reveal them."
        : role === "observer"
          ? "Private writing: new cards stay hidden until the facilitator reveals them."
          : "Private writing: only you see your new cards until the facilitator reveals them";
    const parts = [el("span", { class: "banner-icon", "aria-hidden": "true", text: "◌" }), el("strong", { class: "banner-title", text })];
    if (role === "facilitator") {
      const reveal = el("button", { type: "button", class: "primary private-reveal-btn", text: "◎ Reveal private cards", on: { click: () => this.submit({ kind: "private.reveal" }) } });
      parts.push(el("span", { class: "banner-buttons" }, [reveal]));
    }
    return el("div", { class: "banner private-banner", role: "status" }, parts);
  }
}
