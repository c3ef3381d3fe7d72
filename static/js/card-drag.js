// Dragging cards with the mouse, within a section or across sections. Cards run in reading
// order: one column in a section of the canvas, rows of several in a section opened large,
// so where a drop lands is found from both coordinates.

import { el } from "./dom.js";

const CARD_MIME = "application/x-brickboard-card";

export class CardDrag {
  /** canvas: the Canvas (its lists, cards, view, perms and intents). */
  constructor(canvas) {
    this.canvas = canvas;
    this.dragging = null; // the card id being dragged
    this.marker = el("li", { class: "drop-marker", "aria-hidden": "true" });
  }

  start(e, node) {
    const card = this.canvas.cardOf(node);
    if (!card || card.hidden || !this.canvas.perms.canMove(card)) {
      e.preventDefault();
      return;
    }
    this.dragging = card.id;
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData(CARD_MIME, card.id);
    e.dataTransfer.setData("text/plain", card.text);
    node.classList.add("dragging");
  }

  end() {
    if (this.dragging) this.canvas.cards.get(this.dragging)?.node.classList.remove("dragging");
    this.dragging = null;
    this.marker.remove();
  }

  target(sectionNode, sectionId) {
    sectionNode.addEventListener("dragover", (e) => {
      if (!this.dragging) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "move";
      const { before } = this.#slot(sectionId, e.clientX, e.clientY);
      this.canvas.lists.get(sectionId).insertBefore(this.marker, before);
    });
    sectionNode.addEventListener("dragleave", (e) => {
      if (!sectionNode.contains(e.relatedTarget)) this.marker.remove();
    });
    sectionNode.addEventListener("drop", (e) => {
      if (!this.dragging) return;
      e.preventDefault();
      const cardId = this.dragging;
      const { after } = this.#slot(sectionId, e.clientX, e.clientY);
      this.end();
      const card = this.canvas.view.cards.get(cardId);
      if (!card) return;
      const ids = this.canvas.view.sections.get(sectionId);
      const index = ids.indexOf(cardId);
      const unchanged = card.section === sectionId && (index === 0 ? after === null : ids[index - 1] === after);
      if (!unchanged) this.canvas.intents.move(cardId, sectionId, after);
    });
  }

  /** Where a drop at (x, y) lands: before which node, and after which card id. Cards run in
   * reading order: one column in a section, rows of several in a section opened large. */
  #slot(sectionId, x, y) {
    const nodes = [...this.canvas.lists.get(sectionId).children].filter(
      (n) => n.classList.contains("card") && n.dataset.card !== this.dragging,
    );
    // One card per row (a column), or several side by side (a grid)?
    const column = nodes.length < 2 || nodes[1].getBoundingClientRect().top > nodes[0].getBoundingClientRect().top + 1;
    let after = null;
    for (const n of nodes) {
      const box = n.getBoundingClientRect();
      const before = column ? y < box.top + box.height / 2 : y < box.top || (y <= box.bottom && x < box.left + box.width / 2);
      if (before) return { before: n, after };
      after = n.dataset.card;
    }
    return { before: null, after };
  }
}
