// Renders the board into the DOM and turns pointer and keyboard gestures into intents
// (add, edit, move, delete, focus, comments, dots, sign-off, open large, collapse). It never
// changes the board itself: the app turns intents into ops. Cards are kept by id and only
// rebuilt when they change, so re-rendering after every event keeps focus, scroll position
// and drag state.
//
// The layout is CSS (board.css): the template's grid where the canvas is wide enough for
// readable columns, a flow of columns in reading order where it is not; one section opened
// large (focus) fills the board area; collapsed sections show only their heading.
//
// What the room adds to the board comes in `deco` (see render): comment counts, the dot-vote
// round in play, agreed (locked) sections, who is editing which card, the spotlight.

import { el, clear } from "./dom.js";
import { fillCard, fillHidden } from "./card-view.js";
import { CardDrag } from "./card-drag.js";

export const KEY_HELP = [
  ["Tab", "go to the next card or button"],
  ["↑ / ↓", "previous / next card in the section"],
  ["Enter", "edit the focused card"],
  ["Delete", "delete the focused card (asks first)"],
  ["Alt + ↑ / ↓", "move the card up / down in its section"],
  ["Alt + ← / →", "move the card to the previous / next section"],
  ["Drag", "move a card with the mouse, within or across sections"],
  ["⤢", "open a section large (its own address); Esc or Back returns"],
  ["☰ Outline", "the board as a list: ↑ / ↓, Home / End, Enter to edit"],
  ["Esc", "close a dialog without saving, or leave the large section"],
];

const EMPTY_DECO = Object.freeze({
  comments: new Map(),
  vote: null,
  locks: new Map(),
  locked: () => false,
  spotlight: null,
});

/** How many rows of the template's grid each section spans (a tall section fills its area). */
function rowSpans(areas) {
  const spans = new Map();
  for (const row of areas) for (const id of new Set(row.split(/\s+/))) spans.set(id, (spans.get(id) || 0) + 1);
  return spans;
}

export class Canvas {
  /**
   * root: the element to draw into. template: makeTemplate(). perms: {canAdd(), canEdit(card),
   * canMove(card), canDelete(card), canLock()}. intents: {add(section), edit(card),
   * remove(card), move(cardId, section, after), focus(section, cardId|null), comments(card),
   * dot(card, +1|-1), lock(section, locked), open(section), collapse(section, collapsed),
   * refused(message)}.
   */
  constructor(root, template, perms, intents) {
    Object.assign(this, { root, template, perms, intents });
    this.lists = new Map(); // section id -> <ol>
    this.heads = new Map(); // section id -> {node, count, here, badge, add, lock, toggle, title}
    this.deco = EMPTY_DECO;
    this.cards = new Map(); // card id -> {node, sig}
    this.view = null;
    this.focused = null; // the section opened large
    this.drag = new CardDrag(this);
    this.#build();
  }

  #build() {
    const { grid, sections } = this.template.raw;
    clear(this.root);
    this.grid = el("div", { class: "canvas-grid" });
    // The template's grid, as variables: board.css applies them only where the columns fit.
    this.grid.style.setProperty("--grid-columns", grid.columns);
    this.grid.style.setProperty("--grid-areas", grid.areas.map((row) => JSON.stringify(row)).join(" "));
    const spans = rowSpans(grid.areas);
    for (const section of sections) {
      const list = el("ol", { class: "cards", id: `cards-${section.id}`, dataset: { section: section.id }, "aria-label": `${section.title} cards` });
      const count = el("span", { class: "count" });
      const here = el("span", { class: "here", dir: "auto" });
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
      // The title collapses and expands the section (a disclosure button inside the heading).
      const icon = el("span", { class: "toggle-icon", "aria-hidden": "true", text: "▾" });
      const toggle = el(
        "button",
        {
          type: "button",
          class: "collapse-toggle",
          "aria-expanded": "true",
          "aria-controls": list.id,
          title: "Collapse",
          on: { click: () => this.intents.collapse(section.id, toggle.getAttribute("aria-expanded") === "true") },
        },
        [icon, section.title, "\u00a0", count],
      );
      const open = el("button", {
        type: "button",
        class: "open-large",
        text: "⤢",
        title: `Open ${section.title} large`,
        "aria-label": `Open ${section.title} large`,
        on: { click: () => this.intents.open(section.id) },
      });
      const spot = el("span", { class: "spot-badge", text: "◉ Facilitator's spotlight" });
      const node = el("section", { class: "section", dataset: { section: section.id }, "aria-labelledby": `h-${section.id}` }, [
        el("header", { class: "section-head" }, [
          el("div", { class: "section-title" }, [el("h2", { id: `h-${section.id}` }, [toggle]), badge, spot, here]),
          el("div", { class: "section-tools" }, [add, lock, open]),
        ]),
        el("p", { class: "prompt", text: section.prompt, title: section.prompt }),
        list,
      ]);
      node.style.setProperty("--area", section.id);
      if ((spans.get(section.id) || 1) > 1) node.classList.add("tall");
      if (section.money) node.classList.add("money");
      this.drag.target(node, section.id);
      this.lists.set(section.id, list);
      this.heads.set(section.id, { node, count, here, badge, add, lock, toggle, icon, title: section.title });
      this.grid.append(node);
    }
    this.root.append(this.grid);
    const width = new Map();
    this.resize = new ResizeObserver((entries) => {
      for (const entry of entries) {
        const w = Math.round(entry.contentRect.width);
        if (width.get(entry.target) !== w) this.#measure(entry.target);
        width.set(entry.target, w);
      }
    });
    for (const list of this.lists.values()) this.resize.observe(list);
    this.root.addEventListener("keydown", (e) => this.#key(e));
  }

  /** The layout this person chose: one section open large (or none), and the collapsed ones. */
  setLayout({ focus = null, collapsed = new Set() }) {
    this.focused = this.heads.has(focus) ? focus : null;
    this.grid.classList.toggle("has-focus", this.focused !== null);
    for (const [id, head] of this.heads) {
      const shut = collapsed.has(id) && id !== this.focused;
      head.node.classList.toggle("is-focus", id === this.focused);
      head.node.classList.toggle("collapsed", shut);
      head.node.hidden = this.focused !== null && id !== this.focused;
      head.toggle.disabled = id === this.focused; // open large: nothing to collapse
      head.toggle.setAttribute("aria-expanded", String(!shut));
      head.toggle.title = shut ? "Expand" : "Collapse";
      head.icon.textContent = shut ? "▸" : "▾";
      this.lists.get(id).hidden = shut;
    }
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
    this.drag.marker.remove(); // a drag in progress puts it back on its next dragover
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
      const head = this.heads.get(sectionId);
      head.count.replaceChildren(String(ids.length), el("span", { class: "visually-hidden", text: ids.length === 1 ? " card" : " cards" }));
      head.node.classList.toggle("empty", ids.length === 0);
      const names = bySection.get(sectionId);
      head.here.textContent = names ? `● ${names.join(", ")}` : "";
    }
    for (const [id, entry] of this.cards) {
      if (!seen.has(id)) {
        entry.node.remove();
        this.cards.delete(id);
      }
    }
    for (const list of this.lists.values()) this.#measure(list);
    // Moving a focused card to another list blurs it; give the focus back.
    if (focusedId && this.cards.has(focusedId) && !document.querySelector("dialog[open]")) {
      const node = this.cards.get(focusedId).node;
      if (document.activeElement !== node && !node.contains(document.activeElement)) {
        const same = focusedKind ? node.querySelector(`button.${CSS.escape(focusedKind)}`) : null;
        (same || node).focus({ preventScroll: true });
      }
    }
  }

  /** How tall a list's cards are, for its row (board.css, .cards). A width change rewraps
   * the text: the lists are measured again then (#build's ResizeObserver). */
  #measure(list) {
    const last = list.lastElementChild;
    const height = last && !list.hidden ? Math.ceil(last.offsetTop + last.offsetHeight + 8) : 0;
    const value = `${height}px`;
    if (list.style.getPropertyValue("--content-h") !== value) list.style.setProperty("--content-h", value);
  }

  focusCard(id) {
    this.cards.get(id)?.node.focus();
  }

  /** The heading of a section: where the keyboard goes when a section opens or closes. */
  focusSection(id) {
    const head = this.heads.get(id);
    if (!head) return;
    const target = head.node.classList.contains("is-focus") ? head.node.querySelector("h2") : head.node.querySelector(".open-large");
    if (target.tagName === "H2") target.tabIndex = -1;
    target.focus();
  }

  /** The section with this id, brought into view. */
  showSection(id) {
    this.heads.get(id)?.node.scrollIntoView({ block: "nearest", inline: "nearest", behavior: "smooth" });
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
        head.add.title = locked ? "This section was agreed and is locked" : `Add a card to ${head.title}`;
      }
      if (head.lock) {
        head.lock.textContent = agreed ? "↺ Unlock" : "✓ Agree";
        head.lock.setAttribute("aria-label", agreed ? `Unlock ${head.title}` : `Agree on ${head.title} (locks it)`);
        head.lock.title = agreed ? "Reopen this section for edits" : "Mark this section agreed: it locks for everyone but you";
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
          focus: () => this.intents.focus(this.cardOf(node)?.section, null),
          dblclick: (e) => {
            if (!e.target.closest("a, button")) this.#editFocused(node);
          },
          click: (e) => {
            const card = this.cardOf(node);
            if (!this.perms.canAdd() && card && !card.hidden && !e.target.closest("a")) this.intents.comments(card);
          },
          dragstart: (e) => this.drag.start(e, node),
          dragend: () => this.drag.end(),
        },
      });
      entry = { node, sig: "" };
      this.cards.set(card.id, entry);
    }
    entry.sig = sig;
    const node = entry.node;
    if (d.hidden) fillHidden(node, watchers);
    else fillCard(node, card, { template: this.template, perms: this.perms, intents: this.intents, cardOf: () => this.cardOf(node), pending, watchers, d });
    return node;
  }

  /** The card a node shows, as the view has it now. */
  cardOf(node) {
    return this.view?.cards.get(node.dataset.card) ?? null;
  }

  #editFocused(node) {
    const card = this.cardOf(node);
    if (card && !card.hidden && this.perms.canEdit(card)) this.intents.edit(card);
  }

  // Keyboard ------------------------------------------------------------------------------

  #key(e) {
    const node = e.target.closest?.(".card");
    // Only on the card itself: never while typing in a field, nor on a button inside a card.
    if (!node || e.target !== node || e.ctrlKey || e.metaKey) return;
    const card = this.cardOf(node);
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
}
