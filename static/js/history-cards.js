// Read-only cards for the history page: a snapshot's cards and the cards of a diff, with their
// type, text and type fields in words. Shared by the snapshot view and the diff; all user text
// goes in through textContent (el's "text").

import { el } from "./dom.js";

const VALUE_LABELS = {
  d30: "30 days",
  d60: "60 days",
  d90: "90 days",
  later: "Later",
  open: "Open",
  in_progress: "In progress",
  done: "Done",
  dropped: "Dropped",
  pre_read: "Pre-read",
  expert: "Expert",
  mayor: "Mayor",
  peer_city: "Peer city",
  link: "Link",
  contact: "Contact",
  document: "Document",
  program: "Program",
  capex: "Capital",
  opex: "Operating",
  idea: "Idea",
  applied: "Applied",
  committed: "Committed",
};
const LEVEL = { 1: "low", 2: "medium", 3: "high" };
const CORE_LABELS = { text: "Text", type: "Type", section: "Section" };
const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });

/**
 * Formatting that needs the template, the people and the workshop's clock.
 * raw: GET /api/template; names: {participant id: name}; timeZone: the workshop's (or null).
 */
export function makeFormat(raw, names, timeZone) {
  const sections = new Map(raw.sections.map((s) => [s.id, s]));
  const moneySections = new Set(raw.sections.filter((s) => s.money).map((s) => s.id));
  let clock;
  try {
    clock = new Intl.DateTimeFormat("en-US", {
      timeZone: timeZone || undefined,
      weekday: "short",
      month: "short",
      day: "numeric",
      hour: "numeric",
      minute: "2-digit",
    });
  } catch {
    clock = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short" });
  }

  const fmt = {
    raw,
    names,
    sectionIds: raw.sections.map((s) => s.id),
    sectionTitle: (id) => sections.get(id)?.title ?? id,
    type: (id) => raw.card_types[id] ?? { label: id, icon: "•", color: "#eeeeee", fields: {} },
    /** A participant's name; "" for nobody, a neutral phrase for someone no longer listed. */
    name: (id) => (id ? names[id] || "a former participant" : ""),
    when(iso) {
      if (!iso) return "";
      const date = new Date(iso);
      return Number.isNaN(date.getTime()) ? iso : clock.format(date);
    },
    /** The type fields a card of this type may carry in this section (name -> spec). */
    specs(type, section) {
      const fields = fmt.type(type).fields || {};
      return moneySections.has(section) ? { ...fields, ...raw.money_fields } : { ...fields };
    },
    fieldLabel(name, card) {
      if (CORE_LABELS[name]) return CORE_LABELS[name];
      const spec = fmt.specs(card.type, card.section)[name] || raw.money_fields[name];
      if (spec) return spec.label;
      for (const type of Object.values(raw.card_types)) if (type.fields[name]) return type.fields[name].label;
      return name.replaceAll("_", " ");
    },
    /** A field's value in words ("—" when it has none). */
    value(name, value) {
      if (value === undefined || value === null || value === "") return "—";
      if (name === "type") return fmt.type(value).label;
      if (name === "section") return fmt.sectionTitle(value);
      if (typeof value === "boolean") return value ? "Yes" : "No";
      if (name === "amount_usd" && typeof value === "number") return usd.format(value);
      if ((name === "severity" || name === "likelihood") && LEVEL[value]) return `${LEVEL[value]} (${value}/3)`;
      if (typeof value === "string" && VALUE_LABELS[value] && name !== "text") return VALUE_LABELS[value];
      return String(value);
    },
    /** [[label, shown value]] for every type field the card carries, in template order. */
    fields(card) {
      const out = [];
      for (const [name, spec] of Object.entries(fmt.specs(card.type, card.section))) {
        if (!Object.hasOwn(card, name) || card[name] === null || card[name] === "") continue;
        out.push([spec.label, fmt.value(name, card[name]), spec.kind === "url" ? card[name] : null]);
      }
      return out;
    },
  };
  return fmt;
}

/** The coloured type badge: icon and label, so it reads without colour too. */
export function typeBadge(fmt, type) {
  const spec = fmt.type(type);
  return el("span", { class: "type-badge" }, [el("span", { class: "icon", "aria-hidden": "true", text: spec.icon }), spec.label]);
}

/** "Added by <name> · 14:05": the name is a person's own words, in its own direction. */
export function credit(words, name, when = "") {
  return name ? [words, el("span", { dir: "auto", text: name }), when ? ` · ${when}` : ""] : "";
}

/** The list of a card's type fields ("Owner: City CIO"), or null when it has none. */
export function fieldList(fmt, card) {
  const items = fmt.fields(card).map(([label, shown, url]) =>
    el("li", { class: "field" }, [
      el("span", { class: "name", text: `${label}: ` }),
      url && /^(https?:|mailto:)/i.test(url)
        ? el("a", { href: url, dir: "auto", text: shown, target: "_blank", rel: "noopener noreferrer" })
        : el("span", { class: "value", dir: "auto", text: shown }),
    ]),
  );
  return items.length ? el("ul", { class: "card-fields" }, items) : null;
}

/**
 * One card, read-only. extra: {comments, votes} counts (shown when present), credit: a line
 * under the card (`credit(…)`: "Added by …"), cls: more classes.
 */
export function cardNode(fmt, card, { comments = 0, votes = 0, credit = "", cls = "" } = {}) {
  const node = el("li", { class: `view-card type-${card.type} ${cls}`.trim(), dataset: { card: card.id } });
  node.style.setProperty("--type-color", fmt.type(card.type).color);
  const counts = [];
  if (comments) counts.push(el("span", { class: "count-chip", text: `${comments} ${comments === 1 ? "comment" : "comments"}` }));
  if (votes) counts.push(el("span", { class: "count-chip", text: `● ${votes} ${votes === 1 ? "vote" : "votes"}` }));
  node.append(
    el("div", { class: "card-top" }, [typeBadge(fmt, card.type), counts.length ? el("span", { class: "counts" }, counts) : null]),
    el("p", { class: "card-text", dir: "auto", text: card.text }),
  );
  const fields = fieldList(fmt, card);
  if (fields) node.append(fields);
  if (credit) node.append(el("p", { class: "card-credit" }, credit));
  return node;
}

/** Comment and vote counts per card id, from a board state (either may be missing). */
export function tallies(state) {
  const comments = new Map();
  const votes = new Map();
  for (const comment of Object.values(state.comments || {})) {
    comments.set(comment.card, (comments.get(comment.card) || 0) + 1);
  }
  for (const round of Object.values(state.rounds || {})) {
    for (const vote of round.votes || []) {
      if (vote && vote.card) votes.set(vote.card, (votes.get(vote.card) || 0) + 1);
    }
  }
  return { comments, votes };
}
