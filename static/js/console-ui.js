// Small pieces the console's panels share: requests that change things, problems shown next
// to the field the server named, confirmations, copying a link, dates in the workshop's zone.

import { confirmDialog as askToConfirm, el, toast } from "./dom.js";

/** An error answered by our API: its sentence, its code, and the field it names, if any. */
export class ApiError extends Error {
  constructor(message, code = "", status = 0) {
    super(message);
    this.code = code;
    this.status = status;
    // Validation errors read "Invalid request at 'days.0.date': Input should be …".
    const found = /^Invalid request at '([^']+)': (.*)$/s.exec(message);
    this.where = found ? found[1] : null;
    this.detail = found ? found[2] : message;
  }
}

/** A state-changing request: JSON both ways, same origin (the session cookie goes along). */
export async function send(method, url, body = {}) {
  let response;
  try {
    response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError("The server cannot be reached; check the connection and try again.");
  }
  if (response.status === 401) {
    location.assign("/");
    throw new ApiError("You are not signed in any more.", "unauthorized", 401);
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = data?.error;
    throw new ApiError(error?.message || `The server answered ${response.status}.`, error?.code, response.status);
  }
  return data;
}

/**
 * Show a problem under a form. `fields` maps request paths ("title", "days.0.agenda.1.minutes")
 * to {input, label}: the field the server named is marked and focused, and the sentence names
 * it the way the form does.
 */
export function showProblem(box, error, fields = new Map()) {
  clearMarks(box.closest("form") || document);
  let message = error.message;
  if (error.where) {
    const parts = error.where.split(".");
    for (let n = parts.length; n > 0; n -= 1) {
      const field = fields.get(parts.slice(0, n).join("."));
      if (!field) continue;
      field.input.classList.add("invalid");
      field.input.setAttribute("aria-invalid", "true");
      field.input.focus();
      message = `${field.label}: ${error.detail}`;
      break;
    }
  }
  box.textContent = message;
}

export function clearProblem(box) {
  box.textContent = "";
  clearMarks(box.closest("form") || document);
}

function clearMarks(root) {
  for (const node of root.querySelectorAll(".invalid")) {
    node.classList.remove("invalid");
    node.removeAttribute("aria-invalid");
  }
}

/** The console's confirmations: the shared dialog with the console's dialog styling. */
export function confirmDialog(options) {
  return askToConfirm({ dialogClass: "console-dialog", ...options });
}

/**
 * A small form in a dialog. `fields`: [{name, label, value, maxlength, required}];
 * `save(values)` returns a promise: resolved closes the dialog, rejected shows its message.
 */
export function formDialog({ title, fields, submit = "Save", save }) {
  const inputs = new Map();
  const rows = fields.map((f) => {
    const input = el("input", {
      id: `dialog-${f.name}`,
      name: f.name,
      value: f.value ?? "",
      dir: "auto",
      maxLength: f.maxlength ?? 200,
      required: f.required,
      autocomplete: "off",
    });
    if (f.list) input.setAttribute("list", f.list);
    inputs.set(f.name, { input, label: f.label });
    return el("div", { class: "row" }, [el("label", { for: input.id, text: f.label }), input]);
  });
  const problem = el("p", { class: "form-problem", role: "alert" });
  const cancel = el("button", { type: "button", text: "Cancel" });
  const ok = el("button", { type: "submit", class: "primary", text: submit });
  const form = el("form", { class: "card-form", method: "dialog", novalidate: true }, [
    ...rows,
    problem,
    el("div", { class: "buttons" }, [cancel, ok]),
  ]);
  const dialog = el("dialog", { class: "console-dialog edit-dialog", "aria-label": title }, [el("h2", { text: title }), form]);
  cancel.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => dialog.remove());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries([...inputs].map(([name, f]) => [name, f.input.value.trim()]));
    ok.disabled = true;
    try {
      await save(values);
      dialog.close();
    } catch (error) {
      showProblem(problem, error, inputs);
    } finally {
      ok.disabled = false;
    }
  });
  document.body.append(dialog);
  dialog.showModal();
  fields.length && inputs.get(fields[0].name).input.select();
  return dialog;
}

/** Copy an input's text: the clipboard API where the page is a secure context, otherwise
 * select the text (and try the old copy command) so Ctrl+C finishes the job. */
export async function copyFrom(input, button) {
  const text = input.value;
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      flash(button, "Copied ✓");
      return;
    } catch {
      // Not allowed here (permissions, focus): fall back to selecting.
    }
  }
  input.focus();
  input.select();
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch {
    copied = false;
  }
  if (copied) flash(button, "Copied ✓");
  else toast("The link is selected: press Ctrl+C (⌘C on a Mac) to copy it.", "info");
}

function flash(button, text) {
  const before = button.dataset.label || button.textContent;
  button.dataset.label = before;
  button.textContent = text;
  setTimeout(() => {
    button.textContent = before;
  }, 2000);
}

/** A link in a read-only field with a Copy button next to it. */
export function linkField(url, label) {
  const input = el("input", { class: "link", value: url, readOnly: true, "aria-label": label });
  input.addEventListener("focus", () => input.select());
  const button = el("button", { type: "button", class: "copy", text: "Copy" });
  button.addEventListener("click", () => copyFrom(input, button));
  return el("div", { class: "link-field" }, [input, button]);
}

/** "Tue, Mar 9, 2027" for a calendar date "2027-03-09" (no time zone shift). */
export function dayLabel(isoDate) {
  if (!isoDate) return "";
  const date = new Date(`${isoDate}T12:00:00Z`);
  if (Number.isNaN(date.getTime())) return isoDate;
  return date.toLocaleDateString(undefined, { timeZone: "UTC", weekday: "short", month: "short", day: "numeric", year: "numeric" });
}

/** A moment as the room's clock shows it, in the workshop's time zone when it is valid. */
export function whenLabel(iso, timeZone) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const options = { weekday: "short", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
  try {
    return date.toLocaleString(undefined, { ...options, timeZone, timeZoneName: "short" });
  } catch {
    return date.toLocaleString(undefined, options);
  }
}

/** The time of day of a moment (a join request is minutes old), in the workshop's zone. */
export function timeLabel(iso, timeZone) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso || "";
  const options = { hour: "2-digit", minute: "2-digit" };
  try {
    return date.toLocaleTimeString(undefined, { ...options, timeZone });
  } catch {
    return date.toLocaleTimeString(undefined, options);
  }
}

export const ROLE_LABEL = { facilitator: "Facilitator", mayor: "Mayor", expert: "Expert", observer: "Observer" };

/** Run `task` every `ms` while the page is visible, and at once when it becomes visible. */
export function poll(task, ms) {
  let timer = null;
  let running = false;
  async function tick() {
    clearTimeout(timer);
    if (document.visibilityState === "visible" && !running) {
      running = true;
      try {
        await task();
      } finally {
        running = false;
      }
    }
    timer = setTimeout(tick, ms);
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") tick();
  });
  timer = setTimeout(tick, ms);
  return { now: tick };
}
