// The panels that follow the room: boards, who is online, join requests and the room's code,
// and the session days (close a day, snapshot, exports).

import { el, getJSON, toast } from "./dom.js";
import { ROLE_LABEL, clearProblem, confirmDialog, dayLabel, send, showProblem, timeLabel, whenLabel } from "./console-ui.js";

let boardsShown = "";

export function renderBoards(ctx) {
  const body = document.querySelector("#boards tbody");
  const key = JSON.stringify([ctx.data.boards, ctx.data.participants]);
  if (key === boardsShown) return; // unchanged: keep the links as they are (focus, hover)
  boardsShown = key;
  const names = new Map(ctx.data.participants.map((p) => [p.id, p]));
  const rows = ctx.data.boards.map((b) => {
    const mayor = names.get(b.mayor);
    const id = encodeURIComponent(b.id);
    return el("tr", { dataset: { board: b.id } }, [
      el("th", { scope: "row", dir: "auto", text: b.city || "—" }),
      el("td", { dir: "auto", text: b.initiative || b.title }),
      el("td", { class: mayor?.revoked ? "muted" : "" }, [mayor ? el("span", { dir: "auto", text: mayor.name }) : "—", mayor?.revoked ? " (revoked)" : ""]),
      el("td", { class: "links" }, [
        el("a", { href: `/boards/${id}`, text: "Open board" }),
        el("a", { href: `/boards/${id}/history`, text: "History" }),
      ]),
    ]);
  });
  if (rows.length === 0) rows.push(el("tr", {}, [el("td", { colspan: 4, class: "none", text: "No boards yet: add a mayor with an initiative." })]));
  body.replaceChildren(...rows);
}

export function renderOnline(ctx) {
  const list = document.getElementById("online");
  const boards = new Map(ctx.data.boards.map((b) => [b.id, b]));
  const sections = new Map(ctx.template.sections.map((s) => [s.id, s.title]));
  const people = [...ctx.data.online].sort(
    (a, b) => String(a.board).localeCompare(String(b.board)) || a.name.localeCompare(b.name),
  );
  const where = (p) => {
    if (p.board === ctx.stage) return "The stage";
    const board = boards.get(p.board);
    return board ? board.city || board.title : "A board";
  };
  list.replaceChildren(
    ...people.map((p) => {
      const section = p.focus?.section ? sections.get(p.focus.section) || p.focus.section : null;
      return el("li", { class: "online-person" }, [
        el("span", { class: "who" }, [
          el("span", { class: "name", dir: "auto", text: p.name }),
          el("span", { class: `role-badge role-${p.role}`, text: ROLE_LABEL[p.role] || p.role }),
        ]),
        el("span", { class: "where" }, [
          el("span", { class: "board", dir: "auto", text: where(p) }),
          section ? el("span", { class: "section", text: ` · ${section}` }) : null,
        ]),
      ]);
    }),
  );
  if (people.length === 0) list.append(el("li", { class: "none", text: "Nobody has a board open right now." }));
  const unique = new Set(people.map((p) => p.id)).size;
  document.getElementById("online-updated").textContent =
    `${unique} ${unique === 1 ? "person" : "people"} · updated ${new Date().toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" })}`;
}

/** The room's code, "Show on projector", "New code", and the pending requests. */
export function setupJoin(ctx) {
  const codeBox = document.getElementById("join-code");
  const urlBox = document.getElementById("join-url");
  const list = document.getElementById("join-requests");
  const base = `/api/workshops/${encodeURIComponent(ctx.id)}`;
  let shown = null;

  function showCode(code, url) {
    codeBox.textContent = code || "—";
    if (url) urlBox.textContent = url;
  }

  function render(requests) {
    const key = JSON.stringify(requests);
    if (key === shown) return; // keep the focus on a button while nothing changes
    shown = key;
    list.replaceChildren(...requests.map(request));
    if (requests.length === 0) list.append(el("li", { class: "none", text: "No one is waiting." }));
    document.getElementById("join-heading").textContent = requests.length ? `Join requests (${requests.length})` : "Join requests";
  }

  function request(r) {
    const approve = el("button", { type: "button", class: "primary approve", text: "Approve" });
    const deny = el("button", { type: "button", class: "deny", text: "Deny" });
    const device = [r.device, r.address].filter(Boolean).join(" · ");
    const decide = async (decision) => {
      if (decision === "approve" && r.code) {
        // The room's code is on the projector: only the code on the asker's own screen,
        // read out in the room, tells the right laptop from another one asking as them.
        const yes = await confirmDialog({
          title: `Let ${r.name} in?`,
          message: `Approve only if the person asking reads out the code on their screen: ${r.code.split("").join(" ")}.${device ? ` Their laptop: ${device}.` : ""}`,
          confirm: "Approve",
        });
        if (!yes) return;
      }
      approve.disabled = deny.disabled = true;
      try {
        await send("POST", `/api/join-requests/${encodeURIComponent(r.id)}/${decision}`);
        toast(decision === "approve" ? `${r.name} is let in.` : `${r.name}'s request is denied.`, "ok");
      } catch (error) {
        toast(error.message);
      }
      await refresh();
    };
    approve.addEventListener("click", () => decide("approve"));
    deny.addEventListener("click", () => decide("deny"));
    return el("li", { class: "request", dataset: { id: r.id } }, [
      el("span", { class: "who" }, [
        el("span", { class: "name", dir: "auto", text: r.name }),
        el("span", { class: `role-badge role-${r.role}`, text: ROLE_LABEL[r.role] || r.role }),
        el("span", { class: "muted when", text: `asked at ${timeLabel(r.created_at, ctx.data.workshop.timezone)}` }),
        device ? el("span", { class: "muted device", text: device }) : null,
        r.code
          ? el("span", { class: "request-code", "aria-label": `code ${r.code.split("").join(" ")}` }, [
              el("span", { class: "label", text: "Code " }),
              el("strong", { text: r.code }),
            ])
          : null,
        r.role === "facilitator"
          ? el("span", { class: "warn", text: "Asks for the facilitator's access: approve only if it is really them." })
          : null,
      ]),
      el("span", { class: "decide" }, [approve, deny]),
    ]);
  }

  async function refresh() {
    const { requests } = await getJSON(`${base}/join-requests`);
    render(requests);
  }

  document.getElementById("new-code").addEventListener("click", async () => {
    const yes = await confirmDialog({
      title: "Make a new join code?",
      message: "The current code stops working at once; the projector's join screen shows the new one within a few seconds.",
      confirm: "New code",
    });
    if (!yes) return;
    try {
      const { code, url } = await send("POST", `${base}/join-code`);
      showCode(code, url);
      toast("A new join code is in use.", "ok");
    } catch (error) {
      toast(error.message);
    }
  });

  showCode(ctx.data.join_code, null);
  render(ctx.data.join_requests || []);
  getJSON(`${base}/join-code`)
    .then(({ code, url }) => showCode(code, url))
    .catch((error) => toast(error.message));
  return { refresh, showCode };
}

/** Close Day N, snapshot every board, and the workshop's downloads. */
export function setupDays(ctx) {
  const list = document.getElementById("day-closes");
  const base = `/api/workshops/${encodeURIComponent(ctx.id)}`;
  document.getElementById("zip-link").href = `${base}/export.zip`;
  document.getElementById("preread-link").href = `${base}/pre-read.html`;

  async function refresh() {
    const { days, current, timezone } = await getJSON(`${base}/days`);
    list.replaceChildren(...days.map((d) => dayRow(d, d.day === current, timezone)));
    if (days.length === 0) list.append(el("li", { class: "none", text: "Set the dates of the days under Workshop first." }));
  }

  function dayRow(d, today, timezone) {
    const label = el("span", { class: "day-name" }, [
      el("strong", { text: `Day ${d.day}` }),
      ` · ${dayLabel(d.date)}`,
      today ? el("span", { class: "today", text: "Today" }) : null,
    ]);
    if (d.closed) {
      const how = d.closed.automatic ? "closed automatically" : "closed";
      return el("li", { class: "day-row closed", dataset: { day: String(d.day) } }, [
        label,
        el("span", { class: "closed-at", text: `✓ ${how} ${whenLabel(d.closed.closed_at, timezone)}` }),
      ]);
    }
    const button = el("button", { type: "button", class: "close-day", text: `Close Day ${d.day}` });
    button.addEventListener("click", async () => {
      const yes = await confirmDialog({
        title: `Close Day ${d.day}?`,
        message: "A snapshot of every board is kept as the end of this day. A day closes once.",
        confirm: `Close Day ${d.day}`,
      });
      if (!yes) return;
      button.disabled = true;
      try {
        const { snapshots } = await send("POST", `${base}/days/${d.day}/close`);
        toast(`Day ${d.day} is closed: ${snapshots.length} boards kept.`, "ok");
      } catch (error) {
        toast(error.message);
      }
      await refresh().catch((error) => toast(error.message));
    });
    return el("li", { class: "day-row", dataset: { day: String(d.day) } }, [label, button]);
  }

  const form = document.getElementById("snapshot-form");
  const problem = document.getElementById("snapshot-problem");
  const label = form.elements.label;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblem(problem);
    const fields = new Map([["label", { input: label, label: "Label" }]]);
    if (!label.value.trim()) {
      showProblem(problem, { where: "label", detail: "name the snapshot, e.g. “Before the report-out”." }, fields);
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const { snapshots } = await send("POST", `${base}/snapshots`, { label: label.value.trim() });
      toast(`Snapshot “${label.value.trim()}” kept for ${snapshots.length} boards.`, "ok");
      label.value = "";
    } catch (error) {
      showProblem(problem, error, fields);
    } finally {
      button.disabled = false;
    }
  });

  return { refresh };
}
