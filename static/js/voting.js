// Dot voting on the board page: which round is in play, the banner, the results panel, and
// the facilitator's dialog to open a round. Rules and counts come from model.js (the mirror of
// board/model/collab.py); a blind round shows each person only their own dots until revealed.

import { el, randomId } from "./dom.js";
import { DOTS_MAX, tally } from "./model.js";

const ROLE_LABELS = [
  ["mayor", "Mayors"],
  ["expert", "Experts"],
  ["facilitator", "Facilitator"],
  ["observer", "Observers"],
];

/** The open round, if any (the server allows one at a time). */
export function openRound(view) {
  for (const round of view.rounds.values()) if (round.status === "open") return round;
  return null;
}

/** Rounds, newest first. */
export function roundsNewestFirst(view) {
  return [...view.rounds.values()].reverse();
}

export const countsVisible = (round) => round.revealed === true;

/**
 * What the canvas shows of `round` (the open one, or the one in the results panel):
 * {round, sections: Set|null, mine: Map<cardId, n>, totals: Map|null, canVote, left,
 * orphans: my dots on cards deleted since (they still count until taken back)}.
 */
export function voteDeco(round, actor, view) {
  if (!round) return null;
  const mine = new Map();
  const orphans = [];
  let used = 0;
  for (const vote of round.votes) {
    if (vote.by !== actor.id || vote.card === null) continue;
    used += 1;
    mine.set(vote.card, (mine.get(vote.card) || 0) + 1);
    if (!view.cards.has(vote.card)) orphans.push(vote.card);
  }
  return {
    round,
    sections: round.sections ? new Set(round.sections) : null,
    mine,
    totals: countsVisible(round) ? tally(round).totals : null,
    canVote: actor.role !== "observer" && round.status === "open",
    left: Math.max(0, round.dots - used),
    orphans,
  };
}

function sectionNames(round, template) {
  if (!round.sections) return "all sections";
  return round.sections.map((id) => template.sections.get(id)?.title || id).join(", ");
}

/**
 * The banner of the open round: title, dots left, sections, and the facilitator's buttons.
 * actions: {results(roundId), close(roundId), reveal(roundId), takeBack(roundId, cardIds)}.
 */
export function voteBanner(round, deco, { actor, template, actions }) {
  const facilitator = actor.role === "facilitator";
  const parts = [
    el("span", { class: "banner-icon", "aria-hidden": "true", text: "◉" }),
    el("strong", { class: "banner-title" }, ["Dot vote: ", el("span", { dir: "auto", text: round.title })]),
  ];
  if (actor.role === "observer") parts.push(el("span", { class: "dots-left", text: `${round.dots} dots each` }));
  else parts.push(el("span", { class: "dots-left", text: `${deco.left} of ${round.dots} dots left` }));
  parts.push(el("span", { class: "vote-sections", text: `Voting on: ${sectionNames(round, template)}` }));
  if (round.blind && !round.revealed) {
    parts.push(el("span", { class: "blind-tag", text: "◐ Blind: you see only your own dots until the facilitator reveals them" }));
  }
  const buttons = [];
  if (deco.orphans.length && round.status === "open") {
    const n = deco.orphans.length;
    buttons.push(
      el("button", {
        type: "button",
        class: "take-back-btn",
        text: `↺ Take back ${n} ${n === 1 ? "dot" : "dots"} from deleted cards`,
        on: { click: () => actions.takeBack(round.id, deco.orphans) },
      }),
    );
  }
  if (countsVisible(round)) buttons.push(el("button", { type: "button", class: "results-btn", text: "▤ Results", on: { click: () => actions.results(round.id) } }));
  if (facilitator) {
    if (round.blind && !round.revealed) buttons.push(el("button", { type: "button", class: "reveal-btn primary", text: "◎ Reveal results", on: { click: () => actions.reveal(round.id) } }));
    buttons.push(el("button", { type: "button", class: "close-round-btn", text: "■ Close round", on: { click: () => actions.close(round.id) } }));
  }
  if (buttons.length) parts.push(el("span", { class: "banner-buttons" }, buttons));
  return el("div", { class: "banner vote-banner", role: "status", dataset: { round: round.id } }, parts);
}

/**
 * The results panel body for `round`: ranking by dots, with the split by role; or, while a
 * blind round is not revealed, only your own dots. actions: {select(roundId), close, reveal}.
 */
export function resultsBody(view, round, { actor, template, actions }) {
  const rounds = roundsNewestFirst(view);
  const picker =
    rounds.length > 1
      ? el(
          "select",
          { id: "round-picker", "aria-label": "Voting round", on: { change: (e) => actions.select(e.target.value) } },
          rounds.map((r) => el("option", { value: r.id, dir: "auto", text: `${r.title} (${r.status === "open" ? "open" : "closed"})` })),
        )
      : null;
  if (picker) picker.value = round.id;
  const status = round.status === "open" ? "Open" : "Closed";
  const summary = el("p", { class: "round-summary", text: `${status} · ${round.blind ? "blind · " : ""}${round.dots} dots each · ${sectionNames(round, template)}` });
  const body = [picker ? el("div", { class: "round-pick" }, [el("label", { for: "round-picker", text: "Round" }), picker]) : null, summary];
  const facilitator = actor.role === "facilitator";
  const buttons = [];
  if (facilitator && !round.revealed) buttons.push(el("button", { type: "button", class: "reveal-btn primary", text: "◎ Reveal results", on: { click: () => actions.reveal(round.id) } }));
  if (facilitator && round.status === "open") buttons.push(el("button", { type: "button", class: "close-round-btn", text: "■ Close round", on: { click: () => actions.close(round.id) } }));
  if (buttons.length) body.push(el("div", { class: "buttons" }, buttons));

  if (!countsVisible(round)) {
    const mine = round.votes.filter((v) => v.by === actor.id && v.card !== null).length;
    body.push(
      el("p", { class: "blind-note" }, [
        el("span", { "aria-hidden": "true", text: "◐ " }),
        "Blind round: the counts stay hidden until the facilitator reveals them.",
      ]),
    );
    if (actor.role !== "observer") body.push(el("p", { class: "blind-mine", text: `You placed ${mine} of your ${round.dots} dots.` }));
    return body.filter(Boolean);
  }
  const { totals, byRole, ranking } = tally(round);
  const shown = ranking.filter((id) => view.cards.has(id));
  if (shown.length === 0) {
    body.push(el("p", { class: "results-empty", text: "No dots yet." }));
    return body.filter(Boolean);
  }
  const top = totals.get(shown[0]);
  const items = shown.map((cardId, index) => {
    const card = view.cards.get(cardId);
    const type = template.cardTypes.get(card.type);
    const total = totals.get(cardId);
    const split = byRole.get(cardId) || {};
    const known = new Set(ROLE_LABELS.map(([r]) => r));
    const splitText = [
      ...ROLE_LABELS.filter(([role]) => split[role]).map(([role, label]) => `${label} ${split[role]}`),
      ...Object.entries(split).filter(([role]) => !known.has(role)).map(([role, n]) => `${role} ${n}`),
    ].join(" · ");
    const bar = el("span", { class: "result-bar", "aria-hidden": "true" });
    bar.style.width = `${Math.round((total / top) * 100)}%`;
    const row = el("li", { class: "result", dataset: { card: cardId } }, [
      el("span", { class: "result-rank", text: `${index + 1}.` }),
      el("div", { class: "result-main" }, [
        el("p", { class: "result-card" }, [
          el("span", { class: "icon", "aria-hidden": "true", text: `${type.icon} ` }),
          card.hidden ? "A private card" : el("span", { dir: "auto", text: card.text }),
        ]),
        el("div", { class: "result-meter" }, [bar]),
        el("p", { class: "result-split", text: splitText }),
      ]),
      el("span", { class: "result-total", text: `${total} ${total === 1 ? "dot" : "dots"}` }),
    ]);
    row.style.setProperty("--type-color", type.color);
    return row;
  });
  body.push(el("ol", { class: "results", "aria-label": "Cards ranked by dots" }, items));
  return body.filter(Boolean);
}

/** The facilitator's dialog to open a round. onOpen(round body) returns null or a sentence. */
export function openVoteDialog({ template, onOpen }) {
  const title = el("input", { id: "vote-title", dir: "auto", type: "text", maxLength: 200, value: "Dot vote", required: true });
  const dots = el("input", { id: "vote-dots", type: "number", min: 1, max: DOTS_MAX, step: 1, value: "3", required: true });
  const blind = el("input", { id: "vote-blind", type: "checkbox" });
  const boxes = template.sectionIds.map((id) =>
    el("label", { class: "check" }, [el("input", { type: "checkbox", value: id, dataset: { section: id } }), template.sections.get(id).title]),
  );
  const problem = el("p", { class: "form-problem", role: "alert" });
  const cancel = el("button", { type: "button", class: "secondary", text: "Cancel" });
  const form = el("form", { method: "dialog", class: "card-form vote-form" }, [
    el("h2", { text: "Open a dot vote" }),
    el("div", { class: "row" }, [el("label", { for: "vote-title", text: "Title" }), title]),
    el("div", { class: "row" }, [el("label", { for: "vote-dots", text: "Dots each" }), dots]),
    el("div", { class: "row" }, [el("label", { for: "vote-blind", text: "Blind" }), el("label", { class: "check" }, [blind, "Hide the counts until I reveal them"])]),
    el("fieldset", { class: "vote-sections-pick" }, [el("legend", { text: "Sections (none ticked: all sections)" }), ...boxes]),
    problem,
    el("div", { class: "buttons" }, [cancel, el("button", { type: "submit", class: "primary", text: "Open the vote" })]),
  ]);
  const dialog = el("dialog", { class: "editor vote-dialog", "aria-label": "Open a dot vote" }, [form]);
  cancel.addEventListener("click", () => dialog.close());
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const sections = boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
    const message = onOpen({
      id: randomId("r_"),
      title: title.value.trim() || "Dot vote",
      dots: Number.parseInt(dots.value, 10),
      sections: sections.length ? sections : null,
      blind: blind.checked,
    });
    if (message) problem.textContent = message;
    else dialog.close();
  });
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  title.select();
}
