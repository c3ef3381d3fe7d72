// What others change on the board, told to screen readers politely and in summary: "3 new
// cards in Greatest Barriers; 1 card edited in Costs." One sentence per burst of changes,
// never one announcement per op, and never about this person's own edits.

const BURST_MS = 1500; // changes arriving within this time are told together
const EDIT_QUIET_MS = 30000; // someone typing in a card is told once, not every few seconds
const MAX_PHRASES = 4;

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/** A card's content, to tell an edit from a move or a redraw. */
function contentOf(card) {
  const { section: _section, ...rest } = card;
  return JSON.stringify(rest);
}

export class Announcer {
  /** region: an aria-live="polite" element. actorId: me. mine(id): did I touch this card or
   * comment lately (my own edits, typing, moves)? */
  constructor(region, template, { actorId, mine }) {
    Object.assign(this, { region, template, actorId, mine });
    this.cards = null; // card id -> {section, hidden, content}
    this.comments = null; // comment ids seen
    this.counts = new Map(); // "added|section" -> n, in arrival order
    this.lastEdit = new Map(); // card id -> when its edit was last told
    this.timer = 0;
  }

  /** Compare `view` with the last one seen; the first view (and a reload) is not news. */
  observe(view) {
    if (this.cards === null) return this.#remember(view);
    const now = Date.now();
    for (const [id, card] of view.cards) {
      const before = this.cards.get(id);
      if (this.mine(id) || (!before && card.author === this.actorId)) continue;
      if (!before) this.#count("added", card.section);
      else if (before.hidden && !card.hidden) this.#count("revealed", card.section);
      else if (before.section !== card.section) this.#count("moved", card.section);
      else if (before.content !== contentOf(card) && !card.hidden && now - (this.lastEdit.get(id) || 0) > EDIT_QUIET_MS) {
        this.lastEdit.set(id, now);
        this.#count("edited", card.section);
      }
    }
    for (const [id, before] of this.cards) if (!view.cards.has(id) && !this.mine(id)) this.#count("deleted", before.section);
    let comments = 0;
    for (const [id, comment] of view.comments) {
      if (!this.comments.has(id) && !this.mine(id) && comment.author !== this.actorId) comments += 1;
    }
    if (comments) this.#count("comments", "", comments);
    this.#remember(view);
  }

  #remember(view) {
    this.cards = new Map([...view.cards].map(([id, card]) => [id, { section: card.section, hidden: card.hidden === true, content: contentOf(card) }]));
    this.comments = new Set(view.comments.keys());
  }

  #count(kind, section, n = 1) {
    const key = `${kind}|${section}`;
    this.counts.set(key, (this.counts.get(key) || 0) + n);
    if (!this.timer) this.timer = setTimeout(() => this.#flush(), BURST_MS);
  }

  #flush() {
    this.timer = 0;
    const phrases = [];
    for (const [key, n] of this.counts) {
      const [kind, sectionId] = key.split("|");
      const section = this.template.sections.get(sectionId)?.title || "";
      if (kind === "added") phrases.push(`${plural(n, "new card", "new cards")} in ${section}`);
      else if (kind === "edited") phrases.push(`${plural(n, "card", "cards")} edited in ${section}`);
      else if (kind === "revealed") phrases.push(`${plural(n, "private card", "private cards")} revealed in ${section}`);
      else if (kind === "moved") phrases.push(`${plural(n, "card", "cards")} moved to ${section}`);
      else if (kind === "deleted") phrases.push(`${plural(n, "card", "cards")} deleted from ${section}`);
      else if (kind === "comments") phrases.push(plural(n, "new comment", "new comments"));
    }
    this.counts.clear();
    if (!phrases.length) return;
    const told = phrases.slice(0, MAX_PHRASES);
    if (phrases.length > MAX_PHRASES) told.push("and other changes");
    const sentence = `${told.join("; ")}.`;
    // The same words twice in a row are still news: empty the region first.
    this.region.textContent = "";
    requestAnimationFrame(() => {
      this.region.textContent = sentence[0].toUpperCase() + sentence.slice(1);
    });
  }
}
