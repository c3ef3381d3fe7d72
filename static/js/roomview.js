// Read-only pieces shared by the room pages (present, cross, run): a card as the room sees it,
// its type fields in words, the connection's name (connection.js), the board's one-line label.
// User text only ever goes in through textContent (el's `text`).

import { el } from "./dom.js";

const VALUE_LABELS = { d30: "30 days", d60: "60 days", d90: "90 days", capex: "capital", opex: "operating" };
const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });

export { CONNECTION_TEXT, connectionText } from "./connection.js";

/** The type fields of a card, in words: [[label, value], …]. */
export function fieldsOf(template, card) {
  if (!template.cardTypes.has(card.type) || card.hidden) return [];
  const specs = template.fieldsFor(card.type, card.section);
  const out = [];
  for (const [name, spec] of Object.entries(specs)) {
    if (!Object.hasOwn(card, name) || card[name] === null || card[name] === undefined) continue;
    const value = card[name];
    let shown;
    if (spec.kind === "bool") shown = value ? "Yes" : "No";
    else if (spec.kind === "number" && name === "amount_usd") shown = usd.format(value);
    else if (spec.kind === "enum") shown = VALUE_LABELS[value] || String(value).replaceAll("_", " ");
    else shown = String(value);
    out.push([spec.label, shown]);
  }
  return out;
}

/**
 * A card, read-only. opts: {label: show the type's name, fields: show type fields,
 * dots: a dot count to show (null for none)}.
 */
export function cardNode(template, card, { label = false, fields = false, dots = null } = {}) {
  const type = template.cardTypes.get(card.type) || { label: card.type, icon: "•", color: "#eeeeee" };
  const hidden = Boolean(card.hidden);
  const node = el("li", { class: `rcard type-${card.type}${hidden ? " hidden-card" : ""}`, dataset: { card: card.id } });
  node.style.setProperty("--type-color", hidden ? "#f4f5f7" : type.color);
  const head = [
    el("span", { class: "icon", "aria-hidden": "true", text: hidden ? "✎" : type.icon }),
    label ? el("span", { class: "type-label", text: hidden ? "Private" : type.label }) : null,
    dots !== null && dots > 0
      ? el("span", { class: "dots", title: `${dots} ${dots === 1 ? "dot" : "dots"}`, text: `● ${dots}` })
      : null,
  ];
  node.append(
    el("div", { class: "rcard-head" }, head),
    el("p", { class: "rcard-text", dir: "auto", text: hidden ? "Writing in private…" : card.text }),
  );
  node.setAttribute("aria-label", `${hidden ? "Private card" : type.label}: ${hidden ? "not revealed yet" : card.text}`);
  if (fields) {
    const items = fieldsOf(template, card);
    if (items.length) {
      node.append(
        el(
          "ul",
          { class: "rcard-fields" },
          items.map(([name, value]) => el("li", {}, [el("span", { class: "name", text: `${name}: ` }), el("span", { dir: "auto", text: value })])),
        ),
      );
    }
  }
  return node;
}

/** "Austin, TX · Adaptive signal timing…" without saying the initiative twice. */
export function boardLabel(board) {
  const initiative = board.initiative || board.title || "";
  return [board.city, initiative].filter(Boolean).join(" · ");
}

/** Card counts per type of a board state (model shape: cards is a Map). */
export function typeCounts(state) {
  const counts = new Map();
  for (const card of state.cards.values()) {
    const key = card.hidden ? "private" : card.type;
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  return counts;
}

/** Today's date (YYYY-MM-DD) in a time zone, at a given moment (ms since the epoch). */
export function dateIn(timeZone, moment) {
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(moment);
  } catch {
    return new Date(moment).toISOString().slice(0, 10);
  }
}

/** "14:05" in the browser's zone, for "since" lines. */
export function clockTime(iso) {
  const when = new Date(iso);
  return Number.isNaN(when.getTime()) ? "" : when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}
