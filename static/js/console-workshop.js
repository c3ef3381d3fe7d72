// The workshop panel (title, venue, time zone, three days with their agenda) and the form that
// creates another workshop.

import { el, toast } from "./dom.js";
import { clearProblem, linkField, send, showProblem } from "./console-ui.js";

const DAYS = [1, 2, 3];

export function setupWorkshop(ctx) {
  const form = document.getElementById("workshop-form");
  const problem = document.getElementById("workshop-problem");
  const daysBox = document.getElementById("days");
  const title = form.elements.title;
  const venue = form.elements.venue;
  const timezone = form.elements.timezone;

  fillTimeZones();

  /** Fill the form from the saved workshop (on load and after a save, never while typing). */
  function render() {
    const w = ctx.data.workshop;
    title.value = w.title;
    venue.value = w.venue || "";
    timezone.value = w.timezone || "";
    daysBox.replaceChildren(...DAYS.map((n) => dayEditor(ctx, n, w.days.find((d) => d.day === n))));
    clearProblem(problem);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblem(problem);
    const fields = new Map([
      ["title", { input: title, label: "Title" }],
      ["venue", { input: venue, label: "Venue" }],
      ["timezone", { input: timezone, label: "Time zone" }],
    ]);
    const days = [];
    for (const box of daysBox.querySelectorAll(".day")) {
      const n = Number(box.dataset.day);
      const date = box.querySelector("input.date");
      const items = [...box.querySelectorAll(".agenda-item")];
      if (!date.value && items.length === 0) continue;
      const at = `days.${days.length}`;
      fields.set(`${at}.date`, { input: date, label: `Day ${n}, date` });
      fields.set(at, { input: date, label: `Day ${n}` });
      const agenda = items.map((item, i) => {
        const entry = { title: item.querySelector(".item-title").value.trim() };
        const board = item.querySelector(".item-board").value;
        const section = item.querySelector(".item-section").value;
        const minutes = item.querySelector(".item-minutes");
        if (board) entry.board = board;
        if (section) entry.section = section;
        if (minutes.value !== "") entry.minutes = Number(minutes.value);
        const label = `Day ${n}, agenda item ${i + 1}`;
        fields.set(`${at}.agenda.${i}.title`, { input: item.querySelector(".item-title"), label: `${label}, title` });
        fields.set(`${at}.agenda.${i}.minutes`, { input: minutes, label: `${label}, minutes` });
        fields.set(`${at}.agenda.${i}`, { input: item.querySelector(".item-title"), label });
        return entry;
      });
      if (!date.value) {
        showProblem(problem, { where: `${at}.date`, detail: "choose the date of this day (or remove its agenda items)." }, fields);
        return;
      }
      days.push({ day: n, date: date.value, agenda });
    }
    const body = { title: title.value.trim(), venue: venue.value.trim(), timezone: timezone.value.trim(), days };
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const { workshop } = await send("PATCH", `/api/workshops/${encodeURIComponent(ctx.id)}`, body);
      ctx.data.workshop = workshop;
      render();
      ctx.changed();
      toast("The workshop is saved.", "ok");
    } catch (error) {
      showProblem(problem, error, fields);
    } finally {
      button.disabled = false;
    }
  });

  return { render };
}

function dayEditor(ctx, n, day) {
  const date = el("input", { type: "date", class: "date", id: `day${n}-date`, value: day?.date || "" });
  const list = el("ol", { class: "agenda" });
  const add = el("button", { type: "button", class: "add-item", text: "+ Add agenda item" });
  add.addEventListener("click", () => {
    list.append(agendaItem(ctx, n, {}));
    renumber(list);
    list.lastElementChild.querySelector(".item-title").focus();
  });
  for (const item of day?.agenda || []) list.append(agendaItem(ctx, n, item));
  renumber(list);
  return el("fieldset", { class: "day", dataset: { day: String(n) } }, [
    el("legend", { text: `Day ${n}` }),
    el("div", { class: "day-date" }, [el("label", { for: date.id, text: "Date" }), date]),
    el("div", { class: "agenda-head", "aria-hidden": "true" }, [
      el("span", { text: "Agenda item" }),
      el("span", { text: "Board (optional)" }),
      el("span", { text: "Section (optional)" }),
      el("span", { text: "Minutes" }),
      el("span"),
    ]),
    list,
    add,
  ]);
}

function renumber(list) {
  [...list.children].forEach((item, i) => {
    const n = item.dataset.day;
    const name = `Day ${n}, item ${i + 1}`;
    item.querySelector(".item-title").setAttribute("aria-label", `${name}: title`);
    item.querySelector(".item-board").setAttribute("aria-label", `${name}: board`);
    item.querySelector(".item-section").setAttribute("aria-label", `${name}: section`);
    item.querySelector(".item-minutes").setAttribute("aria-label", `${name}: minutes`);
    item.querySelector(".remove-item").setAttribute("aria-label", `Remove ${name.toLowerCase()}`);
  });
}

function agendaItem(ctx, n, item) {
  const title = el("input", { class: "item-title", dir: "auto", value: item.title || "", maxLength: 200, required: true, autocomplete: "off" });
  const board = el("select", { class: "item-board" }, [
    // No board: the overview, or with a section, that section of every board (a report-out).
    el("option", { value: "", text: "All boards" }),
    ...ctx.data.boards.map((b) => el("option", { value: b.id, dir: "auto", text: b.city || b.title, selected: b.id === item.board })),
  ]);
  if (item.board && !ctx.data.boards.some((b) => b.id === item.board)) {
    board.append(el("option", { value: item.board, text: "(a board not in this workshop)", selected: true }));
  }
  const section = el("select", { class: "item-section" }, [
    el("option", { value: "", text: "—" }),
    ...ctx.template.sections.map((s) => el("option", { value: s.id, text: s.title, selected: s.id === item.section })),
  ]);
  const minutes = el("input", { type: "number", class: "item-minutes", min: 1, max: 600, step: 1, value: item.minutes ?? "" });
  const remove = el("button", { type: "button", class: "remove-item", text: "✕" });
  const li = el("li", { class: "agenda-item", dataset: { day: String(n) } }, [title, board, section, minutes, remove]);
  remove.addEventListener("click", () => {
    const list = li.parentElement;
    li.remove();
    renumber(list);
  });
  return li;
}

function fillTimeZones() {
  const list = document.getElementById("tz-list");
  if (list.childElementCount) return;
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  list.replaceChildren(...zones.map((z) => el("option", { value: z })));
}

/** "Create another workshop": the new facilitator link, and "Open it" to switch to it. */
export function setupNewWorkshop(ctx) {
  const form = document.getElementById("new-workshop");
  const problem = document.getElementById("new-problem");
  const result = document.getElementById("new-result");
  const title = form.elements.title;
  const venue = form.elements.venue;
  const timezone = form.elements.timezone;
  const dates = DAYS.map((n) => document.getElementById(`new-day${n}`));
  timezone.value = ctx.data.workshop.timezone || "";

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblem(problem);
    const fields = new Map([
      ["title", { input: title, label: "Title" }],
      ["venue", { input: venue, label: "Venue" }],
      ["timezone", { input: timezone, label: "Time zone" }],
    ]);
    const days = [];
    DAYS.forEach((n, i) => {
      if (!dates[i].value) return;
      fields.set(`days.${days.length}`, { input: dates[i], label: `Day ${n}` });
      days.push({ day: n, date: dates[i].value, agenda: [] });
    });
    if (!title.value.trim()) {
      showProblem(problem, { where: "title", detail: "give the new workshop a title." }, fields);
      return;
    }
    const body = { title: title.value.trim(), venue: venue.value.trim(), days };
    if (timezone.value.trim()) body.timezone = timezone.value.trim();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const { workshop, facilitator } = await send("POST", "/api/workshops", body);
      showCreated(result, workshop, facilitator);
      form.reset();
      timezone.value = ctx.data.workshop.timezone || "";
    } catch (error) {
      showProblem(problem, error, fields);
    } finally {
      button.disabled = false;
    }
  });
}

function showCreated(box, workshop, facilitator) {
  // Stay on the address this browser already uses (its cookie lives there): only the path of
  // the link the server printed for the room.
  const path = new URL(facilitator.join_url, location.href).pathname;
  // A POST to the link: the switch of who is signed in that the person asked for here (a plain
  // visit to someone else's link asks first, board/signin.py).
  const open = el("form", { method: "post", action: path, class: "open-new-form" }, [
    el("button", { type: "submit", class: "primary open-new", text: "Open it" }),
  ]);
  box.replaceChildren(
    el("p", {}, [el("strong", {}, ["“", el("span", { dir: "auto", text: workshop.title }), "” is ready."]), " Your facilitator link for it:"]),
    linkField(facilitator.join_url, `Your facilitator link for ${workshop.title}`),
    el("div", { class: "inline-row" }, [
      open,
      el("span", {
        class: "hint",
        text: "Opening it switches this browser to the new workshop. Keep your link for this one to come back.",
      }),
    ]),
  );
  box.hidden = false;
}
