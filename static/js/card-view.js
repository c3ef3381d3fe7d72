// One card of the board, drawn into its <li>: type badge, text, type fields, and what the
// room adds (comments, dots, who is editing, private, waiting). Pure DOM building: the canvas
// owns the node and decides when it is redrawn; the buttons call the canvas's intents.
//
// Every piece of user text carries dir="auto", so an Arabic or Hebrew card reads right to
// left inside an English page.

import { el } from "./dom.js";

const VALUE_LABELS = { d30: "30 days", d60: "60 days", d90: "90 days", capex: "capital", opex: "operating" };
const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });

/** "Ana is editing" / "Ana, Ben are editing", or null. */
export function editingText(watchers) {
  return watchers ? `✎ ${watchers.join(", ")} ${watchers.length > 1 ? "are" : "is"} editing` : null;
}

/** Someone else's private card: that it exists and where, never what it says. */
export function fillHidden(node, watchers) {
  node.className = "card placeholder";
  node.style.removeProperty("--type-color");
  node.draggable = false;
  node.title = "Private writing: revealed when the facilitator says so";
  node.setAttribute("aria-label", "Someone is writing here (private)");
  node.replaceChildren(
    el("p", { class: "placeholder-text" }, [el("span", { class: "icon", "aria-hidden": "true", text: "✎ " }), "Someone is writing here (private)"]),
    watchers ? el("span", { class: "editing-hint", dir: "auto", text: editingText(watchers) }) : "",
  );
}

/**
 * A visible card. ctx: {template, perms, intents, cardOf() -> the card now (the view changes
 * under a node), pending, watchers, d: the room's decoration (canvas #cardDeco)}.
 */
export function fillCard(node, card, { template, perms, intents, cardOf, pending, watchers, d }) {
  const type = template.cardTypes.get(card.type);
  node.className = `card type-${card.type}`;
  node.classList.toggle("pending", pending);
  node.classList.toggle("locked", d.locked);
  node.classList.toggle("mine-private", card.private === true);
  node.style.setProperty("--type-color", type.color);
  node.draggable = perms.canMove(card) && !d.locked;
  node.title = perms.canEdit(card) && !d.locked ? "Enter: edit · Alt+arrows: move · Delete: delete" : "";
  node.setAttribute("aria-label", `${type.label}: ${card.text}`);
  const actions = [];
  const lockedNote = d.locked ? { "aria-disabled": "true", title: "This section was agreed and is locked" } : {};
  if (perms.canEdit(card)) {
    actions.push(el("button", { type: "button", class: "edit", text: "Edit", "aria-label": "Edit card", ...lockedNote, on: { click: () => intents.edit(cardOf()) } }));
  }
  if (perms.canDelete(card)) {
    actions.push(el("button", { type: "button", class: "delete", text: "Delete", "aria-label": "Delete card", ...lockedNote, on: { click: () => intents.remove(cardOf()) } }));
  }
  const editing = editingText(watchers);
  const parts = [
    el("div", { class: "card-top" }, [
      el("span", { class: "type-badge" }, [el("span", { class: "icon", "aria-hidden": "true", text: type.icon }), type.label]),
      card.private === true ? el("span", { class: "private-tag", text: "◌ Private: only you", title: "Private until the facilitator reveals the cards" }) : null,
      pending ? el("span", { class: "unsaved", text: "waiting", title: "Not saved on the server yet" }) : null,
      actions.length ? el("span", { class: "card-actions" }, actions) : null,
    ]),
    editing ? el("p", { class: "editing-hint", dir: "auto", text: editing }) : null,
    el("p", { class: "card-text", dir: "auto", text: card.text }),
    fieldList(template, card),
    foot({ perms, intents, cardOf, d }),
  ];
  node.replaceChildren(...parts.filter(Boolean)); // replaceChildren would print "null"
}

/** The card's type fields, each value as the person typed it. */
function fieldList(template, card) {
  const specs = template.fieldsFor(card.type, card.section);
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
        ? el("a", { href: value, dir: "auto", text: shown, target: "_blank", rel: "noopener noreferrer" })
        : el("span", { class: "value", dir: "auto", text: shown });
    items.push(el("li", { class: `field field-${spec.kind}` }, [el("span", { class: "name", text: `${spec.label}: ` }), content]));
  }
  return items.length ? el("ul", { class: "card-fields" }, items) : null;
}

/** The card's footer: its comments, and its dots when a round is in play here. */
function foot({ perms, intents, cardOf, d }) {
  const { total, open } = d.comments;
  // The name starts with the number shown on the button (WCAG 2.5.3).
  const label = total === 0 ? "0 comments: open comments" : `${total} ${total === 1 ? "comment" : "comments"}, ${open} open: show`;
  const look = `${total === 0 ? " none" : ""}${open > 0 ? " has-open" : ""}`;
  const bubble = [el("span", { class: "bubble", "aria-hidden": "true" }), String(total)];
  // Read-only (the projector, an observer): no buttons on cards; the card itself opens them.
  const comments = perms.canAdd()
    ? el("button", { type: "button", class: `comments-btn${look}`, "aria-label": label, title: label, on: { click: () => intents.comments(cardOf()) } }, bubble)
    : el("span", { class: `comments-count${look}`, title: `${total} ${total === 1 ? "comment" : "comments"}: click the card to read` }, bubble);
  const items = [comments];
  const v = d.vote;
  if (v) items.push(el("span", { class: "card-dots" }, dots(v, intents, cardOf)));
  return el("div", { class: "card-foot" }, items);
}

function dots(v, intents, cardOf) {
  const out = [];
  if (v.total !== null) {
    const said = `${v.total} ${v.total === 1 ? "dot" : "dots"} in all`;
    out.push(el("span", { class: "dot-total", title: said, "aria-label": said }, [el("span", { "aria-hidden": "true", text: "● " }), String(v.total)]));
  }
  if (v.canVote && v.open) {
    if (v.mine === 0) {
      out.push(el("button", { type: "button", class: "dot-btn", "aria-pressed": "false", text: "○ Dot", title: "Place one of your dots on this card", "aria-label": "Dot: place one of your dots on this card", on: { click: () => intents.dot(cardOf(), +1) } }));
    } else {
      const shown = `● ${v.mine > 1 ? `×${v.mine}` : "Mine"}`;
      out.push(el("button", { type: "button", class: "dot-btn mine", "aria-pressed": "true", text: shown, title: "Remove one of your dots from this card", "aria-label": `${shown.slice(2)}: your dots here: ${v.mine}. Remove one`, on: { click: () => intents.dot(cardOf(), -1) } }));
      if (v.left > 0) out.push(el("button", { type: "button", class: "dot-more", text: "+", title: "Add another of your dots", "aria-label": "+ Add another dot to this card", on: { click: () => intents.dot(cardOf(), +1) } }));
    }
  } else if (v.mine > 0) {
    out.push(el("span", { class: "dot-mine", text: `● yours: ${v.mine}` }));
  }
  return out;
}
