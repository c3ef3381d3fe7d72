// One snapshot, read-only: the board's title and brief, then the 13 sections in canvas order
// with their cards, type fields and, when the state has them, comment and vote counts.

import { el } from "./dom.js";
import { cardNode, credit, tallies } from "./history-cards.js";

/**
 * Render GET /api/snapshots/{id} ({snapshot, state}) into `root`. `actions` are extra nodes
 * for the header (restore, compare), built by the page.
 */
export function renderSnapshot(root, { snapshot, state }, fmt, actions = []) {
  const { comments, votes } = tallies(state);
  const cardCount = Object.keys(state.cards).length;
  const taker = fmt.name(snapshot.taken_by);
  const meta = [
    snapshot.day ? `Day ${snapshot.day}` : null,
    `seq ${snapshot.seq}`,
    taker ? `taken by ${taker}` : "taken automatically",
    fmt.when(snapshot.taken_at),
    `${cardCount} ${cardCount === 1 ? "card" : "cards"}`,
  ].filter(Boolean);
  const head = el("div", { class: "view-head" }, [
    el("div", {}, [
      el("p", { class: "kicker", text: "Read-only snapshot" }),
      el("h2", { id: "view-label", dir: "auto", text: snapshot.label }),
      el("p", { class: "view-meta", text: meta.join(" · ") }),
    ]),
    actions.length ? el("div", { class: "view-actions" }, actions) : null,
  ]);

  const briefRows = [];
  if (state.title) briefRows.push(["Title", state.title]);
  if (state.initiative && state.initiative !== state.title) briefRows.push(["Initiative", state.initiative]);
  for (const [key, spec] of Object.entries(fmt.raw.brief_fields || {})) {
    if (state.brief?.[key]) briefRows.push([spec.label, state.brief[key]]);
  }
  const brief = briefRows.length
    ? el("details", { class: "view-brief" }, [
        el("summary", { text: "Title, initiative and brief" }),
        el("dl", {}, briefRows.flatMap(([label, text]) => [el("dt", { text: label }), el("dd", { dir: "auto", text })])),
      ])
    : null;

  const bySection = new Map(state.sections.map((s) => [s.id, s]));
  const sections = fmt.sectionIds.map((sectionId) => {
    const section = bySection.get(sectionId) || { id: sectionId, cards: [] };
    const ids = section.cards.filter((id) => state.cards[id]);
    const locked = state.locks?.[sectionId];
    return el("section", { class: "view-section", dataset: { section: sectionId } }, [
      el("h3", {}, [
        fmt.sectionTitle(sectionId),
        el("span", { class: "section-count", text: String(ids.length), "aria-label": `${ids.length} cards` }),
        locked ? el("span", { class: "locked", text: "✔ agreed" }) : null,
      ]),
      ids.length
        ? el(
            "ol",
            { class: "view-cards", "aria-label": `${fmt.sectionTitle(sectionId)} cards` },
            ids.map((id) =>
              cardNode(fmt, state.cards[id], {
                comments: comments.get(id) || 0,
                votes: votes.get(id) || 0,
                credit: credit("by ", fmt.name(state.cards[id].author)),
              }),
            ),
          )
        : el("p", { class: "empty-note", text: "No cards." }),
    ]);
  });
  root.replaceChildren(...[head, brief, el("div", { class: "view-sections" }, sections)].filter(Boolean));
}
