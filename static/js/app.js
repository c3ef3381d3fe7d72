// The board page: loads who I am and the template, connects, and wires the canvas, the
// editor and the header to the sync layer. Every change to the board goes through
// sync.submit(op), which checks it with the same reducer the server runs.

import { el, getJSON, randomId, toast } from "./dom.js";
import { Action, can, makeTemplate } from "./model.js";
import { BoardSync } from "./sync.js";
import { Canvas, KEY_HELP } from "./canvas.js";
import { confirmDialog, openCardEditor } from "./editor.js";

const boardId = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
const PRESENCE_SHOWN = 4;
const CONNECTION_TEXT = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline",
  closed: "Disconnected",
};

async function main() {
  const [me, rawTemplate] = await Promise.all([getJSON("/api/me"), getJSON("/api/template")]);
  const template = makeTemplate(rawTemplate);
  const actor = { ...me.me, workshop: me.workshop.id };
  const readOnly = actor.role === "observer";
  document.body.classList.toggle("read-only", readOnly);
  document.title = `Board · ${me.workshop.title}`;

  let view = null;
  let online = [];
  const perm = (action, card = null) =>
    view !== null &&
    can(actor, action, { workshop: view.workshop, boardMayor: view.mayor, cardAuthor: card ? (card.author ?? null) : null });
  const perms = {
    canAdd: () => !readOnly,
    canEdit: (card) => perm(Action.EDIT_CARD, card),
    canMove: (card) => perm(Action.MOVE_CARD, card),
    canDelete: (card) => perm(Action.DELETE_CARD, card),
  };

  const submit = (op) => {
    const message = sync.submit(op);
    if (message) toast(message);
    return message;
  };

  const intents = {
    add(section) {
      editCard(section, null);
    },
    edit(card) {
      editCard(card.section, card);
    },
    async remove(card) {
      const yes = await confirmDialog({
        title: "Delete this card?",
        message: `“${card.text.length > 120 ? `${card.text.slice(0, 120)}…` : card.text}” will be removed for everyone.`,
      });
      if (!yes) return;
      // Keep keyboard users in place: the focus goes to the neighbour of the deleted card.
      const ids = view.sections.get(card.section) || [];
      const index = ids.indexOf(card.id);
      const next = ids[index + 1] ?? ids[index - 1];
      if (!submit({ kind: "card.delete", card: card.id }) && next) canvas.focusCard(next);
    },
    move(cardId, section, after) {
      if (!submit({ kind: "card.move", card: cardId, section, after })) canvas.focusCard(cardId);
    },
    focus(section, card) {
      setFocus(section ? { section, card: card ?? null } : null);
    },
    refused(message) {
      toast(message);
    },
  };

  function editCard(section, shown) {
    // A copy: the view's card objects change in place as events arrive.
    const card = shown ? { ...shown } : null;
    setFocus({ section, card: card ? card.id : null });
    openCardEditor({
      template,
      section,
      card,
      onClose: () => card && canvas.focusCard(card.id),
      onSave: ({ type, text, fields }) => {
        const clean = text.trim();
        if (!card) {
          const body = { id: randomId("c_"), section, type, text: clean };
          for (const [name, value] of Object.entries(fields)) if (value !== null) body[name] = value;
          const ids = view.sections.get(section);
          return sync.submit({ kind: "card.add", card: body, after: ids.length ? ids[ids.length - 1] : null });
        }
        if (!view.cards.has(card.id)) return "This card was deleted meanwhile.";
        // Only what this person changed since opening the dialog: a field someone else
        // edited meanwhile keeps their value (the server's last writer wins per field).
        const set = {};
        if (clean !== card.text) set.text = clean;
        if (type !== card.type) set.type = type;
        for (const [name, value] of Object.entries(fields)) {
          if ((card[name] ?? null) !== value) set[name] = value;
        }
        if (Object.keys(set).length === 0) return null;
        return sync.submit({ kind: "card.update", card: card.id, set });
      },
    });
  }

  // Presence: tell the others where I am, at most a few times a second.
  let focusTimer = null;
  let lastFocus = "null";
  function setFocus(focus) {
    clearTimeout(focusTimer);
    focusTimer = setTimeout(() => {
      const key = JSON.stringify(focus);
      if (key === lastFocus) return;
      lastFocus = key;
      sync.setFocus(focus);
    }, 150);
  }
  document.addEventListener("focusout", (e) => {
    if (!e.relatedTarget && !document.querySelector("dialog[open]")) setFocus(null);
  });

  const header = buildHeader(me);
  const canvas = new Canvas(document.getElementById("canvas"), template, perms, intents);

  // One render per frame, however many events arrived in it.
  let frame = 0;
  function schedule() {
    if (!frame) frame = requestAnimationFrame(draw);
  }
  function draw() {
    frame = 0;
    if (!view) return;
    const pendingCards = new Set();
    for (const p of sync.pending) {
      const id = typeof p.op.card === "string" ? p.op.card : p.op.card?.id;
      if (id) pendingCards.add(id);
    }
    const others = online.filter((p) => p.id !== actor.id);
    canvas.render(view, { pendingCards, others });
    header.board(view);
  }

  const sync = new BoardSync({
    boardId,
    template,
    actor,
    onChange: (next) => {
      view = next;
      schedule();
    },
    onStatus: () => header.status(sync),
    onPresence: (list) => {
      online = list;
      header.presence(list);
      schedule();
    },
    onError: (message) => toast(message),
  });
  // A tiny, read-only handle for tests and for a curious facilitator's console.
  window.brickboard = Object.freeze({
    pendingCount: () => sync.pendingCount(),
    connection: () => sync.status,
    state: () => (view ? JSON.parse(JSON.stringify({ ...view, sections: Object.fromEntries(view.sections), cards: Object.fromEntries(view.cards) })) : null),
  });
  header.status(sync);
  sync.start();
}

/** The header: board, connection, pending edits, who is here, help, all boards. */
function buildHeader(me) {
  const title = el("h1", { id: "board-title", text: "Loading…" });
  const sub = el("p", { id: "board-sub", class: "sub" });
  const connection = el("span", { id: "connection", class: "pill conn-connecting", text: CONNECTION_TEXT.connecting });
  const saved = el("span", { id: "pending", class: "pill saved", text: "All saved" });
  const people = el("ul", { id: "presence", class: "presence", "aria-label": "On this board now" });
  const help = el("details", { class: "help" }, [
    el("summary", { text: "Keyboard" }),
    el(
      "dl",
      { class: "keys" },
      KEY_HELP.flatMap(([keys, what]) => [el("dt", {}, [el("kbd", { text: keys })]), el("dd", { text: what })]),
    ),
  ]);
  const bar = document.getElementById("topbar");
  // Two rows: the board and its state on top; where it is and who is here below.
  bar.replaceChildren(
    title,
    el("div", { class: "status-nav" }, [
      el("div", { class: "sync", "aria-live": "polite" }, [connection, saved]),
      help,
      el("a", { href: "/boards", class: "all-boards", text: "All boards", title: `Signed in as ${me.me.name} (${me.me.role})` }),
    ]),
    sub,
    el("div", { class: "people" }, [el("span", { class: "people-label", text: "Here:" }), people]),
  );
  return {
    board(view) {
      title.textContent = view.title || view.initiative || "Board";
      title.title = title.textContent;
      // Boards are usually titled by their initiative: do not say it twice.
      const initiative = view.initiative && view.initiative !== view.title ? view.initiative : "";
      sub.textContent = [view.city, initiative].filter(Boolean).join(" · ");
    },
    status(sync) {
      connection.textContent = sync.status === "closed" && sync.closedFor ? `Disconnected: ${sync.closedFor}` : CONNECTION_TEXT[sync.status];
      connection.className = `pill conn-${sync.status}`;
      const n = sync.pendingCount();
      saved.textContent = n === 0 ? "All saved" : `${n} ${n === 1 ? "edit" : "edits"} waiting`;
      saved.className = `pill ${n === 0 ? "saved" : "waiting"}`;
    },
    presence(list) {
      // A full room does not fit the header: the first few, then "+N" naming the rest.
      const shown = list.slice(0, PRESENCE_SHOWN);
      const rest = list.slice(PRESENCE_SHOWN);
      people.replaceChildren(
        ...shown.map((p) =>
          el("li", { class: `person role-${p.role}`, title: p.city || "" }, [
            el("span", { class: "name", text: p.name }),
            el("span", { class: "role", text: p.role }),
          ]),
        ),
        rest.length
          ? el("li", { class: "person more", text: `+${rest.length}`, title: rest.map((p) => `${p.name} (${p.role})`).join("\n") })
          : "",
      );
    },
  };
}

main().catch((error) => {
  console.error(error);
  toast(`The board could not be opened: ${error.message}`);
});
