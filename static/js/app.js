// The board page: loads who I am and the template, connects, and wires the canvas, the
// outline, the editor, the side panel (comments, vote results), the banners and the header to
// the sync layer. Every change to the board goes through sync.submit(op), which checks it
// with the same reducer the server runs; a refusal is shown in a visible notice, in its own
// sentence.
//
// The parts: header.js (the header), canvas.js and card-view.js (the board), outline.js (the
// board as a list), board-layout.js (focus mode, outline, collapsed sections, the address),
// side-panel.js, following.js (Follow the facilitator), announce.js (what others changed,
// for screen readers), banners.js (the vote and private-writing banners).

import { confirmDialog, getJSON, isTyping, randomId } from "./dom.js";
import { Action, can, makeTemplate } from "./model.js";
import { BoardSync } from "./sync.js";
import { Canvas } from "./canvas.js";
import { Outline } from "./outline.js";
import { BoardLayout } from "./board-layout.js";
import { openCardEditor } from "./editor.js";
import { commentCounts } from "./comments.js";
import { openRound, openVoteDialog, roundsNewestFirst, voteDeco } from "./voting.js";
import { notify } from "./notice.js";
import { PeopleNames } from "./people.js";
import { buildHeader } from "./header.js";
import { SidePanel } from "./side-panel.js";
import { Following } from "./following.js";
import { Announcer } from "./announce.js";
import { Banners } from "./banners.js";
import { UndoManager } from "./undo.js";
import { undoControls } from "./undo-ui.js";

const boardId = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
const RECENT_MS = 15000; // my own touches on a card, kept out of the announcements this long

async function main() {
  const [me, rawTemplate] = await Promise.all([getJSON("/api/me"), getJSON("/api/template")]);
  const template = makeTemplate(rawTemplate);
  const actor = { ...me.me, workshop: me.workshop.id };
  const readOnly = actor.role === "observer";
  const facilitator = actor.role === "facilitator";
  document.body.classList.toggle("read-only", readOnly);
  document.title = `Board · ${me.workshop.title}`;

  // Names for comments, hints and presence: the workshop's people as named to each other
  // (namesakes told apart by city or organisation).
  const people = new PeopleNames(() => {
    header.presence(online);
    schedule();
  });
  people.labels.set(actor.id, actor.name);
  people.refresh();
  const names = (id) => people.label(id);

  let view = null;
  let online = [];
  // One render per frame, however many events arrived in it.
  let frame = 0;
  let revealed = null; // rounds already revealed when seen: a new reveal opens results
  function schedule() {
    if (!frame) frame = requestAnimationFrame(draw);
  }
  const perm = (action, card = null) =>
    view !== null &&
    can(actor, action, { workshop: view.workshop, boardMayor: view.mayor, cardAuthor: card ? (card.author ?? null) : null });
  const lockedFor = (section) => view !== null && view.locks.has(section) && !facilitator;
  const perms = {
    canAdd: () => !readOnly,
    canEdit: (card) => !card.hidden && perm(Action.EDIT_CARD, card),
    canMove: (card) => !card.hidden && perm(Action.MOVE_CARD, card),
    canDelete: (card) => !card.hidden && perm(Action.DELETE_CARD, card),
    canLock: () => facilitator,
  };

  // What I touched lately (cards, comments): my own doing is not announced to me.
  const touched = new Map();
  const touch = (id) => {
    if (!id) return;
    if (touched.size > 1000) for (const [key, at] of touched) if (Date.now() - at > RECENT_MS) touched.delete(key);
    touched.set(id, Date.now());
  };
  const mine = (id) => Date.now() - (touched.get(id) || 0) < RECENT_MS;
  const touchOp = (op) => {
    touch(typeof op.card === "string" ? op.card : op.card?.id);
    touch(typeof op.comment === "string" ? op.comment : op.comment?.id);
  };
  const send = (op) => {
    touchOp(op);
    return sync.submit(op);
  };
  const submit = (op) => {
    const message = send(op);
    if (message) notify(message);
    return message;
  };
  /** Would this op be refused? Then say why, visibly, and answer true. */
  const refusedNow = (op) => {
    const message = sync.check(op);
    if (message) notify(message);
    return message !== null;
  };

  const intents = {
    add(section) {
      const probe = { id: "probe", section, type: template.sections.get(section).typical?.[0] || "idea", text: "probe" };
      if (refusedNow({ kind: "card.add", card: probe, after: null })) return;
      editCard(section, null);
    },
    edit(card) {
      if (refusedNow({ kind: "card.update", card: card.id, set: { text: card.text } })) return;
      editCard(card.section, card);
    },
    async remove(card) {
      if (refusedNow({ kind: "card.delete", card: card.id })) return;
      const yes = await confirmDialog({
        confirm: "Delete",
        danger: true,
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
    comments(card) {
      side.open({ kind: "comments", card: card.id });
      side.focusInside();
    },
    dot(card, delta) {
      const round = openRound(view);
      if (!round) return notify("No voting round is open on this board.");
      submit({ kind: delta > 0 ? "vote.place" : "vote.remove", round: round.id, card: card.id });
    },
    lock(section, locked) {
      submit({ kind: "section.lock", section, locked });
    },
    open(section) {
      layout.open(section);
    },
    collapse(section, shut) {
      layout.collapse(section, shut);
    },
    refused(message) {
      notify(message);
    },
  };

  function editCard(section, shown) {
    // A copy: the view's card objects change in place as events arrive.
    const card = shown ? { ...shown } : null;
    const returnTo = document.activeElement;
    if (card) touch(card.id);
    // Presence names the card while its editor is open: others see "… is editing".
    setFocus({ section, card: card ? card.id : null });
    openCardEditor({
      template,
      section,
      card,
      // The card's text (and its other text fields) are typed live: text.splice ops merged
      // character by character with whoever else types in the same card.
      live: card
        ? (field) => {
            touch(card.id);
            return sync.openText({ card: card.id, field });
          }
        : null,
      onTyped: card ? (typed) => undo?.typed({ card: card.id, ...typed }) : null,
      onClose: () => {
        setFocus(null);
        if (card) touch(card.id);
        if (card && returnTo?.closest?.(".outline-card")) returnTo.focus();
        else if (card) canvas.focusCard(card.id);
      },
      onSave: ({ type, text, fields, live }) => {
        const clean = text.trim();
        if (!card) {
          const body = { id: randomId("c_"), section, type, text: clean };
          for (const [name, value] of Object.entries(fields)) if (value !== null) body[name] = value;
          const ids = view.sections.get(section);
          return shout(send({ kind: "card.add", card: body, after: ids.length ? ids[ids.length - 1] : null }));
        }
        if (!view.cards.has(card.id)) return shout("This card was deleted meanwhile.");
        if (!clean) return "A card needs some text.";
        // Only what this person changed since opening the dialog: a field someone else
        // edited meanwhile keeps their value (the server's last writer wins per field). The
        // text typed live is saved already.
        const set = {};
        if (!live.has("text") && clean !== card.text) set.text = clean;
        if (type !== card.type) set.type = type;
        for (const [name, value] of Object.entries(fields)) {
          if ((card[name] ?? null) !== value) set[name] = value;
        }
        if (Object.keys(set).length === 0) return null;
        return shout(send({ kind: "card.update", card: card.id, set }));
      },
    });
  }
  /** A refusal inside a dialog: in the dialog, and in the page's notice too. */
  function shout(message) {
    if (message) notify(message);
    return message;
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

  const voteActions = {
    results: (roundId) => side.open({ kind: "results", round: roundId }),
    select: (roundId) => side.open({ kind: "results", round: roundId }),
    close: (roundId) => submit({ kind: "vote.close", round: roundId }),
    reveal: (roundId) => submit({ kind: "vote.reveal", round: roundId }),
    takeBack: (roundId, cardIds) => {
      for (const card of cardIds) if (submit({ kind: "vote.remove", round: roundId, card })) break;
    },
  };
  const side = new SidePanel(document.getElementById("side"), {
    comments: { actor, names, template, submit },
    results: { actor, template, actions: voteActions },
    onToggle: () => schedule(),
  });

  // Undo and redo (undo.js): this person's own edits on this board, once the sync exists.
  // Its two buttons go in the header's slot for them.
  let undo = null;
  const undoUi = undoControls({
    undo: () => undo?.undo(),
    redo: () => undo?.redo(),
    can: (which) => Boolean(undo?.can(which)),
    next: (which) => undo?.next(which) ?? null,
  });
  const header = buildHeader(document.getElementById("topbar"), me, boardId, {
    follow: () => following.toggle(),
    votes: () => {
      const latest = openRound(view) || roundsNewestFirst(view)[0];
      if (latest) side.open(side.kind === "results" ? null : { kind: "results", round: latest.id });
    },
    openVote: () => {
      if (openRound(view)) return notify("Close the open voting round first.");
      openVoteDialog({ template, onOpen: (round) => shout(sync.submit({ kind: "vote.open", round })) });
    },
    privateWriting: () => submit(view.private ? { kind: "private.reveal" } : { kind: "private.start" }),
    outline: () => layout.toggleOutline(),
  });
  header.editHistory.append(...undoUi.buttons, undoUi.status);
  const banners = new Banners(document.getElementById("banners"), { actor, template, voteActions, submit });
  const canvas = new Canvas(document.getElementById("canvas"), template, perms, intents);
  const outline = new Outline(document.getElementById("outline"), template, perms, intents);
  const layout = new BoardLayout({
    personId: actor.id,
    boardId,
    template,
    canvas,
    outline,
    header,
    bar: document.getElementById("focus-bar"),
    onChange: () => schedule(),
  });
  layout.setBaseTitle(document.title);
  const announcer = new Announcer(document.getElementById("announcer"), template, { actorId: actor.id, mine });

  function draw() {
    cancelAnimationFrame(frame);
    frame = 0;
    if (!view) return;
    noticeReveals();
    const pendingCards = new Set();
    for (const p of sync.pending) {
      if (!p.op.kind.startsWith("card.") && p.op.kind !== "text.splice") continue;
      const id = typeof p.op.card === "string" ? p.op.card : p.op.card?.id;
      if (id) pendingCards.add(id);
    }
    const others = online.filter((p) => p.id !== actor.id);
    const open = openRound(view);
    const shownRound = open || (side.kind === "results" ? view.rounds.get(side.state.round) : null) || null;
    const deco = {
      comments: commentCounts(view),
      vote: voteDeco(shownRound, actor, view),
      locks: view.locks,
      locked: lockedFor,
      spotlight: following.section,
    };
    canvas.render(view, { pendingCards, others, deco });
    outline.render(view, deco);
    header.board(view);
    header.tools(view, { following: following.on });
    header.timer(following.stage, following.client);
    banners.draw(view, open, deco.vote, { following: following.on });
    side.draw(view);
  }

  /** A round revealed while I watch: everyone sees its ranking (unless reading comments). */
  function noticeReveals() {
    const now = new Set([...view.rounds.values()].filter((r) => r.revealed && r.blind).map((r) => r.id));
    for (const id of now) {
      if (revealed !== null && !revealed.has(id) && side.kind !== "comments") side.open({ kind: "results", round: id });
    }
    revealed = now;
  }

  const following = new Following({
    me,
    template,
    boardId,
    header,
    pendingCount: () => sync.pendingCount(),
    onChange: schedule,
    onSection: (section) => (section ? layout.open(section, { by: "follow" }) : layout.close({ by: "follow" })),
  });

  // Esc leaves what is on top: the side panel, then the section opened large. Never while
  // typing in a field, and a dialog handles its own Esc.
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || e.defaultPrevented || isTyping(e) || document.querySelector("dialog[open]")) return;
    if (side.kind) side.open(null);
    else if (layout.focus) layout.close();
    else return;
    e.preventDefault();
  });

  const sync = new BoardSync({
    boardId,
    template,
    actor,
    onChange: (next) => {
      view = next;
      announcer.observe(view);
      schedule();
    },
    onStatus: () => header.status(sync),
    onPresence: (list) => {
      online = list.map((p) => ({ ...p, name: people.label(p.id, p.name) }));
      header.presence(online);
      schedule();
    },
    onError: (message) => notify(message),
  });
  undo = new UndoManager({ sync, boardId, actor, template, notify, onChange: () => undoUi.refresh(), announce: undoUi.announce });
  undoUi.refresh();
  // A tiny, read-only handle for tests and for a curious facilitator's console.
  const plain = (map) => Object.fromEntries(map);
  window.brickboard = Object.freeze({
    pendingCount: () => sync.pendingCount(),
    connection: () => sync.status,
    following: () => following.on,
    state: () =>
      view
        ? JSON.parse(
            JSON.stringify({
              ...view,
              sections: plain(view.sections),
              cards: plain(view.cards),
              comments: plain(view.comments),
              rounds: plain(view.rounds),
              locks: plain(view.locks),
            }),
          )
        : null,
  });
  header.status(sync);
  sync.start();
  if (new URLSearchParams(location.search).get("follow") === "1") following.start();
}

main().catch((error) => {
  console.error(error);
  notify(`The board could not be opened: ${error.message}`);
});
