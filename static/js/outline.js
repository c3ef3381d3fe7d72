// The outline: the board as a document. Sections are headings, cards are list items with
// their type and fields, kept live as the board changes. It is the screen reader's way into
// a spatial board, and a quick read for anyone.
//
// Keyboard: one card at a time is in the Tab order (a roving tabindex); ↑/↓ go to the
// previous/next card across sections, Home/End to the first/last, Enter edits the card (or
// opens its comments for who cannot edit it). The card's own buttons follow it in the Tab
// order.

import { el } from "./dom.js";
import { fieldsOf } from "./roomview.js";

export class Outline {
  /** root: the outline's element. intents: the canvas's (edit, comments, add). */
  constructor(root, template, perms, intents) {
    Object.assign(this, { root, template, perms, intents });
    this.visible = false;
    this.items = new Map(); // card id -> {node, sig}
    this.lists = new Map(); // section id -> <ul>
    this.counts = new Map(); // section id -> count <span>
    this.current = null; // the card id in the Tab order
    this.view = null;
    const sections = template.raw.sections.map((section) => {
      const list = el("ul", { class: "outline-cards", "aria-labelledby": `o-${section.id}` });
      const count = el("span", { class: "outline-count" });
      this.lists.set(section.id, list);
      this.counts.set(section.id, count);
      return el("section", { class: "outline-section", dataset: { outline: section.id } }, [
        el("h2", { id: `o-${section.id}`, tabindex: "-1" }, [section.title, " ", count]),
        el("p", { class: "outline-prompt", text: section.prompt }),
        list,
      ]);
    });
    root.replaceChildren(
      el("div", { class: "outline-intro" }, [
        el("p", { text: "The board as a list, kept up to date as people write. ↑ and ↓ go from card to card, Enter edits the card (or opens its comments)." }),
      ]),
      ...sections,
    );
    root.addEventListener("keydown", (e) => this.#key(e));
    root.addEventListener("focusin", (e) => {
      const item = e.target.closest?.(".outline-card");
      if (item) this.#makeCurrent(item.dataset.outlineCard);
    });
  }

  show(on) {
    this.visible = on;
    this.root.hidden = !on;
    if (on && this.view) this.render(this.view, this.deco);
  }

  /** Draw `view` (only while shown: the canvas is the page otherwise). */
  render(view, deco) {
    this.view = view;
    this.deco = deco;
    if (!this.visible) return;
    const seen = new Set();
    for (const [sectionId, list] of this.lists) {
      const ids = view.sections.get(sectionId) || [];
      ids.forEach((id, index) => {
        seen.add(id);
        const node = this.#item(view.cards.get(id), deco);
        const at = list.children[index];
        if (at !== node) list.insertBefore(node, at || null);
      });
      while (list.children.length > ids.length) list.lastElementChild.remove();
      this.counts.get(sectionId).textContent = `(${ids.length} ${ids.length === 1 ? "card" : "cards"})`;
      list.hidden = ids.length === 0;
    }
    for (const [id, entry] of this.items) {
      if (!seen.has(id)) {
        entry.node.remove();
        this.items.delete(id);
      }
    }
    if (!this.items.has(this.current)) this.current = null;
    if (this.current === null) {
      const first = this.root.querySelector(".outline-card");
      if (first) this.#makeCurrent(first.dataset.outlineCard);
    }
  }

  /** The keyboard into the outline: the current card, else the first heading. */
  focusFirst() {
    const node = this.items.get(this.current)?.node || this.root.querySelector("h2");
    node?.focus();
  }

  /** The spotlight moved to a section: bring its heading into view (the focus stays put). */
  showSection(id) {
    this.root.querySelector(`[data-outline="${CSS.escape(id)}"]`)?.scrollIntoView({ block: "start", behavior: "smooth" });
  }

  #item(card, deco) {
    const comments = deco.comments.get(card.id) || { total: 0, open: 0 };
    const round = deco.vote;
    const dots = round && round.totals && !card.hidden ? round.totals.get(card.id) || 0 : null;
    const sig = JSON.stringify([card, comments, dots, this.perms.canEdit(card)]);
    let entry = this.items.get(card.id);
    if (entry && entry.sig === sig) return entry.node;
    if (!entry) {
      entry = { node: el("li", { class: "outline-card", tabIndex: -1, dataset: { outlineCard: card.id } }), sig: "" };
      this.items.set(card.id, entry);
    }
    entry.sig = sig;
    const node = entry.node;
    const current = this.current === card.id;
    if (card.hidden) {
      node.replaceChildren(el("span", { class: "outline-type", text: "Private card: " }), "someone is writing here; revealed when the facilitator says so.");
      return node;
    }
    const type = this.template.cardTypes.get(card.type);
    node.style.setProperty("--type-color", type.color);
    const fields = fieldsOf(this.template, card);
    const meta = [];
    if (comments.total) meta.push(`${comments.total} ${comments.total === 1 ? "comment" : "comments"}${comments.open ? `, ${comments.open} open` : ""}`);
    if (dots !== null) meta.push(`${dots} ${dots === 1 ? "dot" : "dots"}`);
    const buttons = [];
    if (this.perms.canEdit(card)) buttons.push(el("button", { type: "button", class: "outline-edit", tabIndex: current ? 0 : -1, text: "Edit", on: { click: () => this.intents.edit(this.#card(node)) } }));
    buttons.push(
      el("button", {
        type: "button",
        class: "outline-comments",
        tabIndex: current ? 0 : -1,
        text: comments.total ? `Comments (${comments.total})` : "Comment",
        on: { click: () => this.intents.comments(this.#card(node)) },
      }),
    );
    const parts = [
      el("p", { class: "outline-line" }, [
        el("span", { class: "outline-type" }, [el("span", { class: "icon", "aria-hidden": "true", text: `${type.icon} ` }), `${type.label}: `]),
        el("span", { class: "outline-text", dir: "auto", text: card.text }),
      ]),
      fields.length
        ? el(
            "ul",
            { class: "outline-fields" },
            fields.map(([name, value]) => el("li", {}, [`${name}: `, el("span", { dir: "auto", text: value })])),
          )
        : null,
      meta.length ? el("p", { class: "outline-meta", text: meta.join(" · ") }) : null,
      el("span", { class: "outline-actions" }, buttons),
    ];
    node.replaceChildren(...parts.filter(Boolean)); // replaceChildren would print "null"
    return node;
  }

  #card(node) {
    return this.view?.cards.get(node.dataset.outlineCard) ?? null;
  }

  /** One card in the Tab order (with its buttons); the others only by the arrow keys. */
  #makeCurrent(id) {
    if (id === this.current && this.items.get(id)?.node.tabIndex === 0) return;
    const old = this.items.get(this.current);
    if (old) {
      old.node.tabIndex = -1;
      for (const b of old.node.querySelectorAll("button")) b.tabIndex = -1;
    }
    this.current = id;
    const now = this.items.get(id);
    if (now) {
      now.node.tabIndex = 0;
      for (const b of now.node.querySelectorAll("button")) b.tabIndex = 0;
    }
  }

  #key(e) {
    const item = e.target.closest?.(".outline-card");
    if (!item || e.target !== item || e.altKey || e.ctrlKey || e.metaKey) return;
    const all = [...this.root.querySelectorAll(".outline-card")];
    const at = all.indexOf(item);
    let go = null;
    if (e.key === "ArrowDown") go = all[at + 1];
    else if (e.key === "ArrowUp") go = all[at - 1];
    else if (e.key === "Home") go = all[0];
    else if (e.key === "End") go = all[all.length - 1];
    else if (e.key === "Enter") {
      const card = this.#card(item);
      if (card && !card.hidden) {
        if (this.perms.canEdit(card)) this.intents.edit(card);
        else this.intents.comments(card);
      }
      e.preventDefault();
      return;
    } else return;
    e.preventDefault();
    if (go) {
      this.#makeCurrent(go.dataset.outlineCard);
      go.focus();
    }
  }
}
