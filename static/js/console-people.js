// The participants panel: the table with invite links, the add form, edit, revoke, re-issue.

import { el, toast } from "./dom.js";
import { ROLE_LABEL, clearProblem, confirmDialog, formDialog, linkField, send, showProblem } from "./console-ui.js";

const ROLE_ORDER = { facilitator: 0, mayor: 1, expert: 2, observer: 3 };

export function setupPeople(ctx) {
  const body = document.querySelector("#people tbody");
  const count = document.getElementById("people-count");
  let shown = "";
  let highlight = null;

  function render(force = false) {
    const people = [...ctx.data.participants].sort(
      (a, b) => (ROLE_ORDER[a.role] ?? 9) - (ROLE_ORDER[b.role] ?? 9) || a.name.localeCompare(b.name),
    );
    const key = JSON.stringify(people);
    // The table is redrawn only when something changed: a redraw would drop a selection.
    if (!force && key === shown) return;
    shown = key;
    body.replaceChildren(...people.map(row));
    const active = people.filter((p) => !p.revoked);
    const mayors = active.filter((p) => p.role === "mayor").length;
    const experts = active.filter((p) => p.role === "expert").length;
    count.textContent = `${active.length} invited · ${mayors} ${mayors === 1 ? "mayor" : "mayors"} · ${experts} ${experts === 1 ? "expert" : "experts"}`;
    if (highlight) {
      const target = body.querySelector(`tr[data-id="${CSS.escape(highlight)}"]`);
      highlight = null;
      if (target) {
        target.classList.add("fresh");
        target.scrollIntoView({ block: "nearest" });
      }
    }
  }

  function row(p) {
    const self = p.id === ctx.me.id;
    const actions = [
      el("button", { type: "button", class: "edit", text: "Edit", on: { click: () => edit(p) } }),
      el("button", { type: "button", class: "reissue", text: "Re-issue", on: { click: () => reissue(p) } }),
    ];
    if (!p.revoked && !self) {
      actions.push(el("button", { type: "button", class: "revoke", text: "Revoke", on: { click: () => revoke(p) } }));
    }
    return el("tr", { class: p.revoked ? "revoked" : "", dataset: { id: p.id, role: p.role } }, [
      el("th", { scope: "row", class: "name" }, [el("span", { dir: "auto", text: p.name }), self ? el("span", { class: "you", text: " (you)" }) : null]),
      el("td", {}, [el("span", { class: `role-badge role-${p.role}`, text: ROLE_LABEL[p.role] || p.role })]),
      el("td", { class: "city", dir: "auto", text: p.city || "" }),
      el("td", { class: "org", dir: "auto", text: p.organisation || "" }),
      el("td", { class: "status" }, [
        el("span", { class: p.revoked ? "status-badge revoked" : "status-badge active", text: p.revoked ? "Revoked" : "Invited" }),
      ]),
      el("td", { class: "invite" }, [
        p.join_url ? linkField(p.join_url, `Invite link of ${p.name}`) : el("span", { class: "muted", text: "No link: revoked" }),
      ]),
      el("td", { class: "actions" }, actions),
    ]);
  }

  function replace(updated) {
    ctx.data.participants = ctx.data.participants.map((p) => (p.id === updated.id ? updated : p));
    highlight = updated.id;
    render();
    ctx.changed();
  }

  function edit(p) {
    formDialog({
      title: `Edit ${p.name}`,
      fields: [
        { name: "name", label: "Name", value: p.name, required: true },
        { name: "city", label: "City", value: p.city, list: "city-list" },
        { name: "organisation", label: "Organisation", value: p.organisation },
      ],
      save: async (values) => {
        const set = {};
        for (const [name, value] of Object.entries(values)) if (value !== (p[name] || "")) set[name] = value;
        if (Object.keys(set).length === 0) return;
        const { participant } = await send("PATCH", `/api/participants/${encodeURIComponent(p.id)}`, set);
        replace(participant);
        toast(`Saved ${participant.name}.`, "ok");
      },
    });
  }

  async function revoke(p) {
    const yes = await confirmDialog({
      title: `Revoke ${p.name}'s invitation?`,
      message: "Their link stops working and any board they have open disconnects at once. Re-issue gives them a new link later.",
      confirm: "Revoke",
      danger: true,
    });
    if (!yes) return;
    try {
      const { participant } = await send("POST", `/api/participants/${encodeURIComponent(p.id)}/revoke`);
      replace(participant);
      toast(`${participant.name} is revoked.`, "ok");
    } catch (error) {
      toast(error.message);
    }
  }

  async function reissue(p) {
    const yes = await confirmDialog({
      title: `A new link for ${p.name}?`,
      message: p.revoked
        ? "They get a new invite link and can come back in with it."
        : "Their current link stops working and they are signed out everywhere; send them the new link.",
      confirm: "Re-issue",
    });
    if (!yes) return;
    try {
      const { participant } = await send("POST", `/api/participants/${encodeURIComponent(p.id)}/reissue`);
      replace(participant);
      toast(`New link for ${participant.name}: copy it from the table.`, "ok");
    } catch (error) {
      toast(error.message);
    }
  }

  setupAddForm(ctx, (participant, board) => {
    ctx.data.participants = [...ctx.data.participants, participant];
    if (board) ctx.data.boards = [...ctx.data.boards, board];
    highlight = participant.id;
    render();
    ctx.changed();
  });

  return { render };
}

function setupAddForm(ctx, added) {
  const form = document.getElementById("add-person");
  const problem = document.getElementById("add-problem");
  const name = form.elements.name;
  const role = form.elements.role;
  const city = form.elements.city;
  const organisation = form.elements.organisation;
  const initiative = form.elements.initiative;
  const fields = new Map([
    ["name", { input: name, label: "Name" }],
    ["city", { input: city, label: "City" }],
    ["organisation", { input: organisation, label: "Organisation" }],
    ["initiative", { input: initiative, label: "Initiative" }],
  ]);
  let filled = ""; // the initiative we filled in from a seed city, replaced when the city changes

  function roleChanged() {
    const mayor = role.value === "mayor";
    form.classList.toggle("for-mayor", mayor);
    city.required = mayor;
    initiative.required = mayor;
    initiative.disabled = !mayor;
    if (!mayor && initiative.value === filled) initiative.value = filled = "";
  }
  role.addEventListener("change", roleChanged);
  roleChanged();

  city.addEventListener("input", () => {
    const seed = ctx.cities.get(city.value.trim());
    if (!seed || role.value !== "mayor") return;
    if (initiative.value.trim() === "" || initiative.value === filled) {
      initiative.value = filled = seed.initiative;
    }
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblem(problem);
    const body = {
      name: name.value.trim(),
      role: role.value,
      city: city.value.trim(),
      organisation: organisation.value.trim(),
    };
    if (role.value === "mayor") body.initiative = initiative.value.trim();
    const missing = [["name", "a name"]];
    if (role.value === "mayor") missing.push(["city", "a city"], ["initiative", "an initiative"]);
    for (const [field, what] of missing) {
      if (!body[field]) {
        showProblem(problem, { message: "", where: field, detail: `enter ${what}${field === "name" ? "" : " (mayors need one)"}.` }, fields);
        return;
      }
    }
    if (!(await confirmNamesake(ctx, body))) return;
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const { participant, board } = await send("POST", `/api/workshops/${encodeURIComponent(ctx.id)}/participants`, body);
      added(participant, board);
      toast(`Added ${participant.name}${board ? ` with the board “${board.title}”` : ""}.`, "ok");
      for (const input of [name, city, organisation, initiative]) input.value = "";
      filled = "";
      name.focus();
    } catch (error) {
      showProblem(problem, error, fields);
    } finally {
      submit.disabled = false;
    }
  });
}

const sameName = (a, b) => a.split(/\s+/).filter(Boolean).join(" ").toLowerCase() === b.split(/\s+/).filter(Boolean).join(" ").toLowerCase();

/** Someone of this name is in the workshop already: say who, and add only if that is meant
 * (two people may share a name; the room then tells them apart by city or organisation). */
async function confirmNamesake(ctx, body) {
  const namesakes = (ctx.data.participants || []).filter((p) => sameName(p.name, body.name));
  if (namesakes.length === 0) return true;
  const who = namesakes.map((p) => [p.role, p.city || p.organisation].filter(Boolean).join(", ")).join("; ");
  const identical = namesakes.some((p) => p.role === body.role && (p.city || "") === body.city && (p.organisation || "") === body.organisation);
  return confirmDialog({
    title: identical ? `${body.name} is already in this workshop` : `Another ${body.name}?`,
    message: identical
      ? `Someone named ${body.name} with the same role, city and organisation is already here (${who}). Add a second person exactly like them?`
      : `The workshop already has ${body.name} (${who}). Everyone will see the two told apart by city or organisation.`,
    confirm: "Add anyway",
  });
}
