// The card dialog (add and edit) built from the template: the type picker, the text, and the
// fields of the chosen type in this section (money fields only in money sections). It returns
// values; the app turns them into an op. Also a small confirmation dialog.
//
// Editing a card that exists, its text (and the text fields of its own type) is shared live:
// each keystroke goes to the sync layer (BoardSync.openText), which sends it as text.splice
// merged with everyone else's typing, and their typing appears in the field as it arrives,
// the cursor and selection carried over it. Saving then sends only the other fields. Ctrl+Z in
// such a field undoes the person's own typing a run at a time (textundo.js); when the dialog
// closes, that typing becomes one step of the board's undo (`onTyped`).

import { el } from "./dom.js";
import { transformIndex } from "./text.js";
import { TypingHistory, undoKey } from "./textundo.js";

const ENUM_LABELS = { d30: "30 days", d60: "60 days", d90: "90 days" };

/**
 * openCardEditor({template, section, card, type, onSave, live}): card is null to add one.
 * onSave({type, text, fields, live}) returns null to close, or a sentence shown in the dialog;
 * `live` names the fields shared as typed (not to be saved again).
 * live(field): a live text handle for a field of `card` (BoardSync.openText), or null.
 * onTyped({field, from, to}): on closing, per field typed into: its text, and the text with
 * all that typing undone.
 */
export function openCardEditor({ template, section, card = null, type = null, onSave, onClose, live = null, onTyped = null }) {
  const sectionInfo = template.sections.get(section);
  let currentType = card ? card.type : type || sectionInfo.typical?.[0] || "idea";
  // Field values typed so far, kept across type changes so switching back loses nothing.
  const values = new Map(card ? Object.entries(card) : []);

  const typeSelect = el(
    "select",
    { id: "card-type", name: "type" },
    [...template.cardTypes].map(([id, t]) => el("option", { value: id, text: `${t.icon}  ${t.label}` })),
  );
  typeSelect.value = currentType;
  const text = el("textarea", { id: "card-text", name: "text", dir: "auto", rows: 4, maxLength: template.textMax, required: true });
  text.value = card ? card.text : "";
  // Live text handles by field name, while the dialog is open, and their typing histories.
  const handles = new Map();
  const histories = new Map();
  const textHandle = card && live ? live("text") : null;
  const fieldBox = el("div", { class: "type-fields" });
  const problem = el("p", { class: "form-problem", role: "alert" });
  const share = (input, name, handle) => {
    handles.set(name, handle);
    if (!histories.has(name)) histories.set(name, new TypingHistory());
    bindLive(input, handle, problem, histories.get(name));
  };
  if (textHandle) share(text, "text", textHandle);
  // Typing is saved as it goes: closing the dialog only drops unsaved changes of other fields.
  const cancel = el("button", { type: "button", class: "secondary", text: textHandle ? "Close" : "Cancel" });
  const save = el("button", { type: "submit", class: "primary", text: card ? "Save" : "Add card" });
  const swatch = el("span", { class: "swatch", "aria-hidden": "true" });

  const form = el("form", { method: "dialog", class: "card-form" }, [
    el("h2", { text: card ? `Edit card · ${sectionInfo.title}` : `Add a card · ${sectionInfo.title}` }),
    el("div", { class: "row" }, [el("label", { for: "card-type", text: "Type" }), el("div", { class: "type-row" }, [swatch, typeSelect])]),
    el("div", { class: "row" }, [el("label", { for: "card-text", text: "Text" }), text]),
    textHandle
      ? el("p", { class: "live-hint", id: "card-text-hint", text: "Shared as you type: everyone sees your typing, and theirs appears here." })
      : null,
    fieldBox,
    problem,
    el("div", { class: "buttons" }, [cancel, save]),
  ]);
  const dialog = el("dialog", { class: "editor", "aria-label": card ? "Edit card" : "Add a card" }, [form]);

  function remember() {
    for (const input of fieldBox.querySelectorAll("[data-field]")) values.set(input.dataset.field, readInput(input));
  }

  function showFields() {
    const t = template.cardTypes.get(currentType);
    swatch.style.background = t.color;
    // The card's own text fields are live while the dialog shows the card's own type.
    for (const [name, handle] of handles) {
      if (name === "text") continue;
      finish(name, handle);
      handles.delete(name);
    }
    fieldBox.replaceChildren(
      ...Object.entries(template.fieldsFor(currentType, section)).map(([name, spec]) => {
        const row = fieldRow(name, spec, values.has(name) ? values.get(name) : null);
        const handle = spec.kind === "text" && textHandle && currentType === card.type ? live(name) : null;
        if (handle) share(row.querySelector("[data-field]"), name, handle);
        return row;
      }),
    );
  }

  typeSelect.addEventListener("change", () => {
    remember();
    currentType = typeSelect.value;
    showFields();
  });
  cancel.addEventListener("click", () => dialog.close());
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    remember();
    const fields = {};
    for (const name of Object.keys(template.fieldsFor(currentType, section))) {
      if (handles.has(name)) continue; // saved as typed
      const value = values.get(name);
      fields[name] = value === undefined || value === "" ? null : value;
    }
    const invalid = fieldBox.querySelector(":invalid");
    if (invalid) {
      problem.textContent = `Check "${invalid.closest(".row")?.querySelector("label")?.textContent}".`;
      invalid.focus();
      return;
    }
    const message = onSave({ type: currentType, text: text.value, fields, live: new Set(handles.keys()) });
    if (message) problem.textContent = message;
    else dialog.close();
  });
  /** Typing in a field is over: its edits go out, and it becomes one step of the board's undo. */
  function finish(name, handle) {
    const history = histories.get(name);
    if (onTyped && history && !history.empty && handle.text !== null) {
      onTyped({ field: name, from: handle.text, to: history.undoneAll(handle.text) });
    }
    histories.delete(name);
    handle.close();
  }
  dialog.addEventListener("close", () => {
    for (const [name, handle] of handles) finish(name, handle);
    handles.clear();
    dialog.remove();
    onClose?.();
  });

  showFields();
  document.body.append(dialog);
  dialog.showModal();
  text.focus();
  return dialog;
}

// Selections count UTF-16 units, the shared text counts code points (as the server does).
const codePoints = (text, units) => [...text.slice(0, units)].length;
const units = (text, points) => [...text].slice(0, points).join("").length;

/**
 * Share what a person types in `input` through a live text handle, and show in it what others
 * type: the value is replaced, the selection carried over their change, the scroll kept.
 * Ctrl+Z / Ctrl+Shift+Z (and the browser's own Undo) step through `history`, this person's runs.
 */
function bindLive(input, handle, problem, history) {
  input.value = handle.text;
  input.addEventListener("input", () => {
    const before = handle.text;
    const cursor = codePoints(input.value, input.selectionEnd);
    const message = handle.edit(input.value, cursor);
    if (message === null) {
      history.record(before, handle.text, cursor);
      return;
    }
    // Refused (the section was locked, the card deleted…): back to the text as it is.
    const at = codePoints(input.value, input.selectionStart);
    input.value = handle.text;
    const back = units(input.value, Math.min(at, [...input.value].length));
    input.setSelectionRange(back, back);
    problem.textContent = message;
  });
  const step = (which) => {
    const found = which === "undo" ? history.undo(handle.text) : history.redo(handle.text);
    if (found === null) return;
    const message = handle.edit(found.text, found.cursor);
    if (message !== null) {
      problem.textContent = message;
      return;
    }
    found.commit();
    input.value = handle.text;
    const at = units(input.value, found.cursor);
    input.setSelectionRange(at, at);
  };
  input.addEventListener("keydown", (e) => {
    const which = undoKey(e);
    if (which === null) return;
    e.preventDefault(); // never the browser's own undo: it knows nothing of others' typing
    step(which);
  });
  input.addEventListener("beforeinput", (e) => {
    if (e.inputType !== "historyUndo" && e.inputType !== "historyRedo") return;
    e.preventDefault();
    step(e.inputType === "historyUndo" ? "undo" : "redo");
  });
  handle.onRemote = (value, change) => {
    if (change) history.remote(change);
    else history.clear();
    if (value === null) {
      input.disabled = true;
      problem.textContent = "This card was deleted or hidden meanwhile.";
      return;
    }
    const old = input.value;
    const [start, end] = [input.selectionStart, input.selectionEnd].map((u) => codePoints(old, u));
    const direction = input.selectionDirection;
    const scroll = input.scrollTop;
    const carry = (at) => (change ? transformIndex(change, at) : Math.min(at, [...value].length));
    input.value = value;
    input.setSelectionRange(units(value, carry(start)), units(value, carry(end)), direction);
    input.scrollTop = scroll;
  };
}

function fieldRow(name, spec, value) {
  const id = `field-${name}`;
  let input;
  if (spec.kind === "enum") {
    input = el("select", { id }, [
      el("option", { value: "", text: "—" }),
      ...spec.values.map((v) => el("option", { value: v, text: ENUM_LABELS[v] || v.replaceAll("_", " ") })),
    ]);
    input.value = value ?? "";
  } else if (spec.kind === "int") {
    const options = [];
    for (let n = spec.min; n <= spec.max; n += 1) options.push(el("option", { value: String(n), text: String(n) }));
    input = el("select", { id }, [el("option", { value: "", text: "—" }), ...options]);
    input.value = value === null ? "" : String(value);
  } else if (spec.kind === "bool") {
    input = el("select", { id }, [
      el("option", { value: "", text: "—" }),
      el("option", { value: "true", text: "Yes" }),
      el("option", { value: "false", text: "No" }),
    ]);
    input.value = value === null ? "" : String(value);
  } else if (spec.kind === "number") {
    input = el("input", { id, type: "number", step: "any", min: spec.min ?? "", inputMode: "decimal" });
    input.value = value === null ? "" : String(value);
  } else if (spec.kind === "date") {
    input = el("input", { id, type: "date" });
    input.value = value ?? "";
  } else if (spec.kind === "url") {
    input = el("input", { id, type: "url", placeholder: "https://…", pattern: "(https?://|mailto:).+" });
    input.value = value ?? "";
  } else {
    input = el("input", { id, type: "text", dir: "auto", maxLength: spec.max ?? 500 });
    input.value = value ?? "";
  }
  input.dataset.field = name;
  input.dataset.kind = spec.kind;
  return el("div", { class: "row" }, [el("label", { for: id, text: spec.label }), input]);
}

/** The value of a field input in the type of its template kind; null when left empty. */
function readInput(input) {
  const raw = input.value.trim();
  if (raw === "") return null;
  switch (input.dataset.kind) {
    case "int":
      return Number.parseInt(raw, 10);
    case "number":
      return Number(raw);
    case "bool":
      return raw === "true";
    default:
      return raw;
  }
}
