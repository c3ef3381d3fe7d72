// The board page: loads who I am and the template, connects, and wires the canvas, the
// editor, the side panel (comments, vote results), the banners and the header to the sync
// layer. Every change to the board goes through sync.submit(op), which checks it with the
// same reducer the server runs; a refusal is shown in a visible notice, in its own sentence.

import { confirmDialog, el, getJSON, randomId } from "./dom.js";
import { Action, can, makeTemplate } from "./model.js";
import { BoardSync } from "./sync.js";
import { Canvas, KEY_HELP } from "./canvas.js";
import { openCardEditor } from "./editor.js";
import { CommentsPanel, commentCounts } from "./comments.js";
import { openRound, openVoteDialog, resultsBody, roundsNewestFirst, voteBanner, voteDeco } from "./voting.js";
import { StageSync, formatClock } from "./stage.js";
import { notify } from "./notice.js";
import { CONNECTION_TEXT, connectionText } from "./connection.js";
import { UndoManager } from "./undo.js";
import { UNDO_KEYS, undoControls } from "./undo-ui.js";

const boardId = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
const PRESENCE_SHOWN = 3;

async function main() {
  const [me, rawTemplate] = await Promise.all([getJSON("/api/me"), getJSON("/api/template")]);
  const template = makeTemplate(rawTemplate);
  const actor = { ...me.me, workshop: me.workshop.id };
  const readOnly = actor.role === "observer";
  const facilitator = actor.role === "facilitator";
  document.body.classList.toggle("read-only", readOnly);
  document.title = `Board · ${me.workshop.title}`;

  // Names for comments and hints: me, everyone seen on this board, and for the facilitator
  // the whole roster (the workshop API is theirs only).
  const known = new Map([[actor.id, actor.name]]);
  const names = (id) => known.get(id) || "a participant";
  if (facilitator) {
    getJSON(`/api/workshops/${encodeURIComponent(me.workshop.id)}`)
      .then((data) => {
        for (const p of data.participants || []) if (p.id && p.name && !known.has(p.id)) known.set(p.id, p.name);
        schedule();
      })
      .catch(() => {});
  }

  let view = null;
  let online = [];
  let side = null; // {kind: "comments", card} | {kind: "results", round} | null
  let spotSection = null; // the spotlit section of this board while following
  let stage = null; // the stage while following: {spotlight, timer, agenda}
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

  const submit = (op) => {
    const message = sync.submit(op);
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
      openSide({ kind: "comments", card: card.id });
      comments.focusInput();
    },
    dot(card, delta) {
      const round = openRound(view);
      if (!round) return notify("No voting round is open on this board.");
      submit({ kind: delta > 0 ? "vote.place" : "vote.remove", round: round.id, card: card.id });
    },
    lock(section, locked) {
      submit({ kind: "section.lock", section, locked });
    },
    refused(message) {
      notify(message);
    },
  };

  function editCard(section, shown) {
    // A copy: the view's card objects change in place as events arrive.
    const card = shown ? { ...shown } : null;
    // Presence names the card while its editor is open: others see "… is editing".
    setFocus({ section, card: card ? card.id : null });
    openCardEditor({
      template,
      section,
      card,
      // The card's text (and its other text fields) are typed live: text.splice ops merged
      // character by character with whoever else types in the same card.
      live: card ? (field) => sync.openText({ card: card.id, field }) : null,
      onTyped: card ? (typed) => undo?.typed({ card: card.id, ...typed }) : null,
      onClose: () => {
        setFocus(null);
        if (card) canvas.focusCard(card.id);
      },
      onSave: ({ type, text, fields, live }) => {
        const clean = text.trim();
        if (!card) {
          const body = { id: randomId("c_"), section, type, text: clean };
          for (const [name, value] of Object.entries(fields)) if (value !== null) body[name] = value;
          const ids = view.sections.get(section);
          return shout(sync.submit({ kind: "card.add", card: body, after: ids.length ? ids[ids.length - 1] : null }));
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
        return shout(sync.submit({ kind: "card.update", card: card.id, set }));
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

  // The side panel: a card's comments, or the results of a voting round.
  const aside = document.getElementById("side");
  const sideTitle = el("h2", { id: "side-title" });
  const sideBody = el("div", { class: "side-body" });
  aside.replaceChildren(
    el("div", { class: "side-head" }, [
      sideTitle,
      el("button", { type: "button", class: "side-close", text: "✕ Close", "aria-label": "Close the side panel", on: { click: () => openSide(null) } }),
    ]),
    sideBody,
  );
  const comments = new CommentsPanel({ actor, names, template, submit });
  const voteActions = {
    results: (roundId) => openSide({ kind: "results", round: roundId }),
    select: (roundId) => openSide({ kind: "results", round: roundId }),
    close: (roundId) => submit({ kind: "vote.close", round: roundId }),
    reveal: (roundId) => submit({ kind: "vote.reveal", round: roundId }),
    takeBack: (roundId, cardIds) => {
      for (const card of cardIds) if (submit({ kind: "vote.remove", round: roundId, card })) break;
    },
  };
  function openSide(next) {
    side = next;
    aside.hidden = side === null;
    document.body.classList.toggle("with-side", side !== null);
    if (side?.kind === "comments") comments.show(side.card);
    lastSide = "";
    draw();
  }
  let lastSide = "";
  function drawSide() {
    if (!side) return;
    if (side.kind === "comments") {
      sideTitle.textContent = "Comments";
      if (sideBody.firstChild !== comments.node) sideBody.replaceChildren(comments.node);
      comments.render(view);
      return;
    }
    const round = view.rounds.get(side.round);
    const sig = JSON.stringify([side, round, [...view.cards.values()].map((c) => [c.id, c.text, c.type, c.hidden])]);
    if (sig === lastSide) return;
    lastSide = sig;
    if (!round) {
      sideTitle.textContent = "Vote results";
      sideBody.replaceChildren(el("p", { text: "This voting round is not on this board." }));
      return;
    }
    sideTitle.textContent = `Results: ${round.title}`;
    sideBody.replaceChildren(...resultsBody(view, round, { actor, template, actions: voteActions }));
  }

  // Undo and redo (undo.js): this person's own edits on this board, once the sync exists.
  let undo = null;
  const undoUi = undoControls({
    undo: () => undo?.undo(),
    redo: () => undo?.redo(),
    can: (which) => Boolean(undo?.can(which)),
    next: (which) => undo?.next(which) ?? null,
  });
  const header = buildHeader(me, {
    follow: () => (follower ? stopFollowing() : startFollowing()),
    votes: () => {
      const latest = openRound(view) || roundsNewestFirst(view)[0];
      if (latest) openSide(side?.kind === "results" ? null : { kind: "results", round: latest.id });
    },
    openVote: () => {
      if (openRound(view)) return notify("Close the open voting round first.");
      openVoteDialog({ template, onOpen: (round) => shout(sync.submit({ kind: "vote.open", round })) });
    },
    privateWriting: () => submit(view.private ? { kind: "private.reveal" } : { kind: "private.start" }),
  }, [...undoUi.buttons, undoUi.status]);
  const banners = document.getElementById("banners");
  const canvas = new Canvas(document.getElementById("canvas"), template, perms, intents);

  // One render per frame, however many events arrived in it.
  let frame = 0;
  let revealed = new Set(); // rounds already revealed when seen: a new reveal opens results
  function schedule() {
    if (!frame) frame = requestAnimationFrame(draw);
  }
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
    const shownRound = open || (side?.kind === "results" ? view.rounds.get(side.round) : null) || null;
    const deco = {
      comments: commentCounts(view),
      vote: voteDeco(shownRound, actor, view),
      locks: view.locks,
      locked: lockedFor,
      spotlight: spotSection,
    };
    canvas.render(view, { pendingCards, others, deco });
    header.board(view);
    header.tools(view, { following: follower !== null, stage });
    header.timer(stage, follower);
    drawBanners(open, deco.vote);
    drawSide();
  }

  /** A round revealed while I watch: everyone sees its ranking (unless reading comments). */
  function noticeReveals() {
    const now = new Set([...view.rounds.values()].filter((r) => r.revealed && r.blind).map((r) => r.id));
    for (const id of now) {
      if (!revealed.has(id) && firstDraw === false && side?.kind !== "comments") {
        side = { kind: "results", round: id };
        aside.hidden = false;
        document.body.classList.add("with-side");
        lastSide = "";
      }
    }
    revealed = now;
    firstDraw = false;
  }
  let firstDraw = true;

  let lastBanners = "";
  function drawBanners(open, deco) {
    const sig = JSON.stringify([open && { ...open, votes: [deco.left, deco.orphans] }, view.private !== null, follower !== null]);
    if (sig === lastBanners) return;
    lastBanners = sig;
    const items = [];
    if (open) items.push(voteBanner(open, deco, { actor, template, actions: voteActions }));
    if (view.private) {
      const text = facilitator
        ? "Private writing is on: each person sees only their own new cards until you reveal them."
        : readOnly
          ? "Private writing: new cards stay hidden until the facilitator reveals them."
          : "Private writing: only you see your new cards until the facilitator reveals them";
      const parts = [el("span", { class: "banner-icon", "aria-hidden": "true", text: "◌" }), el("strong", { class: "banner-title", text })];
      if (facilitator) {
        parts.push(el("span", { class: "banner-buttons" }, [el("button", { type: "button", class: "primary private-reveal-btn", text: "◎ Reveal private cards", on: { click: () => submit({ kind: "private.reveal" }) } })]));
      }
      items.push(el("div", { class: "banner private-banner", role: "status" }, parts));
    }
    banners.replaceChildren(...items);
    banners.hidden = items.length === 0;
  }

  // Follow the facilitator: the stage's spotlight moves this page.
  let follower = null;
  let timerTick = 0;
  let navigateTo = null;
  function startFollowing() {
    if (!me.stage) return notify("This workshop has no stage to follow yet.");
    setFollowFlag(true);
    follower = new StageSync({
      id: me.stage,
      sectionIds: template.sectionIds,
      onChange: (state) => {
        stage = state.stage;
        followSpotlight(stage.spotlight);
        schedule();
      },
      onStatus: (status) => {
        header.followStatus(status);
        schedule();
      },
    });
    follower.start();
    timerTick = setInterval(() => header.timer(stage, follower), 1000);
    schedule();
  }
  function stopFollowing() {
    follower?.stop();
    follower = null;
    stage = null;
    spotSection = null;
    navigateTo = null;
    leaveBy = 0;
    clearInterval(timerTick);
    setFollowFlag(false);
    header.timer(null, null);
    schedule();
  }
  function setFollowFlag(on) {
    const url = new URL(location.href);
    if (on) url.searchParams.set("follow", "1");
    else url.searchParams.delete("follow");
    history.replaceState(history.state, "", url);
  }
  function followSpotlight(spotlight) {
    if (!spotlight) return;
    if (spotlight.mode !== "overview" && spotlight.board && spotlight.board !== boardId) {
      navigateTo = `/boards/${encodeURIComponent(spotlight.board)}?follow=1`;
      tryNavigate();
      return;
    }
    navigateTo = null;
    const section = spotlight.mode === "section" && spotlight.board === boardId ? spotlight.section : null;
    if (section && section !== spotSection) canvas.showSection(section);
    spotSection = section;
  }
  /** Go where the spotlight went, but never away from an open dialog (when it closes), and
   * not before this board acknowledged the edits in flight (at most a few seconds: unsent
   * edits stay in localStorage and leave with the next visit of this board anyway). */
  let leaveBy = 0;
  function tryNavigate() {
    if (!navigateTo || !follower || document.querySelector("dialog[open]")) return;
    if (!leaveBy) leaveBy = Date.now() + 4000;
    if (sync.pendingCount() > 0 && Date.now() < leaveBy) {
      setTimeout(tryNavigate, 250);
      return;
    }
    location.assign(navigateTo);
  }
  document.addEventListener(
    "close",
    (e) => {
      if (e.target instanceof HTMLDialogElement) queueMicrotask(tryNavigate);
    },
    true,
  );
  header.timer(null, null);

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
      for (const p of list) if (p.id && p.name) known.set(p.id, p.name);
      header.presence(list);
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
    following: () => follower !== null,
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
  if (new URLSearchParams(location.search).get("follow") === "1") startFollowing();
}

/** The header: the board, the room's tools, the connection, who is here, the way out. */
function buildHeader(me, actions, undoTools) {
  const boardHref = `/boards/${encodeURIComponent(boardId)}`;
  const role = me.me.role;
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
      [...KEY_HELP, ...UNDO_KEYS].flatMap(([keys, what]) => [el("dt", {}, [el("kbd", { text: keys })]), el("dd", { text: what })]),
    ),
  ]);
  const timer = el("span", { id: "stage-timer", class: "pill stage-timer", role: "timer", hidden: true });
  const follow = el("button", { type: "button", id: "follow", class: "follow-btn", "aria-pressed": "false", text: "➤ Follow facilitator", on: { click: actions.follow } });
  const votes = el("button", { type: "button", id: "votes-btn", class: "votes-btn", text: "▤ Votes", hidden: true, on: { click: actions.votes } });
  const openVote = role === "facilitator" ? el("button", { type: "button", id: "open-vote", class: "tool-btn", text: "◉ Dot vote…", on: { click: actions.openVote } }) : null;
  const privateBtn =
    role === "facilitator" ? el("button", { type: "button", id: "private-toggle", class: "tool-btn", text: "◌ Private writing", on: { click: actions.privateWriting } }) : null;
  const bar = document.getElementById("topbar");
  bar.replaceChildren(
    title,
    sub,
    el("div", { class: "tools" }, [...undoTools, timer, follow, votes, openVote, privateBtn]),
    el("div", { class: "status-nav" }, [
      el("div", { class: "sync", "aria-live": "polite" }, [connection, saved]),
      help,
      el("a", { href: `${boardHref}/history`, class: "history-link", text: "History" }),
      el("a", { href: "/boards", class: "all-boards", text: "All boards", title: `Signed in as ${me.me.name} (${me.me.role})` }),
    ]),
    el("div", { class: "people" }, [el("span", { class: "people-label", text: "Here:" }), people]),
  );
  let followState = "";
  return {
    board(view) {
      title.textContent = view.title || view.initiative || "Board";
      title.title = title.textContent;
      // Boards are usually titled by their initiative: do not say it twice.
      const initiative = view.initiative && view.initiative !== view.title ? view.initiative : "";
      sub.textContent = [view.city, initiative].filter(Boolean).join(" · ");
    },
    tools(view, { following }) {
      follow.setAttribute("aria-pressed", String(following));
      follow.classList.toggle("on", following);
      const lost = followState === "closed" ? " (disconnected)" : ["reconnecting", "offline"].includes(followState) ? " (reconnecting…)" : "";
      follow.textContent = following ? `➤ Following ✓${lost}` : "➤ Follow facilitator";
      follow.title = following ? "Press to stop following the facilitator" : "Go where the facilitator's spotlight goes";
      votes.hidden = view.rounds.size === 0;
      if (privateBtn) {
        privateBtn.textContent = view.private ? "◎ Reveal private cards" : "◌ Start private writing";
        privateBtn.classList.toggle("primary", Boolean(view.private));
      }
      if (openVote) openVote.disabled = [...view.rounds.values()].some((r) => r.status === "open");
    },
    followStatus(status) {
      followState = status;
    },
    timer(stage, follower) {
      const t = stage?.timer;
      if (!t || !follower || t.status === "idle") {
        timer.hidden = true;
        return;
      }
      // The server's end time against the server's clock (estimated from its `now`), so
      // every screen shows the same countdown whatever this laptop's clock says.
      const left = follower.remaining();
      timer.hidden = false;
      timer.textContent = `${t.status === "running" ? "◷" : "❚❚"} ${formatClock(left)}${t.label ? ` · ${t.label}` : ""}`;
      timer.classList.toggle("done", left <= 0);
      timer.title = t.status === "running" ? "The room's shared timer" : "The room's timer is paused";
    },
    status(sync) {
      connection.textContent = connectionText(sync.status, { waiting: sync.pendingCount(), closedFor: sync.closedFor });
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
  notify(`The board could not be opened: ${error.message}`);
});
