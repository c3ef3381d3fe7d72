// Joining with the room's code, for someone who lost their invite link: type the code shown
// on the projector, pick your name, wait until the facilitator approves, and go to your page.
// The request is tied to this browser by an HttpOnly cookie the server sets; this page only
// polls "my request" until it is answered. It shows the short code the facilitator checks:
// several laptops may ask to be the same person, and only the code read out tells them apart.

import { el } from "./dom.js";

const POLL_MS = 1500;
const ASKED = "brickboard:join-asked"; // this tab asked to join as (name)
const STEPS = ["step-code", "step-name", "step-wait", "step-denied"];
const ROLE = { facilitator: "Facilitator", mayor: "Mayor", expert: "Expert", observer: "Observer" };
const ROLE_ORDER = { mayor: 0, expert: 1, facilitator: 2, observer: 3 };

const $ = (id) => document.getElementById(id);
let code = "";
let pollTimer = null;

/** Our API without redirects: {ok, status, data}; the message of an error is in data. */
async function api(method, url, body) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  try {
    const response = await fetch(url, init);
    const data = await response.json().catch(() => null);
    return { ok: response.ok, status: response.status, data, message: data?.error?.message || `The server answered ${response.status}.` };
  } catch {
    return { ok: false, status: 0, data: null, message: "The board's server cannot be reached from this laptop; check the room's Wi-Fi." };
  }
}

function show(step) {
  for (const id of STEPS) $(id).hidden = id !== step;
  if (step !== "step-wait") stopPolling();
  $(step).querySelector("h1")?.focus();
}

/** The room's code as people type it: any case, with spaces or dashes. */
function normalise(text) {
  return text.replace(/[\s-]+/g, "").toUpperCase();
}

async function lookUp(event) {
  event.preventDefault();
  const problem = $("code-problem");
  const input = $("code");
  problem.textContent = "";
  const typed = normalise(input.value);
  if (!typed) {
    problem.textContent = "Type the code shown on the projector.";
    input.focus();
    return;
  }
  const button = event.target.querySelector("button[type=submit]");
  button.disabled = true;
  const answer = await api("GET", `/api/join/${encodeURIComponent(typed)}`);
  button.disabled = false;
  if (!answer.ok) {
    problem.textContent = answer.message;
    input.focus();
    input.select();
    return;
  }
  code = typed;
  showNames(answer.data);
}

function showNames({ workshop, people }) {
  $("name-workshop").textContent = workshop.title;
  $("name-problem").textContent = "";
  $("name-filter").value = "";
  const sorted = [...people].sort((a, b) => (ROLE_ORDER[a.role] ?? 9) - (ROLE_ORDER[b.role] ?? 9) || a.name.localeCompare(b.name));
  $("names").replaceChildren(
    ...sorted.map((p) =>
      el("li", { dataset: { search: `${p.name} ${p.city || ""}`.toLowerCase() } }, [
        el("button", { type: "button", class: "name-choice", on: { click: () => ask(p) } }, [
          el("span", { class: "name", dir: "auto", text: p.name }),
          el("span", { class: "detail" }, [ROLE[p.role] || p.role, p.city ? " · " : "", p.city ? el("span", { dir: "auto", text: p.city }) : ""]),
        ]),
      ]),
    ),
  );
  if (people.length === 0) $("names").append(el("li", { class: "none", text: "Nobody is on this workshop's list yet; speak to the facilitator." }));
  show("step-name");
}

function filterNames() {
  const words = $("name-filter").value.toLowerCase().split(/\s+/).filter(Boolean);
  for (const item of $("names").children) {
    const text = item.dataset.search;
    if (text !== undefined) item.hidden = !words.every((w) => text.includes(w));
  }
}

async function ask(person) {
  $("name-problem").textContent = "";
  for (const button of $("names").querySelectorAll("button")) button.disabled = true;
  const answer = await api("POST", `/api/join/${encodeURIComponent(code)}`, { participant: person.id });
  for (const button of $("names").querySelectorAll("button")) button.disabled = false;
  if (answer.status === 409) {
    // This laptop is already asking (another tab, or before a reload): wait for that one.
    const mine = await api("GET", "/api/join-requests/mine");
    if (mine.ok && mine.data.status === "pending") {
      sessionStorage.setItem(ASKED, mine.data.name);
      waitFor(mine.data.name, mine.data.code);
      return;
    }
  }
  if (!answer.ok) {
    $("name-problem").textContent = answer.message;
    return;
  }
  sessionStorage.setItem(ASKED, person.name);
  waitFor(person.name, answer.data.code);
}

function waitFor(name, shortCode) {
  $("wait-who").replaceChildren(...(name ? ["You asked to join as ", el("span", { dir: "auto", text: name }), "."] : ["You asked to join this workshop."]));
  $("wait-code").textContent = shortCode || "—";
  $("wait-status").textContent = "Waiting for approval…";
  show("step-wait");
  stopPolling();
  pollTimer = setTimeout(check, POLL_MS);
}

function stopPolling() {
  clearTimeout(pollTimer);
  pollTimer = null;
}

/** One look at this browser's request; schedules the next while it is pending. */
async function check() {
  const answer = await api("GET", "/api/join-requests/mine");
  if (answer.ok) {
    const { status, redirect } = answer.data;
    if (status !== "pending") sessionStorage.removeItem(ASKED);
    if (status === "approved") {
      $("wait-status").textContent = "Approved: opening your page…";
      location.assign(redirect || "/");
      return;
    }
    if (status === "denied") {
      show("step-denied");
      return;
    }
    if (status === "used") {
      location.assign("/"); // approved and already collected (another tab): home decides
      return;
    }
    $("wait-status").textContent = "Waiting for approval…";
  } else if (answer.status === 404) {
    sessionStorage.removeItem(ASKED);
    $("code-problem").textContent = `${answer.message} Type the room's code again.`;
    show("step-code");
    return;
  } else {
    $("wait-status").textContent = `Still waiting (${answer.message})`;
  }
  pollTimer = setTimeout(check, POLL_MS);
}

async function start() {
  $("code-form").addEventListener("submit", lookUp);
  $("name-filter").addEventListener("input", filterNames);
  $("name-back").addEventListener("click", () => show("step-code"));
  $("wait-back").addEventListener("click", async () => {
    stopPolling();
    await api("DELETE", "/api/join-requests/mine"); // one pending request per laptop: free it
    sessionStorage.removeItem(ASKED);
    show("step-code");
  });
  $("denied-again").addEventListener("click", () => {
    $("code").value = code;
    show("step-code");
  });
  const given = new URLSearchParams(location.search).get("code");
  if (given) $("code").value = normalise(given);

  // A request from this browser still open (the page was reloaded): carry on waiting. Only
  // asked when this tab made one, so a first visit makes no request that answers 404.
  const asked = sessionStorage.getItem(ASKED);
  if (asked !== null) {
    const mine = await api("GET", "/api/join-requests/mine");
    if (mine.ok && mine.data.status === "pending") {
      waitFor(mine.data.name || asked, mine.data.code);
      return;
    }
    if (mine.ok && mine.data.status === "approved" && mine.data.redirect) {
      location.assign(mine.data.redirect);
      return;
    }
    if (mine.ok && mine.data.status === "denied") {
      show("step-denied");
      return;
    }
    sessionStorage.removeItem(ASKED);
  }
  $("code").focus();
}

start();
