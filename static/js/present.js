// The projector: read-only and full screen, it follows the stage's spotlight (the overview,
// one board, or one section of a board zoomed), shows the shared timer counting down from the
// server's clock, and the dot-vote results of the shown board once they may be seen.
//
// Sockets: the stage, and the spotlighted board (switched as the spotlight moves); while the
// overview is up, one per board instead, so its card counts move as people write. All resume
// by themselves after a drop or a sleep; meanwhile the last picture stays up with a discreet
// "Reconnecting…" in the corner.

import { el, getJSON, toast } from "./dom.js";
import { makeTemplate } from "./model.js";
import { StageSync, formatClock } from "./stage.js";
import { BoardFeed, ROLE_LABELS, ROLE_ORDER, currentRound, tally } from "./boardfeed.js";
import { CONNECTION_TEXT, cardNode, clockTime, typeCounts } from "./roomview.js";
import { fitList, fitResults, fitZoom, noDots, placedLine } from "./present-fit.js";
import { crossView } from "./present-cross.js";


async function main() {
  const [me, raw] = await Promise.all([getJSON("/api/me"), getJSON("/api/template")]);
  const template = makeTemplate(raw);
  const boards = new Map(me.boards.map((b) => [b.id, b]));
  document.title = `Projector · ${me.workshop.title}`;
  const ui = {
    title: document.getElementById("where-title"),
    sub: document.getElementById("where-sub"),
    agenda: document.getElementById("agenda"),
    timer: document.getElementById("timer"),
    clock: document.getElementById("timer-clock"),
    timerLabel: document.getElementById("timer-label"),
    view: document.getElementById("view"),
    conn: document.getElementById("conn"),
  };
  if (!me.stage) {
    ui.title.textContent = me.workshop.title;
    ui.view.replaceChildren(el("p", { class: "notice", text: "This workshop has no stage yet." }));
    return;
  }

  let feed = null; // the spotlighted board's feed
  const overview = new Map(); // board id -> its feed, while the overview is up

  const stage = new StageSync({
    id: me.stage,
    sectionIds: template.sectionIds,
    onChange: () => {
      follow();
      schedule();
    },
    onStatus: showConnection,
    onError: (message) => toast(message),
  });

  /** Open the spotlighted board's socket (closing the previous one), or none for the overview. */
  function follow() {
    const spot = stage.stage.spotlight;
    const everyBoard = spot.mode === "overview" || spot.mode === "cross"; // a feed per board
    const boardId = everyBoard ? null : spot.board;
    if ((feed ? feed.id : null) !== boardId) {
      if (feed) feed.stop();
      feed = boardId
        ? new BoardFeed({ id: boardId, template, onChange: schedule, onStatus: showConnection, onError: () => {} }).start()
        : null;
      showConnection();
    }
    if (everyBoard && !overview.size) {
      for (const id of boards.keys()) {
        overview.set(id, new BoardFeed({ id, template, onChange: schedule, onStatus: showConnection, onError: () => {} }).start());
      }
    } else if (!everyBoard && overview.size) {
      for (const tile of overview.values()) tile.stop();
      overview.clear();
    }
  }

  // Drawing: at most once a frame, and the fitting happens in the same frame (no flicker).
  let frame = 0;
  function schedule() {
    if (!frame) frame = requestAnimationFrame(draw);
  }

  function draw() {
    frame = 0;
    const st = stage.stage;
    if (!st) return;
    const spot = st.spotlight;
    document.body.dataset.mode = spot.mode;
    drawAgenda(spot.mode === "overview" ? null : st.agenda); // the overview shows it large
    drawTimer();
    if (spot.mode === "overview") return drawOverview(st);
    if (spot.mode === "cross" && template.sections.has(spot.section)) return drawCross(spot.section);
    const board = boards.get(spot.board);
    const state = feed && feed.state && feed.state.id === spot.board ? feed.state : null;
    setWhere(state || board || { city: "", initiative: "" });
    if (!state) {
      const why = feed && feed.status === "closed" ? feed.closedFor || "This board is not available." : "Loading the board…";
      return show(`loading:${spot.board}`, el("p", { class: "notice", text: why }));
    }
    if (spot.mode === "section" && template.sections.has(spot.section)) return drawSection(state, spot.section);
    return drawBoard(state);
  }

  function setWhere(board) {
    ui.title.textContent = board.city || board.title || "Board";
    ui.sub.textContent = board.initiative || board.title || "";
  }

  /** Put a view up; `key` names what is shown (tests and people can tell it is there). */
  function show(key, node, fit) {
    ui.view.replaceChildren(node);
    if (fit) fit();
    document.body.dataset.shown = key;
  }

  function drawAgenda(agenda) {
    ui.agenda.hidden = !agenda;
    if (agenda) ui.agenda.replaceChildren(`Day ${agenda.day} · `, el("span", { dir: "auto", text: agenda.title }));
  }

  // The overview ---------------------------------------------------------------------------

  function drawOverview(st) {
    ui.title.textContent = me.workshop.title;
    ui.sub.textContent = me.workshop.venue || "";
    const tiles = [...boards.keys()].map((id) => {
      const state = overview.get(id)?.state;
      const b = state ? { city: state.city, initiative: state.initiative, title: state.title } : boards.get(id);
      const entry = state ? { total: state.cards.size, counts: typeCounts(state) } : { total: null, counts: new Map() };
      const counts = [...template.cardTypes.keys()].filter((t) => entry.counts.get(t)).map((t) => {
        const type = template.cardTypes.get(t);
        const n = entry.counts.get(t);
        return el("li", { class: `count type-${t}` }, [
          el("span", { class: "icon", "aria-hidden": "true", text: type.icon }),
          `${n} ${type.label.toLowerCase()}${n === 1 ? "" : "s"}`,
        ]);
      });
      return el("li", { class: "tile", dataset: { board: id } }, [
        el("h2", { class: "tile-city", dir: "auto", text: b.city || b.title }),
        el("p", { class: "tile-initiative", dir: "auto", text: b.initiative || b.title || "" }),
        el("p", { class: "tile-total", text: entry.total === null ? "…" : `${entry.total} ${entry.total === 1 ? "card" : "cards"}` }),
        counts.length ? el("ul", { class: "tile-counts" }, counts) : null,
      ]);
    });
    const agenda = st.agenda;
    const node = el("section", { class: "overview" }, [
      el("div", { class: "overview-head" }, [
        agenda
          ? el("p", { class: "overview-agenda" }, [
              el("span", { class: "now", text: "Now" }),
              el("span", {}, [`Day ${agenda.day} · `, el("span", { dir: "auto", text: agenda.title })]),
              el("span", { class: "since", text: `since ${clockTime(agenda.started_at)}` }),
            ])
          : null,
      ]),
      el("ul", { class: `tiles${tiles.length > 8 ? " many" : ""}` }, tiles),
    ]);
    show("overview", node);
  }

  /** One section of every board, side by side (a report-out). */
  function drawCross(sectionId) {
    ui.title.textContent = me.workshop.title;
    ui.sub.textContent = "Every board";
    const { node, fit } = crossView(template, boards, overview, sectionId);
    show(`cross:${sectionId}`, node, fit);
  }

  // One board ------------------------------------------------------------------------------

  /** Room for the results beside the canvas: wide for a ranking, narrow for "hidden". */
  const panelClass = (vote) => (!vote ? "" : vote.results ? " with-results" : " with-status");

  function roundFor(state) {
    const round = currentRound(state);
    return round ? { round, results: round.revealed ? tally(round) : null } : null;
  }

  function drawBoard(state) {
    const vote = roundFor(state);
    const grid = el("div", { class: "canvas-ro", "aria-label": "Innovation canvas" });
    grid.style.gridTemplateColumns = raw.grid.columns;
    grid.style.gridTemplateRows = raw.grid.rows;
    grid.style.gridTemplateAreas = raw.grid.areas.map((row) => JSON.stringify(row)).join(" ");
    for (const section of raw.sections) {
      const ids = state.sections.get(section.id) || [];
      const cards = ids.map((id) => state.cards.get(id)).filter(Boolean);
      const node = el("section", { class: `sec${section.money ? " money" : ""}${ids.length ? "" : " empty"}`, dataset: { section: section.id } }, [
        el("header", { class: "sec-head" }, [
          el("h2", { text: section.title }),
          el("span", { class: "sec-count", text: String(cards.length), title: "cards" }),
          state.locks && state.locks.has(section.id) ? el("span", { class: "agreed", text: "✔ Agreed" }) : null,
        ]),
        cards.length
          ? el(
              "ol",
              { class: "rcards" },
              // The ranking panel carries the dots: on the canvas they would take the room
              // the words need.
              cards.map((card) => cardNode(template, card)),
            )
          : el("p", { class: "prompt", text: section.prompt }),
        el("p", { class: "more", hidden: true }),
      ]);
      node.style.gridArea = section.id;
      grid.append(node);
    }
    const panel = vote ? resultsPanel(state, vote, null) : null;
    const node = el("div", { class: `board-view${panelClass(vote)}` }, [grid, panel]);
    show(`board:${state.id}`, node, () => {
      for (const section of grid.querySelectorAll(".sec")) {
        const list = section.querySelector(".rcards");
        if (list) fitList(list, section.querySelector(".more"));
      }
      if (panel) fitResults(panel);
    });
  }

  // One section, zoomed ----------------------------------------------------------------------

  function drawSection(state, sectionId) {
    const section = template.sections.get(sectionId);
    const ids = state.sections.get(sectionId) || [];
    const cards = ids.map((id) => state.cards.get(id)).filter(Boolean);
    let vote = roundFor(state);
    if (vote && vote.round.sections && !vote.round.sections.includes(sectionId)) vote = null;
    const list = el(
      "ol",
      { class: "rcards zoom-cards" },
      cards.map((card) =>
        cardNode(template, card, { label: true, fields: true, dots: vote && vote.results ? vote.results.totals.get(card.id) || 0 : null }),
      ),
    );
    const more = el("p", { class: "more", hidden: true });
    const body = cards.length ? [list, more] : [el("p", { class: "zoom-empty", text: "No cards here yet." })];
    const zoom = el("section", { class: `zoom${section.money ? " money" : ""}`, dataset: { section: sectionId } }, [
      el("header", { class: "zoom-head" }, [
        el("h2", { text: section.title }),
        el("span", { class: "sec-count", text: `${cards.length} ${cards.length === 1 ? "card" : "cards"}` }),
        state.locks && state.locks.has(sectionId) ? el("span", { class: "agreed", text: "✔ Agreed" }) : null,
      ]),
      el("p", { class: "zoom-prompt", text: section.prompt }),
      ...body,
    ]);
    const panel = vote ? resultsPanel(state, vote, sectionId) : null;
    const node = el("div", { class: `section-view${panelClass(vote)}` }, [zoom, panel]);
    show(`section:${state.id}:${sectionId}`, node, () => {
      if (cards.length) fitZoom(list, more);
      if (panel) fitResults(panel);
    });
  }

  // Dot-vote results ---------------------------------------------------------------------------

  function resultsPanel(state, { round, results }, sectionId) {
    const placed = round.votes.length;
    const status = round.status === "open" ? "Voting open" : "Voting closed";
    const head = el("header", { class: "results-head" }, [
      el("p", { class: "results-kind", text: `● Dot vote · ${status}` }),
      el("h2", { class: "results-title", dir: "auto", text: round.title }),
    ]);
    if (!results) {
      return el("aside", { class: "results hidden-results", dataset: { round: round.id } }, [
        head,
        el("p", { class: "results-wait", text: round.status === "open" ? "Results are hidden until the reveal." : "Results will be revealed by the facilitator." }),
        el("p", { class: "results-placed", text: `${placed} ${placed === 1 ? "dot" : "dots"} placed` }),
      ]);
    }
    // Counted the way they are shown: dots on cards that are on the board (and in this
    // section), so the number beside the ranking always adds up to it.
    const onBoard = results.ranking.filter((id) => state.cards.has(id));
    const ranking = onBoard.filter((id) => !sectionId || state.cards.get(id).section === sectionId);
    const sum = (ids) => ids.reduce((n, id) => n + results.totals.get(id), 0);
    const shown = sum(ranking);
    const all = sum(onBoard);
    const items = ranking.map((id, index) => {
      const card = state.cards.get(id);
      const total = results.totals.get(id);
      const roles = results.byRole.get(id) || {};
      const split = ROLE_ORDER.filter((r) => roles[r]);
      const bar = el("div", { class: "split", "aria-hidden": "true" });
      for (const role of split) {
        const part = el("span", { class: `part role-${role}` });
        part.style.flexGrow = String(roles[role]);
        bar.append(part);
      }
      return el("li", { class: "rank", dataset: { card: id, dots: String(total) } }, [
        el("span", { class: "rank-n", text: `${index + 1}` }),
        el("span", { class: "rank-dots", text: `● ${total}`, title: `${total} ${total === 1 ? "dot" : "dots"}` }),
        el("p", { class: "rank-text", dir: "auto", text: card.text }),
        el("p", { class: "rank-roles" }, split.map((r) => el("span", { class: `role role-${r}`, text: `${ROLE_LABELS[r] || r} ${roles[r]}` }))),
        bar,
      ]);
    });
    return el("aside", { class: "results", dataset: { round: round.id } }, [
      head,
      el("p", { class: "results-placed", text: placedLine(shown, all, sectionId) }),
      items.length ? el("ol", { class: "ranking" }, items) : el("p", { class: "results-wait", text: noDots(all, sectionId) }),
      el("p", { class: "more", hidden: true }),
    ]);
  }

  // Timer ----------------------------------------------------------------------------------

  function drawTimer() {
    const timer = stage.stage ? stage.stage.timer : null;
    if (!timer || timer.status === "idle") {
      ui.timer.hidden = true;
      return;
    }
    const left = stage.remaining();
    ui.timer.hidden = false;
    ui.clock.textContent = formatClock(left);
    ui.timer.dataset.remainingMs = String(Math.round(left));
    const done = timer.status === "running" && left <= 0;
    ui.timerLabel.textContent = timer.status === "paused" ? `❚❚ Paused${timer.label ? ` · ${timer.label}` : ""}` : done ? "Time is up" : timer.label;
    ui.timerLabel.dir = timer.status === "running" && !done ? "auto" : "ltr";
    ui.timer.className = `timer ${timer.status}${done ? " done" : ""}${timer.status === "running" && !done && left <= 60000 ? " last-minute" : ""}`;
  }
  setInterval(drawTimer, 200);

  // Connection -----------------------------------------------------------------------------

  function showConnection() {
    const statuses = [stage.status, feed ? feed.status : "connected", ...[...overview.values()].map((f) => f.status)];
    const worst = ["closed", "offline", "reconnecting", "connecting"].find((s) => statuses.includes(s));
    ui.conn.hidden = !worst;
    if (worst) {
      ui.conn.textContent = worst === "closed" && (stage.closedFor || feed?.closedFor) ? `✕ ${stage.closedFor || feed.closedFor}` : CONNECTION_TEXT[worst];
      ui.conn.className = `conn conn-${worst}`;
    }
  }

  // Full screen, and a pointer that gets out of the way --------------------------------------

  const full = document.getElementById("fullscreen");
  full.hidden = !document.documentElement.requestFullscreen;
  full.addEventListener("click", () => {
    document.documentElement.requestFullscreen().catch((error) => toast(`Full screen is not available: ${error.message}`));
  });
  document.addEventListener("fullscreenchange", () => {
    document.body.classList.toggle("is-full", Boolean(document.fullscreenElement));
    schedule();
  });
  // The pointer and the Full screen button hide after a few seconds without a move.
  let still = null;
  const stir = () => {
    document.body.classList.remove("idle");
    clearTimeout(still);
    still = setTimeout(() => document.body.classList.add("idle"), 3000);
  };
  document.addEventListener("pointermove", stir);
  document.addEventListener("keydown", stir);
  stir();
  addEventListener("resize", schedule);

  // A read-only handle for tests and for a curious facilitator.
  window.brickboardRoom = Object.freeze({
    remaining: () => stage.remaining(),
    serverOffset: () => stage.serverOffset,
    connection: () => ({ stage: stage.status, board: feed ? feed.status : null }),
  });
  showConnection();
  stage.start();
}

main().catch((error) => {
  console.error(error);
  toast(`The projector could not start: ${error.message}`);
});
