// The history page of one board: its snapshots, any snapshot read-only, what changed between
// two points, restore, and the exports. Reading is open to every participant; restore and
// exports only to the facilitator and the board's mayor (the server checks it too).

import { confirmDialog, el, getJSON, postJSON, toast } from "./dom.js";
import { recordRestore } from "./undo.js";
import { makeFormat } from "./history-cards.js";
import { renderDiff } from "./history-diff.js";
import { renderSnapshot } from "./history-view.js";

const boardId = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
const api = `/api/boards/${encodeURIComponent(boardId)}`;
const KIND_LABELS = { day_close: "Day close", manual: "Snapshot", before_restore: "Before a restore" };
const EXPORTS = [
  ["plan.html", "Action plan", "printable; opens in a new tab"],
  ["plan.md", "Action plan (Markdown)", "download"],
  ["actions.csv", "30/60/90 actions (CSV)", "download, for a spreadsheet"],
  ["actions.ics", "Actions calendar (.ics)", "download, for a calendar"],
  ["board.json", "The whole board (JSON)", "download, can be imported again"],
];

const $ = (id) => document.getElementById(id);
const page = { snapshots: [], viewed: null, owner: false, fmt: null, names: {}, me: null };

const newestFirst = () => [...page.snapshots].reverse();
const snapshotById = (id) => page.snapshots.find((s) => s.id === id) || null;

function snapshotWho(s) {
  const who = page.fmt.name(s.taken_by);
  return [...(who ? ["Taken by ", el("span", { dir: "auto", text: who })] : ["Taken automatically"]), ` · ${page.fmt.when(s.taken_at)}`];
}

// Timeline -----------------------------------------------------------------------------------

function renderTimeline() {
  const list = $("timeline");
  if (!page.snapshots.length) {
    list.replaceChildren(el("li", { class: "empty-note", text: "No snapshot yet. The first one is taken when Day 1 closes." }));
    return;
  }
  list.replaceChildren(
    ...newestFirst().map((s) => {
      const buttons = [
        el("button", { type: "button", class: "view", text: "View", on: { click: () => viewSnapshot(s.id) } }),
        el("button", { type: "button", class: "compare-live", text: "Changes since", title: "Compare this snapshot with the board now", on: { click: () => showDiff(s.id, "live") } }),
      ];
      if (page.owner) buttons.push(el("button", { type: "button", class: "restore", text: "Restore…", on: { click: () => restore(s) } }));
      return el("li", { class: `snapshot-item kind-${s.kind}${s.id === page.viewed ? " viewed" : ""}`, dataset: { snapshot: s.id } }, [
        el("div", { class: "snap-head" }, [
          el("span", { class: "snap-label", dir: "auto", text: s.label }),
          el("span", { class: "kind-chip", text: KIND_LABELS[s.kind] || s.kind }),
        ]),
        el("p", { class: "snap-meta", text: [s.day ? `Day ${s.day}` : null, `seq ${s.seq}`].filter(Boolean).join(" · ") }),
        el("p", { class: "snap-who" }, snapshotWho(s)),
        el("div", { class: "snap-actions" }, buttons),
      ]);
    }),
  );
}

// Exports ------------------------------------------------------------------------------------

function renderExports() {
  const panel = $("exports");
  panel.hidden = false;
  if (!page.owner) {
    panel.replaceChildren(
      el("p", { class: "panel-note", id: "exports-heading", text: "Restoring a snapshot and exporting the action plan are for the facilitator and this board’s mayor." }),
    );
    return;
  }
  const keep = $("export-snapshot")?.value;
  // The board now (everything committed so far) comes first: a plan printed after the last
  // day close shows the last edits. Every snapshot follows, newest first.
  const select = el("select", { id: "export-snapshot", on: { change: () => updateExportLinks() } }, [
    el("option", { value: "now", text: "The board now" }),
    ...newestFirst().map((s) => el("option", { value: s.id, dir: "auto", text: `${s.label} · seq ${s.seq}` })),
  ]);
  if (keep && (keep === "now" || snapshotById(keep))) select.value = keep;
  const from = el("div", { class: "export-from" }, [el("label", { for: "export-snapshot", text: "From" }), select]);
  const links = el(
    "ul",
    { class: "export-links" },
    EXPORTS.map(([format, label, hint]) =>
      el("li", {}, [
        el("a", { class: `export-link fmt-${format.replace(".", "-")}`, dataset: { format }, href: "#" }, [
          el("span", { class: "export-label", text: label }),
          el("span", { class: "export-hint", text: hint }),
        ]),
      ]),
    ),
  );
  panel.replaceChildren(el("h2", { id: "exports-heading", text: "Exports" }), from, links);
  updateExportLinks();
}

function updateExportLinks() {
  const snapshot = $("export-snapshot")?.value || "now";
  for (const link of document.querySelectorAll(".export-link")) {
    const format = link.dataset.format;
    const query = new URLSearchParams({ snapshot });
    if (format === "plan.html") {
      link.target = "_blank";
      link.rel = "noopener";
      link.removeAttribute("download");
    } else {
      query.set("download", "1");
      link.setAttribute("download", "");
    }
    const q = query.toString();
    link.href = `${api}/export/${format}${q ? `?${q}` : ""}`;
  }
}

// Diff ---------------------------------------------------------------------------------------

function fillCompareOptions() {
  for (const select of [$("diff-from"), $("diff-to")]) {
    const keep = select.value;
    select.replaceChildren(
      el("option", { value: "live", text: "The board now" }),
      ...newestFirst().map((s) => el("option", { value: s.id, dir: "auto", text: `${s.label} · seq ${s.seq}` })),
    );
    if ([...select.options].some((o) => o.value === keep)) select.value = keep;
  }
  const none = page.snapshots.length === 0;
  for (const control of $("compare").elements) control.disabled = none;
}

/** Compare two points (snapshot ids or "live"); without them, the server's default. */
async function showDiff(from = null, to = null) {
  selectTab("diff");
  const root = $("diff");
  if (!page.snapshots.length) {
    root.replaceChildren(el("p", { class: "empty-note", text: "Nothing to compare yet: this board has no snapshot. The first one is taken when Day 1 closes." }));
    return;
  }
  root.setAttribute("aria-busy", "true");
  try {
    const query = from ? `?${new URLSearchParams({ from, to: to || "live" })}` : "";
    const body = await getJSON(`${api}/diff${query}`);
    Object.assign(page.names, body.names || {});
    $("diff-from").value = body.from ? body.from.id : "live";
    $("diff-to").value = body.to ? body.to.id : "live";
    let states = null;
    if (body.diff.board.length) {
      const side = async (meta) => (meta ? (await getJSON(`/api/snapshots/${encodeURIComponent(meta.id)}`)).state : getJSON(api));
      const [before, after] = await Promise.all([side(body.from), side(body.to)]);
      states = { before, after };
    }
    renderDiff(root, body, page.fmt, states);
  } catch (error) {
    root.replaceChildren(el("p", { class: "problem", text: `The changes could not be loaded: ${error.message}` }));
  } finally {
    root.removeAttribute("aria-busy");
  }
}

// Snapshot view ------------------------------------------------------------------------------

async function viewSnapshot(id) {
  selectTab("view");
  const root = $("snapshot-view");
  root.setAttribute("aria-busy", "true");
  try {
    const body = await getJSON(`/api/snapshots/${encodeURIComponent(id)}`);
    page.viewed = id;
    const actions = [
      el("button", { type: "button", class: "compare-live", text: "Compare with the board now", on: { click: () => showDiff(id, "live") } }),
    ];
    if (page.owner) {
      actions.push(el("button", { type: "button", class: "restore danger", text: "Restore this snapshot…", on: { click: () => restore(body.snapshot) } }));
      const select = $("export-snapshot");
      if (select) {
        select.value = id;
        updateExportLinks();
      }
    }
    renderSnapshot(root, body, page.fmt, actions);
    renderTimeline();
    // The button pressed was redrawn: take the focus to what it opened.
    $("view-label").tabIndex = -1;
    $("view-label").focus({ preventScroll: true });
  } catch (error) {
    root.replaceChildren(el("p", { class: "problem", text: `The snapshot could not be loaded: ${error.message}` }));
  } finally {
    root.removeAttribute("aria-busy");
  }
}

// Restore ------------------------------------------------------------------------------------

async function restore(snapshot) {
  const yes = await confirmDialog({
    title: `Restore “${snapshot.label}”?`,
    message: `This adds ops that make the board look like ${snapshot.label} again; a snapshot of the board as it is now is taken first: Ctrl+Z on the board (or restoring that snapshot) undoes it.`,
    confirm: "Restore",
    danger: true,
  });
  if (!yes) return;
  try {
    const result = await postJSON(`${api}/restore`, { snapshot: snapshot.id });
    // The restore is this person's last step on the board: Ctrl+Z there undoes it.
    if (result.ops) recordRestore(boardId, page.me, { from: result.before.id, to: snapshot.id, label: snapshot.label });
    toast(
      result.ops ? `Restored ${snapshot.label}: ${result.ops} ${result.ops === 1 ? "change" : "changes"} sent to the board.` : `The board already looks like ${snapshot.label}.`,
      "ok",
    );
    await loadSnapshots();
    const undo = newestFirst().find((s) => s.kind === "before_restore");
    await showDiff(undo ? undo.id : snapshot.id, "live");
  } catch (error) {
    toast(`The restore did not happen: ${error.message}`);
  }
}

// Page ---------------------------------------------------------------------------------------

function selectTab(which) {
  for (const name of ["diff", "view"]) {
    const on = name === which;
    $(`tab-${name}`).setAttribute("aria-selected", String(on));
    $(`tab-${name}`).tabIndex = on ? 0 : -1;
    $(`panel-${name}`).hidden = !on;
  }
}

async function loadSnapshots() {
  const listing = await getJSON(`${api}/snapshots`);
  page.snapshots = listing.snapshots;
  renderTimeline();
  fillCompareOptions();
  renderExports();
  return listing;
}

async function main() {
  const [me, template, listing] = await Promise.all([getJSON("/api/me"), getJSON("/api/template"), getJSON(`${api}/snapshots`)]);
  const days = await getJSON(`/api/workshops/${encodeURIComponent(me.workshop.id)}/days`).catch(() => null);
  const board = listing.board;
  const role = me.me.role;
  page.owner = role === "facilitator" || (role === "mayor" && board.mayor === me.me.id);
  page.names = { [me.me.id]: me.me.name };
  page.me = me.me.id;
  page.fmt = makeFormat(template, page.names, days?.timezone);
  page.snapshots = listing.snapshots;

  const title = board.title || board.initiative || "Board";
  document.title = `History · ${board.city || title}`;
  $("board-title").textContent = title;
  $("board-sub").textContent = [board.city, board.initiative !== title ? board.initiative : ""].filter(Boolean).join(" · ");
  $("back-to-board").href = `/boards/${encodeURIComponent(boardId)}`;
  document.body.classList.toggle("can-restore", page.owner);

  $("tab-diff").addEventListener("click", () => selectTab("diff"));
  $("tab-view").addEventListener("click", () => selectTab("view"));
  document.querySelector(".tabs").addEventListener("keydown", (e) => {
    if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
    const next = document.activeElement === $("tab-diff") ? "view" : "diff";
    selectTab(next);
    $(`tab-${next}`).focus();
  });
  $("compare").addEventListener("submit", (e) => {
    e.preventDefault();
    showDiff($("diff-from").value, $("diff-to").value);
  });

  // Names: the diff carries every participant's; without a snapshot, the facilitator asks
  // the workshop for them.
  if (!page.snapshots.length && role === "facilitator") {
    const workshop = await getJSON(`/api/workshops/${encodeURIComponent(me.workshop.id)}`).catch(() => null);
    for (const p of workshop?.participants || []) page.names[p.id] = p.name;
  }
  renderTimeline();
  fillCompareOptions();
  renderExports();
  await showDiff();
  renderTimeline(); // again, now with the names the diff brought
  document.body.dataset.ready = "true"; // for tests: everything above has been drawn
}

main().catch((error) => {
  console.error(error);
  toast(`The history could not be opened: ${error.message}`);
});
