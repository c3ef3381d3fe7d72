// The facilitator's live controls (a laptop page): what the projector shows, the shared timer,
// today's agenda run-sheet, and per board the dot votes, private writing and sign-off.
//
// Stage ops go over the stage socket (StageSync): each is checked first by the same reducer
// the server runs (a refusal shows the server's sentence without a round trip), then resolves
// when its own event comes back. Board ops go over each board's socket (run-boards.js).

import { el, getJSON, toast } from "./dom.js";
import { makeTemplate } from "./model.js";
import { StageSync, formatClock } from "./stage.js";
import { boardLabel, clockTime, connectionText, dateIn } from "./roomview.js";
import { RunBoard } from "./run-boards.js";

const TICK = 200;

async function main() {
  const [me, raw] = await Promise.all([getJSON("/api/me"), getJSON("/api/template")]);
  const template = makeTemplate(raw);
  document.title = `Run the room · ${me.workshop.title}`;
  document.getElementById("workshop-title").textContent = me.workshop.title;
  const boards = new Map(me.boards.map((b) => [b.id, b]));
  // The agenda lives with the workshop (facilitators only); without it the page still runs.
  const setup = await getJSON(`/api/workshops/${encodeURIComponent(me.workshop.id)}`).catch((error) => {
    toast(`The agenda could not be loaded: ${error.message}`);
    return null;
  });
  if (!me.stage) {
    toast("This workshop has no stage: the projector controls are off.");
    return;
  }

  const stage = new StageSync({
    id: me.stage,
    sectionIds: template.sectionIds,
    onChange: () => render(),
    onStatus: (status) => {
      const pill = document.getElementById("stage-conn");
      pill.textContent = connectionText(status, { waiting: stage.pending.size, closedFor: stage.closedFor });
      pill.className = `pill conn-${status}`;
      render();
    },
    onError: (message) => toast(message),
  });

  /** Send a stage op from a button: busy while in flight, the server's sentence if refused. */
  async function act(button, op) {
    if (button) button.disabled = true;
    try {
      await stage.send(op);
    } catch (error) {
      toast(error.message);
    } finally {
      if (button) button.disabled = false;
      render();
    }
  }

  const spotlight = spotlightPanel(template, boards, stage, act);
  const timer = timerPanel(stage, act);
  const agenda = agendaPanel(template, boards, setup ? setup.workshop : null, stage, act);

  function render() {
    if (!stage.stage) return;
    spotlight.render();
    timer.render();
    agenda.render();
  }

  const list = document.getElementById("run-boards");
  const show = (board) => (button) => act(button, { kind: "stage.spotlight", mode: "board", board: board.id });
  const runBoards = [...boards.values()].map((board) => new RunBoard({ board, template, container: list, show: show(board) }));
  if (runBoards.length === 0) list.append(el("p", { class: "none", text: "This workshop has no boards yet." }));

  setInterval(() => timer.tick(), TICK);
  window.brickboardRoom = Object.freeze({
    remaining: () => stage.remaining(),
    serverOffset: () => stage.serverOffset,
    connection: () => stage.status,
  });
  stage.start();
  for (const b of runBoards) b.start();
}

// The spotlight ----------------------------------------------------------------------------

function spotlightPanel(template, boards, stage, act) {
  const form = document.getElementById("spot-form");
  const boardSelect = document.getElementById("spot-board");
  const sectionSelect = document.getElementById("spot-section");
  const now = document.getElementById("spot-now");
  boardSelect.replaceChildren(...[...boards.values()].map((b) => el("option", { value: b.id, dir: "auto", text: b.city || b.title, title: boardLabel(b) })));
  sectionSelect.replaceChildren(...template.raw.sections.map((s) => el("option", { value: s.id, text: s.title })));
  const mode = () => form.elements["spot-mode"].value;
  const enable = () => {
    boardSelect.disabled = mode() === "overview";
    sectionSelect.disabled = mode() !== "section";
  };
  form.addEventListener("change", enable);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const op = { kind: "stage.spotlight", mode: mode() };
    if (op.mode !== "overview") op.board = boardSelect.value;
    if (op.mode === "section") op.section = sectionSelect.value;
    act(document.getElementById("spot-go"), op);
  });
  let shown = "";
  return {
    render() {
      const spot = stage.stage.spotlight;
      const board = boards.get(spot.board);
      const section = template.sections.get(spot.section);
      const text =
        spot.mode === "overview"
          ? "The overview of all boards"
          : [board ? board.city || board.title : spot.board, spot.mode === "section" && section ? section.title : "whole board"].join(" — ");
      now.replaceChildren("Now: ", el("span", { dir: "auto", text }));
      now.dataset.mode = spot.mode;
      // The pickers follow the stage when it moves (here or from another tab), not while the
      // facilitator is choosing.
      const key = JSON.stringify([spot.mode, spot.board, spot.section]);
      if (key !== shown) {
        shown = key;
        form.elements["spot-mode"].value = spot.mode;
        if (spot.board && boards.has(spot.board)) boardSelect.value = spot.board;
        if (section) sectionSelect.value = spot.section;
        enable();
      }
    },
  };
}

// The timer ----------------------------------------------------------------------------------

function timerPanel(stage, act) {
  const $ = (id) => document.getElementById(id);
  const clock = $("run-clock");
  const state = $("run-timer-state");
  const label = $("run-timer-label");
  const minutes = $("timer-minutes");
  const labelInput = $("timer-label");
  $("timer-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const n = Number(minutes.value);
    if (!Number.isInteger(n) || n < 1 || n > 1440) {
      toast("Minutes: a whole number from 1 to 1440.");
      return;
    }
    act($("timer-start"), { kind: "timer.start", seconds: n * 60, label: labelInput.value.trim() });
  });
  $("timer-pause").addEventListener("click", (e) => act(e.currentTarget, { kind: "timer.pause" }));
  $("timer-resume").addEventListener("click", (e) => act(e.currentTarget, { kind: "timer.start" }));
  $("timer-plus1").addEventListener("click", (e) => act(e.currentTarget, { kind: "timer.extend", seconds: 60 }));
  $("timer-plus5").addEventListener("click", (e) => act(e.currentTarget, { kind: "timer.extend", seconds: 300 }));
  $("timer-minus1").addEventListener("click", (e) => act(e.currentTarget, { kind: "timer.extend", seconds: -60 }));
  $("timer-reset").addEventListener("click", (e) => act(e.currentTarget, { kind: "timer.reset" }));
  const STATES = { idle: "Ready", running: "Running", paused: "Paused" };
  return {
    tick() {
      if (!stage.stage) return;
      const timer = stage.stage.timer;
      const left = stage.remaining();
      clock.textContent = formatClock(left);
      clock.dataset.remainingMs = String(Math.round(left));
      const done = timer.status === "running" && left <= 0;
      state.textContent = done ? "Time is up" : STATES[timer.status];
      clock.className = `run-clock ${timer.status}${done ? " done" : ""}`;
    },
    render() {
      const timer = stage.stage.timer;
      const running = timer.status === "running";
      label.textContent = timer.label;
      // Start on a running timer starts it again, with the minutes now in the form.
      $("timer-start").textContent = running ? "↺ Restart" : "▶ Start";
      $("timer-pause").disabled = !running;
      $("timer-resume").disabled = running || timer.remaining_ms <= 0;
      this.tick();
    },
  };
}

// The agenda run-sheet ---------------------------------------------------------------------

function agendaPanel(template, boards, workshop, stage, act) {
  const dayBox = document.getElementById("agenda-days");
  const list = document.getElementById("agenda-items");
  const days = workshop ? workshop.days || [] : [];
  let chosen = null; // the day the facilitator picked; null: today's, else the running one
  const today = () => (workshop ? dateIn(workshop.timezone || "UTC", stage.serverNow()) : "");
  const dayShown = (now) => {
    if (chosen !== null) return chosen;
    const todays = days.find((d) => d.date === now);
    if (todays) return todays.day;
    if (stage.stage && stage.stage.agenda) return stage.stage.agenda.day;
    return days.length ? days[0].day : null;
  };
  let drawn = "";
  return {
    render() {
      const now = today(); // once per render: the same date throughout, even at midnight
      const day = dayShown(now);
      const running = stage.stage.agenda;
      const key = JSON.stringify([day, running, now]);
      if (key === drawn) return;
      drawn = key;
      dayBox.replaceChildren(
        ...days.map((d) =>
          el("button", {
            type: "button",
            class: `day${d.day === day ? " current" : ""}`,
            "aria-pressed": d.day === day ? "true" : "false",
            dataset: { day: String(d.day) },
            text: `Day ${d.day} · ${dayName(d.date)}${d.date === now ? " (today)" : ""}`,
            on: {
              click: () => {
                chosen = d.day;
                this.render();
              },
            },
          }),
        ),
      );
      const entry = days.find((d) => d.day === day);
      if (!entry || !(entry.agenda || []).length) {
        list.replaceChildren(el("li", { class: "none", text: days.length ? "No agenda items on this day." : "No agenda yet: add the days and items in the console." }));
        return;
      }
      list.replaceChildren(
        ...entry.agenda.map((item, index) => {
          const isRunning = running && running.day === entry.day && running.index === index;
          const board = item.board ? boards.get(item.board) : null;
          const section = item.section ? template.sections.get(item.section) : null;
          const where = item.board
            ? [board ? board.city || board.title : item.board, section ? section.title : null].filter(Boolean).join(" · ")
            : section
              ? `Every board · ${section.title}`
              : "Overview";
          const meta = [where, item.minutes ? `${item.minutes} min` : null].filter(Boolean).join(" · ");
          const op = { kind: "agenda.start", day: entry.day, index, title: item.title };
          if (item.board) op.board = item.board;
          if (item.section) op.section = item.section; // with no board: of every board
          if (item.minutes) op.minutes = item.minutes;
          return el("li", { class: `agenda-item${isRunning ? " running" : ""}`, dataset: { day: String(entry.day), index: String(index) } }, [
            el("div", { class: "agenda-what" }, [
              el("p", { class: "agenda-title", dir: "auto", text: item.title }),
              el("p", { class: "agenda-meta", dir: "auto", text: meta }),
              isRunning ? el("p", { class: "agenda-running", text: `● Running since ${clockTime(running.started_at)}` }) : null,
              // A section of every board: the facilitator reads it across boards, side by side.
              !item.board && section
                ? el("a", { class: "agenda-cross", href: `/cross?section=${encodeURIComponent(item.section)}`, text: `Open ${section.title} across boards` })
                : null,
            ]),
            el("button", {
              type: "button",
              class: isRunning ? "agenda-start" : "agenda-start primary",
              text: isRunning ? "Restart" : "Start",
              title: "Move the spotlight there and start its timer",
              on: { click: (e) => act(e.currentTarget, op) },
            }),
          ]);
        }),
      );
    },
  };
}

function dayName(iso) {
  const when = new Date(`${iso}T12:00:00Z`);
  if (Number.isNaN(when.getTime())) return iso;
  return when.toLocaleDateString([], { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
}

main().catch((error) => {
  console.error(error);
  toast(`The run page could not start: ${error.message}`);
});
