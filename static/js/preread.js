// The pre-read editor (facilitator, before Day 1): each board's title, initiative and brief,
// saved as board.update ops over the board's socket, so the board, its history and the
// pre-read packet all see the same text. Unsaved drafts are kept per board while you switch.

import { el, getJSON, toast } from "./dom.js";
import { CONNECTION_TEXT, connectionText } from "./connection.js";
import { BoardLink } from "./preread-link.js";

const BOARD_FIELDS = [
  ["title", "Title", 200, "How the board is named on screen and in the packet."],
  ["initiative", "Initiative", 300, "The initiative in one line."],
];
const HINTS = {
  city_profile: "Size, budget, governance, assets, and the projects that shape this one.",
  problem: "The resident problem the initiative addresses, in the mayor’s words.",
  status: "Where it stands today and what was already tried.",
  goals: "What success looks like, with numbers and dates where possible.",
  constraints: "Money, rules, politics, legacy systems, staffing.",
  questions: "Two or three questions the mayor wants the experts to answer.",
};
const FRAME_BUDGET = 48 * 1024; // the server closes on frames over 64 KiB
const $ = (id) => document.getElementById(id);
const chars = (s) => [...s].length; // the server counts code points

const boards = new Map(); // id -> {summary, state, draft: Map<key, text>, link, saving, problem}
let briefFields = {};
let current = null;

const isBoardKey = (key) => BOARD_FIELDS.some(([name]) => name === key);
const allKeys = () => [...BOARD_FIELDS.map(([name]) => name), ...Object.keys(briefFields)];

function saved(entry, key) {
  if (!entry.state) return "";
  return (isBoardKey(key) ? entry.state[key] : entry.state.brief?.[key]) ?? "";
}

function filledCount(entry) {
  return Object.keys(briefFields).filter((key) => saved(entry, key).trim()).length;
}

/** Drop drafts that now equal what the server has (after our save, or someone else's). */
function settle(entry) {
  for (const [key, value] of entry.draft) if (value === saved(entry, key)) entry.draft.delete(key);
}

// The list of cities ---------------------------------------------------------------------------

function renderList() {
  $("board-list").replaceChildren(
    ...[...boards.values()].map((entry) => {
      const { id, city, initiative, title } = entry.summary;
      const state = entryState(entry);
      const total = Object.keys(briefFields).length;
      return el("li", { class: `board-entry state-${state}${id === current ? " current" : ""}`, dataset: { board: id } }, [
        el("a", { href: `#${encodeURIComponent(id)}`, "aria-current": id === current ? "true" : null }, [
          el("span", { class: "city", dir: "auto", text: city || title }),
          el("span", { class: "initiative", dir: "auto", text: initiative || title }),
          el("span", { class: "filled", text: `${filledCount(entry)} of ${total} brief fields` }),
          state !== "saved" ? el("span", { class: "marker", text: state === "saving" ? "Saving…" : "● Unsaved" }) : null,
        ]),
      ]);
    }),
  );
}

function entryState(entry) {
  if (entry.saving) return "saving";
  return entry.draft.size ? "unsaved" : "saved";
}

// The editor -----------------------------------------------------------------------------------

function field(entry, key, label, max, hint, multiline) {
  const id = `field-${key}`;
  const value = entry.draft.has(key) ? entry.draft.get(key) : saved(entry, key);
  const input = multiline
    ? el("textarea", { id, name: key, dir: "auto", rows: 5, maxLength: max, value })
    : el("input", { id, name: key, dir: "auto", type: "text", maxLength: max, value, required: key === "title" });
  const counter = el("span", { class: "counter", id: `${id}-count`, "aria-live": "off" });
  const help = el("span", { class: "hint", id: `${id}-hint`, text: hint });
  input.setAttribute("aria-describedby", `${id}-hint`);
  const row = el("div", { class: `field-row${multiline ? " long" : ""}`, dataset: { field: key } }, [
    el("div", { class: "field-label" }, [el("label", { for: id, text: label }), el("span", { class: "dirty-mark", text: "edited" })]),
    help,
    input,
    counter,
  ]);
  const update = () => {
    const text = input.value;
    if (text === saved(entry, key)) entry.draft.delete(key);
    else entry.draft.set(key, text);
    counter.textContent = `${chars(text)} / ${max}`;
    counter.classList.toggle("near", chars(text) > max * 0.9);
    row.classList.toggle("dirty", entry.draft.has(key));
  };
  input.addEventListener("input", () => {
    update();
    showState(entry);
  });
  update();
  return row;
}

function renderEditor(entry) {
  const { id, city, title } = entry.summary;
  const boardUrl = `/boards/${encodeURIComponent(id)}`;
  const form = el("form", { id: "brief-form", class: "brief-form", novalidate: true }, [
    el("fieldset", {}, [el("legend", { text: "The board" }), ...BOARD_FIELDS.map(([key, label, max, hint]) => field(entry, key, label, max, hint, false))]),
    el("fieldset", {}, [
      el("legend", { text: "The brief" }),
      ...Object.entries(briefFields).map(([key, spec]) => field(entry, key, spec.label, spec.max, HINTS[key] || "", true)),
    ]),
    el("p", { id: "form-problem", class: "form-problem", role: "alert" }),
    el("div", { class: "form-actions" }, [
      el("button", { type: "submit", id: "save", class: "primary", text: "Save" }),
      el("button", { type: "button", id: "discard", text: "Discard changes", on: { click: () => discard(entry) } }),
      el("span", { id: "save-state", class: "pill", role: "status" }),
      el("span", { class: "keys" }, [el("kbd", { text: "Ctrl" }), " + ", el("kbd", { text: "S" }), " saves"]),
    ]),
  ]);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    save(entry);
  });

  const facts = el("aside", { class: "facts-panel", "aria-labelledby": "facts-heading" }, [
    el("h3", { id: "facts-heading", text: "Pre-filled facts" }),
    el("p", { class: "hint", text: "The packet prints the board’s fact cards as unverified facts. Add them on the board: in City Context, type Fact, source “Pre-read”." }),
    el("ul", { id: "fact-list", class: "fact-list" }),
    el("a", { class: "button-link add-facts", href: boardUrl, target: "_blank", rel: "noopener", text: "Add fact cards on the board" }),
  ]);

  $("editor").replaceChildren(
    el("div", { class: "editor-head" }, [
      el("h2", { id: "editor-city", dir: "auto", text: city || title }),
      el("p", { class: "sub", id: "connection", text: CONNECTION_TEXT.connecting }),
    ]),
    el("div", { class: "editor-body" }, [form, facts]),
  );
  renderFacts(entry);
  showState(entry);
  showConnection(entry);
}

function renderFacts(entry) {
  const list = $("fact-list");
  if (!list || !entry.state) return;
  const facts = entry.state.sections.flatMap((s) => s.cards).map((cid) => entry.state.cards[cid]).filter((c) => c && c.type === "fact");
  list.replaceChildren(
    ...(facts.length
      ? facts.map((c) =>
          el("li", {}, [
            el("span", { class: "fact-text", dir: "auto", text: c.text }),
            el("span", { class: "fact-source", text: `${c.source === "pre_read" ? "Pre-read" : c.source || "no source"}${c.verified ? " · verified" : ""}` }),
          ]),
        )
      : [el("li", { class: "empty-note", text: "No fact cards on this board yet." })]),
  );
}

function showState(entry) {
  if (entry.summary.id !== current) return renderList();
  const pill = $("save-state");
  const state = entryState(entry);
  pill.textContent = { saving: "Saving…", unsaved: "Unsaved changes", saved: "All changes saved" }[state];
  pill.className = `pill ${state}`;
  $("discard").disabled = state !== "unsaved";
  $("save").disabled = state !== "unsaved";
  renderList();
}

function showConnection(entry) {
  const line = $("connection");
  if (!line || entry.summary.id !== current || !entry.link) return;
  const { status, reason } = entry.link;
  line.textContent = connectionText(status, { waiting: entry.link.pending.size, closedFor: reason });
  line.className = `sub conn-${status}`;
}

/** Inputs the person is not editing follow the server (a mayor may edit their brief too). */
function refreshInputs(entry) {
  if (entry.summary.id !== current) return;
  for (const key of allKeys()) {
    const input = $(`field-${key}`);
    if (!input || entry.draft.has(key)) continue;
    if (input.value !== saved(entry, key)) {
      input.value = saved(entry, key);
      input.dispatchEvent(new Event("input"));
    }
  }
}

// Saving ---------------------------------------------------------------------------------------

function opsFor(entry) {
  const set = {};
  const brief = {};
  for (const [key, raw] of entry.draft) {
    const text = raw.trim();
    if (isBoardKey(key)) set[key] = text;
    else brief[key] = text === "" ? null : text;
  }
  if (Object.hasOwn(set, "title") && !set.title) return { problem: "A board needs a title." };
  // One op, unless the texts are long: then several, each well under the frame limit.
  const ops = [];
  let part = { ...set };
  let partBrief = {};
  const size = (s, b) => new TextEncoder().encode(JSON.stringify({ ...s, brief: b })).length;
  for (const [key, value] of Object.entries(brief)) {
    if (Object.keys(partBrief).length && size(part, { ...partBrief, [key]: value }) > FRAME_BUDGET) {
      ops.push({ kind: "board.update", set: { ...part, brief: partBrief } });
      part = {};
      partBrief = {};
    }
    partBrief[key] = value;
  }
  if (Object.keys(partBrief).length) part.brief = partBrief;
  if (Object.keys(part).length) ops.push({ kind: "board.update", set: part });
  return { ops };
}

async function save(entry) {
  const problem = $("form-problem");
  problem.textContent = "";
  if (!entry.draft.size || entry.saving) return;
  // What is sent is trimmed: show it as it will be saved.
  for (const [key, raw] of entry.draft) {
    const input = $(`field-${key}`);
    if (input && raw !== raw.trim()) {
      input.value = raw.trim();
      input.dispatchEvent(new Event("input"));
    }
  }
  const { ops, problem: refused } = opsFor(entry);
  if (refused) {
    problem.textContent = refused;
    return;
  }
  if (!entry.link) connect(entry);
  const link = entry.link; // the person may switch boards meanwhile: finish on this one
  entry.saving = true;
  showState(entry);
  try {
    for (const op of ops) {
      const saved = link.send(op);
      showConnection(entry); // offline, it counts the edit waiting
      await saved;
    }
  } catch (error) {
    problem.textContent = `Not saved: ${error.message}`;
    toast(`Not saved: ${error.message}`);
  } finally {
    entry.saving = false;
    settle(entry);
    showState(entry);
  }
}

function discard(entry) {
  entry.draft.clear();
  renderEditor(entry);
}

// Boards and connections -----------------------------------------------------------------------

function connect(entry) {
  entry.link = new BoardLink(entry.summary.id, {
    onWelcome: (state) => update(entry, state),
    onEvent: (_event, state) => update(entry, state),
    onStatus: () => showConnection(entry),
  });
}

function update(entry, state) {
  entry.state = state;
  settle(entry);
  refreshInputs(entry);
  if (entry.summary.id === current) renderFacts(entry);
  showState(entry);
}

function select(id) {
  const entry = boards.get(id) || boards.values().next().value;
  if (!entry) return;
  const previous = current && boards.get(current);
  if (previous && previous !== entry && previous.link) {
    // Nothing waiting: close now; else as soon as the server has acknowledged it.
    if (previous.link.pending.size === 0) previous.link.close();
    else previous.link.closeWhenIdle = true;
    previous.link = null;
  }
  current = entry.summary.id;
  if (!entry.link) connect(entry);
  renderEditor(entry);
}

async function main() {
  const [me, template] = await Promise.all([getJSON("/api/me"), getJSON("/api/template")]);
  briefFields = template.brief_fields || {};
  document.title = `Pre-read editor · ${me.workshop.title}`;
  $("workshop-title").textContent = me.workshop.title;
  $("open-packet").href = `/api/workshops/${encodeURIComponent(me.workshop.id)}/pre-read.html`;
  if (me.me.role !== "facilitator") {
    $("editor").replaceChildren(el("p", { class: "empty-note", text: "Only the facilitator edits the pre-read." }));
    return;
  }
  const states = await Promise.all(
    me.boards.map((b) => getJSON(`/api/boards/${encodeURIComponent(b.id)}`).catch(() => null)),
  );
  me.boards.forEach((summary, i) => boards.set(summary.id, { summary, state: states[i], draft: new Map(), link: null, saving: false }));
  if (!boards.size) {
    $("editor").replaceChildren(el("p", { class: "empty-note", text: "This workshop has no boards yet." }));
    return;
  }
  addEventListener("hashchange", () => select(decodeURIComponent(location.hash.slice(1))));
  addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s" && current) {
      e.preventDefault();
      save(boards.get(current));
    }
  });
  addEventListener("beforeunload", (e) => {
    if ([...boards.values()].some((b) => b.draft.size || b.saving)) e.preventDefault();
  });
  select(decodeURIComponent(location.hash.slice(1)));
}

main().catch((error) => {
  console.error(error);
  toast(`The pre-read editor could not be opened: ${error.message}`);
});
