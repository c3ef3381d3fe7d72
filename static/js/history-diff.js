// The diff between two points of a board's history, section by section: cards added, removed
// and changed (each changed field before → after), and who did it.

import { el } from "./dom.js";
import { cardNode, credit, fieldList, typeBadge } from "./history-cards.js";

const FIELD_ORDER = ["text", "type", "section"];

/** A point in history in words: a snapshot's label and seq, or the live board. */
export function pointName(meta, seq) {
  return meta ? `${meta.label} (seq ${meta.seq})` : `the board now (seq ${seq})`;
}

/**
 * Render GET /api/boards/{id}/diff into `root`. fmt: makeFormat(); states: {before, after}
 * board states, only needed to show board-field changes (title, initiative, brief).
 */
export function renderDiff(root, body, fmt, states = null) {
  const { diff } = body;
  const removedBy = body.removed_by || {};
  const { added, removed, changed } = diff.counts;
  const total = added + removed + changed;
  const summary = el("div", { class: "diff-summary" }, [
    el("p", { class: "diff-range" }, [
      "From ",
      el("strong", { dir: "auto", text: pointName(body.from, diff.from_seq) }),
      " to ",
      el("strong", { dir: "auto", text: pointName(body.to, diff.to_seq) }),
    ]),
    el("ul", { class: "diff-counts", "aria-label": "Changes" }, [
      el("li", { class: "count-added", text: `${added} added` }),
      el("li", { class: "count-removed", text: `${removed} removed` }),
      el("li", { class: "count-changed", text: `${changed} changed` }),
    ]),
  ]);
  const parts = [summary];
  if (diff.board.length) parts.push(boardChanges(diff.board, fmt, states));
  if (total === 0 && diff.board.length === 0) {
    parts.push(el("p", { class: "empty-note", text: "Nothing changed between these two points." }));
  }
  for (const sectionId of fmt.sectionIds) {
    const change = diff.sections[sectionId];
    if (!change) continue;
    const entries = [
      ...change.added.map((card) => addedEntry(fmt, card)),
      ...change.removed.map((card) => removedEntry(fmt, card, removedBy[card.id])),
      ...change.changed.map((c) => changedEntry(fmt, c)),
    ];
    if (!entries.length) continue;
    parts.push(
      el("section", { class: "diff-section", dataset: { section: sectionId } }, [
        el("h3", {}, [
          fmt.sectionTitle(sectionId),
          el("span", { class: "section-counts", text: countText(change) }),
        ]),
        el("ul", { class: "diff-entries" }, entries),
      ]),
    );
  }
  root.replaceChildren(...parts);
}

function countText(change) {
  const bits = [];
  if (change.added.length) bits.push(`${change.added.length} added`);
  if (change.removed.length) bits.push(`${change.removed.length} removed`);
  if (change.changed.length) bits.push(`${change.changed.length} changed`);
  return bits.join(" · ");
}

function tag(kind, text) {
  return el("span", { class: `change-tag tag-${kind}`, text });
}

function addedEntry(fmt, card) {
  const who = fmt.name(card.author);
  const when = fmt.when(card.created_at);
  const node = cardNode(fmt, card, { credit: credit("Added by ", who, when), cls: "diff-entry diff-added" });
  node.querySelector(".card-top").prepend(tag("added", "+ Added"));
  return node;
}

function removedEntry(fmt, card, by) {
  // Who deleted it is known when a delete lies between the two points (not when comparing
  // backwards in time, where "removed" means "not there yet").
  const node = cardNode(fmt, card, { credit: by ? credit("Removed by ", fmt.name(by)) : "", cls: "diff-entry diff-removed" });
  node.querySelector(".card-top").prepend(tag("removed", "− Removed"));
  return node;
}

function changedEntry(fmt, { before, after, fields }) {
  const ordered = [...fields].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const rows = ordered.map((name) =>
    el("tr", { dataset: { field: name } }, [
      el("th", { scope: "row", text: fmt.fieldLabel(name, after[name] !== undefined ? after : before) }),
      el("td", { class: "before", dir: "auto", text: fmt.value(name, before[name]) }),
      el("td", { class: "after", dir: "auto", text: fmt.value(name, after[name]) }),
    ]),
  );
  const who = fmt.name(after.updated_by);
  const when = fmt.when(after.updated_at);
  const node = el("li", { class: `view-card diff-entry diff-changed type-${after.type}`, dataset: { card: after.id } });
  node.style.setProperty("--type-color", fmt.type(after.type).color);
  node.append(
    el("div", { class: "card-top" }, [tag("changed", "✎ Changed"), typeBadge(fmt, after.type)]),
    el("p", { class: "card-text", dir: "auto", text: after.text }),
    el("table", { class: "changes" }, [
      el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: "Field" }), el("th", { scope: "col", text: "Before" }), el("th", { scope: "col", text: "After" })])]),
      el("tbody", {}, rows),
    ]),
  );
  const rest = fieldList(fmt, after);
  if (rest && !fields.some((f) => f !== "text")) node.append(rest);
  if (who) node.append(el("p", { class: "card-credit" }, credit("Changed by ", who, when)));
  return node;
}

function rank(name) {
  const index = FIELD_ORDER.indexOf(name);
  return index < 0 ? FIELD_ORDER.length : index;
}

const BOARD_LABELS = { title: "Title", initiative: "Initiative", theme: "Theme" };

/** Board fields that changed; with both states, each one before → after. */
function boardChanges(names, fmt, states) {
  const rows = [];
  for (const name of names) {
    if (name === "brief" && states) {
      const a = states.before.brief || {};
      const b = states.after.brief || {};
      const keys = Object.keys(fmt.raw.brief_fields).filter((k) => (a[k] || "") !== (b[k] || ""));
      for (const key of keys) rows.push([`Brief: ${fmt.raw.brief_fields[key].label}`, a[key], b[key]]);
    } else if (states) {
      rows.push([BOARD_LABELS[name] || name, states.before[name], states.after[name]]);
    } else {
      rows.push([name === "brief" ? "Brief" : BOARD_LABELS[name] || name, null, null]);
    }
  }
  return el("section", { class: "diff-section board-changes", dataset: { section: "board" } }, [
    el("h3", { text: "The board’s title, initiative and brief" }),
    el("table", { class: "changes" }, [
      el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: "Field" }), el("th", { scope: "col", text: "Before" }), el("th", { scope: "col", text: "After" })])]),
      el(
        "tbody",
        {},
        rows.map(([label, before, after]) =>
          el("tr", {}, [
            el("th", { scope: "row", text: label }),
            el("td", { class: "before", dir: "auto", text: states ? before || "—" : "…" }),
            el("td", { class: "after", dir: "auto", text: states ? after || "—" : "…" }),
          ]),
        ),
      ),
    ]),
  ]);
}
