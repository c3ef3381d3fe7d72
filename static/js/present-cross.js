// The projector's report-out: one section of every board side by side (the spotlight's
// "cross" mode, set by an agenda item that names a section and no board). Each board's column
// is built from the feed the overview keeps per board, and fitted like the canvas's sections.

import { el } from "./dom.js";
import { cardNode } from "./roomview.js";
import { fitList } from "./present-fit.js";

/** {node, fit}: the section `sectionId` of every board, a column each. feeds: board id ->
 * BoardFeed (its state may still be loading); boards: board id -> {city, title, initiative}. */
export function crossView(template, boards, feeds, sectionId) {
  const section = template.sections.get(sectionId);
  const columns = [...boards.keys()].map((id) => {
    const state = feeds.get(id)?.state || null;
    const b = state || boards.get(id);
    const ids = state ? state.sections.get(sectionId) || [] : [];
    const cards = ids.map((cid) => state.cards.get(cid)).filter(Boolean);
    const body = !state
      ? el("p", { class: "prompt", text: "Loading…" })
      : cards.length
        ? el("ol", { class: "rcards" }, cards.map((card) => cardNode(template, card)))
        : el("p", { class: "prompt", text: "Nothing here yet." });
    return el("section", { class: `sec${section.money ? " money" : ""}`, dataset: { board: id } }, [
      el("header", { class: "sec-head" }, [
        el("h2", { dir: "auto", text: b.city || b.title || "Board" }),
        state ? el("span", { class: "sec-count", text: String(cards.length), title: "cards" }) : null,
      ]),
      body,
      el("p", { class: "more", hidden: true }),
    ]);
  });
  const grid = el("div", { class: "canvas-ro cross-ro", "aria-label": `${section.title} on every board` }, columns);
  grid.style.setProperty("--columns", String(Math.max(columns.length, 1)));
  const node = el("section", { class: "cross-view", dataset: { section: sectionId } }, [
    el("header", { class: "zoom-head" }, [el("h2", { text: section.title }), el("span", { class: "sec-count", text: "every board" })]),
    el("p", { class: "zoom-prompt", text: section.prompt }),
    grid,
  ]);
  const fit = () => {
    for (const column of grid.querySelectorAll(".sec")) {
      const list = column.querySelector(".rcards");
      if (list) fitList(list, column.querySelector(".more"));
    }
  };
  return { node, fit };
}
