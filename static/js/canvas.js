// Renders the board into the DOM and turns pointer and keyboard gestures into intents
// (add, edit, move, delete, focus). It never changes the board itself: the app turns intents
// into ops. Cards are kept by id and only rebuilt when they change, so re-rendering after
// every event keeps focus, scroll position and drag state.

import { el, clear } from "./dom.js";

const CARD_MIME = "application/x-brickboard-card";
const VALUE_LABELS = { d30: "30 days", d60: "60 days", d90: "90 days" };
const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });

export const KEY_HELP = [
  ["Tab", "go to the next card or button"],
  ["↑ / ↓", "previous / next card in the section"],
  ["Enter", "edit the focused card"],
  ["Delete", "delete the focused card (asks first)"],
  ["Alt + ↑ / ↓", "move the card up / down in its section"],
  ["Alt + ← / →", "move the card to the previous / next section"],
  ["Drag", "move a card with the mouse, within or across sections"],
  ["Esc", "close a dialog without saving"],
];

export class Canvas {
  /**
   * root: the <main> element. template: makeTemplate(). perms: {canAdd(), canEdit(card),
   * canMove(card), canDelete(card)}. intents: {add(section), edit(card), remove(card),
   * move(cardId, section, after), focus(section, cardId|null)}.
   */
  constructor(root, template, perms, intents) {
    Object.assign(this, { root, template, perms, intents });
    this.lists = new Map(); // section id -> <ol>
    this.counts = new Map(); // section id -> count <span>
    this.here = new Map(); // section id -> "who is here" <span>
    this.cards = new Map(); // card id -> {node, sig}
    this.view = null;
    this.dragging = null;
    this.marker = el("li", { class: "drop-marker", "aria-hidden": "true" });
    this.#build();
  }

  #build() {
    const { grid, sections } = this.template.raw;
    clear(this.root);
    this.root.classList.add("canvas");
    // The 16:9 layout comes from the template, so a new template needs no CSS change.
    this.root.style.gridTemplateColumns = grid.columns;
    this.root.style.gridTemplateRows = grid.rows;
    this.root.style.gridTemplateAreas = grid.areas.map((row) => JSON.stringify(row)).join(" ");
    for (const section of sections) {
      const list = el("ol", { class: "cards", dataset: { section: section.id }, "aria-label": `${section.title} cards` });
      const count = el("span", { class: "count", "aria-label": "cards" });
      const here = el("span", { class: "here" });
      const add = this.perms.canAdd()
        ? el("button", {
            type: "button",
            class: "add",
            text: "+ Add",
            title: `Add a card to ${section.title}`,
            "aria-label": `Add a card to ${section.title}`,
            on: { click: () => this.intents.add(section.id), focus: () => this.intents.focus(section.id, null) },
          })
        : null;
      const node = el("section", { class: "section", dataset: { section: section.id }, "aria-labelledby": `h-${section.id}` }, [
        el("header", { class: "section-head" }, [
          el("div", { class: "section-title" }, [el("h2", { id: `h-${section.id}`, text: section.title }), count, here]),
          add,
        ]),
        el("p", { class: "prompt", text: section.prompt, title: section.prompt }),
        list,
      ]);
      node.style.gridArea = section.id;
      if (section.money) node.classList.add("money");
      this.#dropTarget(node, section.id);
      this.lists.set(section.id, list);
      this.counts.set(section.id, count);
      this.here.set(section.id, here);
      this.root.append(node);
    }
    this.root.addEventListener("keydown", (e) => this.#key(e));
  }

  /** Show `view`. pendingCards: ids touched by unsent edits; others: presence of other people. */
  render(view, { pendingCards = new Set(), others = [] } = {}) {
    this.view = view;
    const focusedId = document.activeElement?.closest?.(".card")?.dataset.card ?? null;
    const byCard = new Map();
    const bySection = new Map();
    for (const person of others) {
      const focus = person.focus;
      if (!focus) continue;
      const target = focus.card ? byCard : bySection;
      const key = focus.card || focus.section;
      target.set(key, [...(target.get(key) || []), person.name]);
    }
    this.marker.remove(); // a drag in progress puts it back on its next dragover
    const seen = new Set();
    for (const [sectionId, list] of this.lists) {
      const ids = view.sections.get(sectionId) || [];
      ids.forEach((id, index) => {
        seen.add(id);
        const node = this.#cardNode(view.cards.get(id), pendingCards.has(id), byCard.get(id));
        const at = list.children[index];
        if (at !== node) list.insertBefore(node, at || null);
      });
      // What is left after the section's cards moved elsewhere or was deleted.
      while (list.children.length > ids.length) list.lastElementChild.remove();
      this.counts.get(sectionId).textContent = String(ids.length);
      this.lists.get(sectionId).closest(".section").classList.toggle("empty", ids.length === 0);
      const names = bySection.get(sectionId);
      this.here.get(sectionId).textContent = names ? `● ${names.join(", ")}` : "";
    }
    for (const [id, entry] of this.cards) {
      if (!seen.has(id)) {
        entry.node.remove();
        this.cards.delete(id);
      }
    }
    // Moving a focused card to another list blurs it; give the focus back.
    if (focusedId && this.cards.has(focusedId) && !document.querySelector("dialog[open]")) {
      const node = this.cards.get(focusedId).node;
      if (document.activeElement !== node && !node.contains(document.activeElement)) node.focus();
    }
  }

  focusCard(id) {
    this.cards.get(id)?.node.focus();
  }

  #cardNode(card, pending, watchers) {
    const sig = JSON.stringify([card, pending, watchers || null, this.perms.canEdit(card), this.perms.canDelete(card)]);
    let entry = this.cards.get(card.id);
    if (entry && entry.sig === sig) return entry.node;
    if (!entry) {
      const node = el("li", {
        class: "card",
        tabIndex: 0,
        dataset: { card: card.id },
        on: {
          focus: () => this.intents.focus(this.#card(node)?.section, node.dataset.card),
          dblclick: (e) => {
            if (!e.target.closest("a, button")) this.#editFocused(node);
          },
          dragstart: (e) => this.#dragStart(e, node),
          dragend: () => this.#dragEnd(),
        },
      });
      entry = { node, sig: "" };
      this.cards.set(card.id, entry);
    }
    entry.sig = sig;
    this.#fill(entry.node, card, pending, watchers);
    return entry.node;
  }

  #fill(node, card, pending, watchers) {
    const type = this.template.cardTypes.get(card.type);
    node.className = `card type-${card.type}`;
    node.classList.toggle("pending", pending);
    node.style.setProperty("--type-color", type.color);
    node.draggable = this.perms.canMove(card);
    node.title = this.perms.canEdit(card) ? "Enter: edit · Alt+arrows: move · Delete: delete" : "";
    node.setAttribute("aria-label", `${type.label}: ${card.text}`);
    const actions = [];
    if (this.perms.canEdit(card)) {
      actions.push(el("button", { type: "button", class: "edit", text: "Edit", "aria-label": "Edit card", on: { click: () => this.intents.edit(this.#card(node)) } }));
    }
    if (this.perms.canDelete(card)) {
      actions.push(el("button", { type: "button", class: "delete", text: "Delete", "aria-label": "Delete card", on: { click: () => this.intents.remove(this.#card(node)) } }));
    }
    const parts = [
      el("div", { class: "card-top" }, [
        el("span", { class: "type-badge" }, [el("span", { class: "icon", "aria-hidden": "true", text: type.icon }), type.label]),
        pending ? el("span", { class: "unsaved", text: "waiting", title: "Not saved on the server yet" }) : null,
        watchers ? el("span", { class: "watchers", text: `● ${watchers.join(", ")}` }) : null,
        actions.length ? el("span", { class: "card-actions" }, actions) : null,
      ]),
      el("p", { class: "card-text", text: card.text }),
      this.#fields(card),
    ];
    node.replaceChildren(...parts.filter(Boolean)); // replaceChildren would print "null"
  }

  #fields(card) {
    const specs = this.template.fieldsFor(card.type, card.section);
    const items = [];
    for (const [name, spec] of Object.entries(specs)) {
      if (!Object.hasOwn(card, name) || card[name] === null) continue;
      const value = card[name];
      let shown;
      if (spec.kind === "bool") shown = value ? "Yes" : "No";
      else if (spec.kind === "number" && name === "amount_usd") shown = usd.format(value);
      else if (spec.kind === "enum") shown = VALUE_LABELS[value] || String(value).replaceAll("_", " ");
      else shown = String(value);
      const content =
        spec.kind === "url"
          ? el("a", { href: value, text: shown, target: "_blank", rel: "noopener noreferrer" })
          : el("span", { class: "value", text: shown });
      items.push(el("li", { class: `field field-${spec.kind}` }, [el("span", { class: "name", text: `${spec.label}: ` }), content]));
    }
    return items.length ? el("ul", { class: "card-fields" }, items) : null;
  }

  #card(node) {
    return this.view?.cards.get(node.dataset.card) ?? null;
  }

  #editFocused(node) {
    const card = this.#card(node);
    if (card && this.perms.canEdit(card)) this.intents.edit(card);
  }

  // Keyboard ------------------------------------------------------------------------------

  #key(e) {
    const node = e.target.closest?.(".card");
    if (!node || e.target !== node || e.ctrlKey || e.metaKey) return;
    const card = this.#card(node);
    if (!card) return;
    const ids = this.view.sections.get(card.section);
    const index = ids.indexOf(card.id);
    const order = this.template.sectionIds;
    const s = order.indexOf(card.section);
    let handled = true;
    if (e.altKey && ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"].includes(e.key)) {
      if (!this.perms.canMove(card)) this.intents.refused("You can only move your own cards on this board.");
      else if (e.key === "ArrowUp" && index > 0) this.intents.move(card.id, card.section, index >= 2 ? ids[index - 2] : null);
      else if (e.key === "ArrowDown" && index < ids.length - 1) this.intents.move(card.id, card.section, ids[index + 1]);
      else if (e.key === "ArrowLeft" && s > 0) this.#moveToEnd(card, order[s - 1]);
      else if (e.key === "ArrowRight" && s < order.length - 1) this.#moveToEnd(card, order[s + 1]);
    } else if (e.key === "ArrowUp" && !e.altKey && index > 0) this.focusCard(ids[index - 1]);
    else if (e.key === "ArrowDown" && !e.altKey && index < ids.length - 1) this.focusCard(ids[index + 1]);
    else if (e.key === "Enter") this.#editFocused(node);
    else if ((e.key === "Delete" || e.key === "Backspace") && this.perms.canDelete(card)) this.intents.remove(card);
    else handled = false;
    if (handled) e.preventDefault(); // Alt+Left would otherwise go back in history
  }

  #moveToEnd(card, sectionId) {
    const ids = this.view.sections.get(sectionId);
    this.intents.move(card.id, sectionId, ids.length ? ids[ids.length - 1] : null);
  }

  // Drag and drop -------------------------------------------------------------------------

  #dragStart(e, node) {
    const card = this.#card(node);
    if (!card || !this.perms.canMove(card)) {
      e.preventDefault();
      return;
    }
    this.dragging = card.id;
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData(CARD_MIME, card.id);
    e.dataTransfer.setData("text/plain", card.text);
    node.classList.add("dragging");
  }

  #dragEnd() {
    if (this.dragging) this.cards.get(this.dragging)?.node.classList.remove("dragging");
    this.dragging = null;
    this.marker.remove();
  }

  #dropTarget(sectionNode, sectionId) {
    sectionNode.addEventListener("dragover", (e) => {
      if (!this.dragging) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "move";
      const { before } = this.#slot(sectionId, e.clientY);
      this.lists.get(sectionId).insertBefore(this.marker, before);
    });
    sectionNode.addEventListener("dragleave", (e) => {
      if (!sectionNode.contains(e.relatedTarget)) this.marker.remove();
    });
    sectionNode.addEventListener("drop", (e) => {
      if (!this.dragging) return;
      e.preventDefault();
      const cardId = this.dragging;
      const { after } = this.#slot(sectionId, e.clientY);
      this.#dragEnd();
      const card = this.view.cards.get(cardId);
      if (!card) return;
      const ids = this.view.sections.get(sectionId);
      const index = ids.indexOf(cardId);
      const unchanged = card.section === sectionId && (index === 0 ? after === null : ids[index - 1] === after);
      if (!unchanged) this.intents.move(cardId, sectionId, after);
    });
  }

  /** Where a drop at height y lands: before which node, and after which card id. */
  #slot(sectionId, y) {
    const nodes = [...this.lists.get(sectionId).children].filter(
      (n) => n.classList.contains("card") && n.dataset.card !== this.dragging,
    );
    let after = null;
    for (const n of nodes) {
      const box = n.getBoundingClientRect();
      if (y < box.top + box.height / 2) return { before: n, after };
      after = n.dataset.card;
    }
    return { before: null, after };
  }
}
