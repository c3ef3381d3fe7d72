// Renders the board into the DOM and turns pointer and keyboard gestures into intents
// (add, edit, move, delete, focus, comments, dots, sign-off). It never changes the board
// itself: the app turns intents into ops. Cards are kept by id and only rebuilt when they
// change, so re-rendering after every event keeps focus, scroll position and drag state.
//
// What the room adds to the board comes in `deco` (see render): comment counts, the dot-vote
// round in play, agreed (locked) sections, who is editing which card, the spotlight.

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

const EMPTY_DECO = Object.freeze({
  comments: new Map(),
  vote: null,
  locks: new Map(),
  locked: () => false,
  spotlight: null,
});

export class Canvas {
  /**
   * root: the <main> element. template: makeTemplate(). perms: {canAdd(), canEdit(card),
   * canMove(card), canDelete(card), canLock()}. intents: {add(section), edit(card),
   * remove(card), move(cardId, section, after), focus(section, cardId|null), comments(card),
   * dot(card, +1|-1), lock(section, locked), refused(message)}.
   */
  constructor(root, template, perms, intents) {
    Object.assign(this, { root, template, perms, intents });
    this.lists = new Map(); // section id -> <ol>
    this.counts = new Map(); // section id -> count <span>
    this.here = new Map(); // section id -> "who is here" <span>
    this.heads = new Map(); // section id -> {node, badge, add, lock}
    this.deco = EMPTY_DECO;
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
      // Sign-off: a badge everyone sees, and the facilitator's button to agree or reopen.
      const badge = el("span", { class: "agreed-badge", hidden: true, text: "Agreed ✓ (locked)" });
      const lock = this.perms.canLock()
        ? el("button", {
            type: "button",
            class: "lock-toggle",
            on: { click: () => this.intents.lock(section.id, !this.deco.locks.has(section.id)) },
          })
        : null;
      const spot = el("span", { class: "spot-badge", text: "◉ Facilitator's spotlight" });
      const node = el("section", { class: "section", dataset: { section: section.id }, "aria-labelledby": `h-${section.id}` }, [
        el("header", { class: "section-head" }, [
          el("div", { class: "section-title" }, [el("h2", { id: `h-${section.id}`, text: section.title }), count, badge, spot, here]),
          el("div", { class: "section-tools" }, [add, lock]),
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
      this.heads.set(section.id, { node, badge, add, lock, title: section.title });
      this.root.append(node);
    }
    this.root.addEventListener("keydown", (e) => this.#key(e));
  }

  /**
   * Show `view`. pendingCards: ids touched by unsent edits; others: presence of other people
   * (a focus with a card means that person has the card's editor open). deco: what the room
   * adds, {comments: Map<cardId, {total, open}>, vote: null | {round, sections: Set|null,
   * mine: Map<cardId, n>, totals: Map<cardId, n> | null, canVote, left}, locks: Map,
   * locked(section) (locked for me), spotlight: sectionId | null}.
   */
  render(view, { pendingCards = new Set(), others = [], deco = EMPTY_DECO } = {}) {
    this.view = view;
    this.deco = deco;
    this.#sections(deco);
    const active = document.activeElement;
    const focusedId = active?.closest?.(".card")?.dataset.card ?? null;
    // A button inside the card (its dot, its comments): the same button again after a redraw.
    const focusedKind = active?.matches?.(".card button") ? active.classList[0] : null;
    const byCard = new Map();
    const bySection = new Map();
    for (const person of others) {
      const focus = person.focus;
      if (!focus) continue;
      const target = focus.card ? byCard : bySection;
      const key = focus.card || focus.section;
      target.set(key, [...(target.get(key) || []), person.name || "Someone"]);
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
      if (document.activeElement !== node && !node.contains(document.activeElement)) {
        const same = focusedKind ? node.querySelector(`button.${CSS.escape(focusedKind)}`) : null;
        (same || node).focus();
      }
    }
  }

  focusCard(id) {
    this.cards.get(id)?.node.focus();
  }

  /** The section with this id, brought into view and marked for a few seconds. */
  showSection(id) {
    const head = this.heads.get(id);
    if (!head) return;
    head.node.scrollIntoView({ block: "nearest", inline: "nearest", behavior: "smooth" });
  }

  #sections(deco) {
    for (const [id, head] of this.heads) {
      const agreed = deco.locks.has(id);
      const locked = deco.locked(id);
      head.node.classList.toggle("agreed", agreed);
      head.node.classList.toggle("spotlit", deco.spotlight === id);
      const open = deco.vote && deco.vote.round.status === "open";
      head.node.classList.toggle("voting", Boolean(open && (!deco.vote.sections || deco.vote.sections.has(id))));
      head.badge.hidden = !agreed;
      if (head.add) {
        // Disabled for who cannot add here, yet still answering a click with the reason.
        head.add.setAttribute("aria-disabled", String(locked));
        head.add.textContent = "+ Add";
        head.add.title = locked ? "This section was agreed and is locked" : `Add a card to ${head.title}`;
      }
      if (head.lock) {
        head.lock.textContent = agreed ? "↺ Unlock" : "✓ Mark agreed";
        head.lock.setAttribute("aria-label", agreed ? `Unlock ${head.title}` : `Mark ${head.title} agreed`);
        head.lock.classList.toggle("is-agreed", agreed);
      }
    }
  }

  /** What the room shows on one card (part of its signature, so a change redraws it). */
  #cardDeco(card) {
    const deco = this.deco;
    const hidden = card.hidden === true;
    const comments = deco.comments.get(card.id) || { total: 0, open: 0 };
    let vote = null;
    const round = deco.vote;
    if (round && !hidden && (!round.sections || round.sections.has(card.section))) {
      vote = {
        mine: round.mine.get(card.id) || 0,
        total: round.totals ? round.totals.get(card.id) || 0 : null,
        canVote: round.canVote,
        left: round.left,
        open: round.round.status === "open",
      };
    }
    return { hidden, comments, vote, locked: deco.locked(card.section) };
  }

  #cardNode(card, pending, watchers) {
    const d = this.#cardDeco(card);
    const sig = JSON.stringify([card, pending, watchers || null, this.perms.canEdit(card), this.perms.canDelete(card), d]);
    let entry = this.cards.get(card.id);
    if (entry && entry.sig === sig) return entry.node;
    if (!entry) {
      const node = el("li", {
        class: "card",
        tabIndex: 0,
        dataset: { card: card.id },
        on: {
          // Presence names a card only while its editor is open (the "is editing" hint).
          focus: () => this.intents.focus(this.#card(node)?.section, null),
          dblclick: (e) => {
            if (!e.target.closest("a, button")) this.#editFocused(node);
          },
          click: (e) => {
            const card = this.#card(node);
            if (!this.perms.canAdd() && card && !card.hidden && !e.target.closest("a")) this.intents.comments(card);
          },
          dragstart: (e) => this.#dragStart(e, node),
          dragend: () => this.#dragEnd(),
        },
      });
      entry = { node, sig: "" };
      this.cards.set(card.id, entry);
    }
    entry.sig = sig;
    if (d.hidden) this.#fillHidden(entry.node, card, watchers);
    else this.#fill(entry.node, card, pending, watchers, d);
    return entry.node;
  }

  /** Someone else's private card: that it exists and where, never what it says. */
  #fillHidden(node, card, watchers) {
    node.className = "card placeholder";
    node.style.removeProperty("--type-color");
    node.draggable = false;
    node.title = "Private writing: revealed when the facilitator says so";
    node.setAttribute("aria-label", "Someone is writing here (private)");
    node.replaceChildren(
      el("p", { class: "placeholder-text" }, [el("span", { class: "icon", "aria-hidden": "true", text: "✎ " }), "Someone is writing here (private)"]),
      watchers ? el("span", { class: "editing-hint", text: `✎ ${watchers.join(", ")} ${watchers.length > 1 ? "are" : "is"} editing` }) : "",
    );
  }

  #fill(node, card, pending, watchers, d) {
    const type = this.template.cardTypes.get(card.type);
    node.className = `card type-${card.type}`;
    node.classList.toggle("pending", pending);
    node.classList.toggle("locked", d.locked);
    node.classList.toggle("mine-private", card.private === true);
    node.style.setProperty("--type-color", type.color);
    node.draggable = this.perms.canMove(card) && !d.locked;
    node.title = this.perms.canEdit(card) && !d.locked ? "Enter: edit · Alt+arrows: move · Delete: delete" : "";
    node.setAttribute("aria-label", `${type.label}: ${card.text}`);
    const actions = [];
    const lockedNote = d.locked ? { "aria-disabled": "true", title: "This section was agreed and is locked" } : {};
    if (this.perms.canEdit(card)) {
      actions.push(el("button", { type: "button", class: "edit", text: "Edit", "aria-label": "Edit card", ...lockedNote, on: { click: () => this.intents.edit(this.#card(node)) } }));
    }
    if (this.perms.canDelete(card)) {
      actions.push(el("button", { type: "button", class: "delete", text: "Delete", "aria-label": "Delete card", ...lockedNote, on: { click: () => this.intents.remove(this.#card(node)) } }));
    }
    const editing = watchers ? `✎ ${watchers.join(", ")} ${watchers.length > 1 ? "are" : "is"} editing` : null;
    const parts = [
      el("div", { class: "card-top" }, [
        el("span", { class: "type-badge" }, [el("span", { class: "icon", "aria-hidden": "true", text: type.icon }), type.label]),
        card.private === true ? el("span", { class: "private-tag", text: "◌ Private: only you", title: "Private until the facilitator reveals the cards" }) : null,
        pending ? el("span", { class: "unsaved", text: "waiting", title: "Not saved on the server yet" }) : null,
        actions.length ? el("span", { class: "card-actions" }, actions) : null,
      ]),
      editing ? el("p", { class: "editing-hint", text: editing }) : null,
      el("p", { class: "card-text", text: card.text }),
      this.#fields(card),
      this.#foot(node, d),
    ];
    node.replaceChildren(...parts.filter(Boolean)); // replaceChildren would print "null"
  }

  /** The card's footer: its comments, and its dots when a round is in play here. */
  #foot(node, d) {
    const { total, open } = d.comments;
    const label = total === 0 ? "No comments yet: open comments" : `${total} ${total === 1 ? "comment" : "comments"}, ${open} open: show`;
    const look = `${total === 0 ? " none" : ""}${open > 0 ? " has-open" : ""}`;
    const bubble = [el("span", { class: "bubble", "aria-hidden": "true" }), String(total)];
    // Read-only (the projector, an observer): no buttons on cards; the card itself opens them.
    const comments = this.perms.canAdd()
      ? el("button", { type: "button", class: `comments-btn${look}`, "aria-label": label, title: label, on: { click: () => this.intents.comments(this.#card(node)) } }, bubble)
      : el("span", { class: `comments-count${look}`, title: `${total} ${total === 1 ? "comment" : "comments"}: click the card to read` }, bubble);
    const items = [comments];
    const v = d.vote;
    if (v) {
      const dots = [];
      if (v.total !== null) {
        dots.push(el("span", { class: "dot-total", title: `${v.total} ${v.total === 1 ? "dot" : "dots"} in all`, "aria-label": `${v.total} ${v.total === 1 ? "dot" : "dots"} in all` }, [el("span", { "aria-hidden": "true", text: "● " }), String(v.total)]));
      }
      if (v.canVote && v.open) {
        const cardOf = () => this.#card(node);
        if (v.mine === 0) {
          dots.push(el("button", { type: "button", class: "dot-btn", "aria-pressed": "false", text: "○ Dot", title: "Place one of your dots on this card", "aria-label": "Place a dot on this card", on: { click: () => this.intents.dot(cardOf(), +1) } }));
        } else {
          dots.push(el("button", { type: "button", class: "dot-btn mine", "aria-pressed": "true", text: `● ${v.mine > 1 ? `×${v.mine}` : "Mine"}`, title: "Remove one of your dots from this card", "aria-label": `Your dots here: ${v.mine}. Remove one`, on: { click: () => this.intents.dot(cardOf(), -1) } }));
          if (v.left > 0) dots.push(el("button", { type: "button", class: "dot-more", text: "+", title: "Add another of your dots", "aria-label": "Add another dot to this card", on: { click: () => this.intents.dot(cardOf(), +1) } }));
        }
      } else if (v.mine > 0) {
        dots.push(el("span", { class: "dot-mine", text: `● yours: ${v.mine}` }));
      }
      items.push(el("span", { class: "card-dots" }, dots));
    }
    return el("div", { class: "card-foot" }, items);
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
    if (card && !card.hidden && this.perms.canEdit(card)) this.intents.edit(card);
  }

  // Keyboard ------------------------------------------------------------------------------

  #key(e) {
    const node = e.target.closest?.(".card");
    if (!node || e.target !== node || e.ctrlKey || e.metaKey) return;
    const card = this.#card(node);
    if (!card || card.hidden) return;
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
    else if (e.key === "Enter" && !this.perms.canAdd()) this.intents.comments(card);
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
    if (!card || card.hidden || !this.perms.canMove(card)) {
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
