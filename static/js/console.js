// The facilitator's console: set up the workshop and its people before the days, and follow
// the room during them (who is online, join requests, day closes, snapshots, exports).
//
// One shared `ctx` holds what the server last said (GET /api/workshops/{id}); each panel
// renders from it. Forms are filled once and after their own saves, never under the typing
// hands of the facilitator; the live panels poll while the page is visible.

import { el, getJSON, toast } from "./dom.js";
import { dayLabel, poll } from "./console-ui.js";
import { setupPeople } from "./console-people.js";
import { setupNewWorkshop, setupWorkshop } from "./console-workshop.js";
import { renderBoards, renderOnline, setupDays, setupJoin } from "./console-live.js";
import { setupBackups } from "./console-backups.js";

const ONLINE_EVERY = 5000;
const REQUESTS_EVERY = 3000;
const DAYS_EVERY = 60000;
const BACKUPS_EVERY = 30000;

async function main() {
  const [me, template, cities] = await Promise.all([
    getJSON("/api/me"),
    getJSON("/api/template"),
    getJSON("/api/cities").catch(() => ({ cities: [] })),
  ]);
  const id = me.workshop.id;
  const ctx = {
    id,
    me: me.me,
    stage: me.stage,
    template,
    cities: new Map(cities.cities.map((c) => [c.city, c])),
    data: await getJSON(`/api/workshops/${encodeURIComponent(id)}`),
    changed: () => {}, // set below: what to redraw after a panel changed ctx.data
  };

  document.getElementById("city-list").replaceChildren(
    ...cities.cities.map((c) => {
      const option = document.createElement("option");
      option.value = c.city;
      option.label = c.initiative;
      return option;
    }),
  );

  const people = setupPeople(ctx);
  const workshop = setupWorkshop(ctx);
  const join = setupJoin(ctx);
  const days = setupDays(ctx);
  const backups = setupBackups(ctx);
  setupNewWorkshop(ctx);

  function header() {
    const w = ctx.data.workshop;
    document.title = `Console · ${w.title}`;
    document.getElementById("workshop-title").textContent = w.title;
    const dates = w.days.map((d) => d.date).filter(Boolean);
    const span = dates.length ? `${dayLabel(dates[0])}${dates.length > 1 ? ` – ${dayLabel(dates[dates.length - 1])}` : ""}` : "";
    document.getElementById("workshop-sub").textContent = [w.venue, span, w.timezone].filter(Boolean).join(" · ");
    document.getElementById("me").replaceChildren("Signed in as ", el("span", { dir: "auto", text: ctx.me.name }));
  }

  ctx.changed = () => {
    header();
    renderBoards(ctx);
    renderOnline(ctx);
    // Saved dates or a new time zone change the session days: show them now, not at the next poll.
    days.refresh().catch((error) => toast(error.message));
  };

  header();
  people.render(true);
  renderBoards(ctx);
  renderOnline(ctx);
  workshop.render();
  await days.refresh();
  await backups.refresh().catch(() => {});

  // The live panels. A failure is shown once, not every few seconds; if this browser was
  // switched to another workshop meanwhile (in another tab), reload into that one.
  let failing = false;
  const live = async (task) => {
    try {
      await task();
      if (failing) toast("The console is connected again.", "ok");
      failing = false;
    } catch (error) {
      if (!failing) toast(`The console cannot reach the server: ${error.message}`);
      failing = true;
      const now = await getJSON("/api/me").catch(() => null);
      if (now && now.workshop.id !== id) location.reload();
    }
  };
  poll(
    () =>
      live(async () => {
        const next = await getJSON(`/api/workshops/${encodeURIComponent(id)}`);
        const workshopBefore = ctx.data.workshop;
        ctx.data = { ...next, workshop: workshopBefore };
        people.render();
        renderBoards(ctx);
        renderOnline(ctx);
      }),
    ONLINE_EVERY,
  );
  poll(() => live(join.refresh), REQUESTS_EVERY);
  poll(() => live(days.refresh), DAYS_EVERY);
  poll(() => live(backups.refresh), BACKUPS_EVERY);
}

main().catch((error) => {
  console.error(error);
  toast(`The console could not be loaded: ${error.message}`);
});
