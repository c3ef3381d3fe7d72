// The card dialog (add and edit) built from the template: the type picker, the text, and the
// fields of the chosen type in this section (money fields only in money sections). It returns
// values; the app turns them into an op. Also a small confirmation dialog.

import { el } from "./dom.js";

const ENUM_LABELS = { d30: "30 days", d60: "60 days", d90: "90 days" };

/**
 * openCardEditor({template, section, card, type, onSave}): card is null to add one.
 * onSave({type, text, fields}) returns null to close, or a sentence shown in the dialog.
 */
export function openCardEditor({ template, section, card = null, type = null, onSave, onClose }) {
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
  const text = el("textarea", { id: "card-text", name: "text", rows: 4, maxLength: template.textMax, required: true });
  text.value = card ? card.text : "";
  const fieldBox = el("div", { class: "type-fields" });
  const problem = el("p", { class: "form-problem", role: "alert" });
  const cancel = el("button", { type: "button", class: "secondary", text: "Cancel" });
  const save = el("button", { type: "submit", class: "primary", text: card ? "Save" : "Add card" });
  const swatch = el("span", { class: "swatch", "aria-hidden": "true" });

  const form = el("form", { method: "dialog", class: "card-form" }, [
    el("h2", { text: card ? `Edit card · ${sectionInfo.title}` : `Add a card · ${sectionInfo.title}` }),
    el("div", { class: "row" }, [el("label", { for: "card-type", text: "Type" }), el("div", { class: "type-row" }, [swatch, typeSelect])]),
    el("div", { class: "row" }, [el("label", { for: "card-text", text: "Text" }), text]),
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
    fieldBox.replaceChildren(
      ...Object.entries(template.fieldsFor(currentType, section)).map(([name, spec]) =>
        fieldRow(name, spec, values.has(name) ? values.get(name) : null),
      ),
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
      const value = values.get(name);
      fields[name] = value === undefined || value === "" ? null : value;
    }
    const invalid = fieldBox.querySelector(":invalid");
    if (invalid) {
      problem.textContent = `Check "${invalid.closest(".row")?.querySelector("label")?.textContent}".`;
      invalid.focus();
      return;
    }
    const message = onSave({ type: currentType, text: text.value, fields });
    if (message) problem.textContent = message;
    else dialog.close();
  });
  dialog.addEventListener("close", () => {
    dialog.remove();
    onClose?.();
  });

  showFields();
  document.body.append(dialog);
  dialog.showModal();
  text.focus();
  return dialog;
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
    input = el("input", { id, type: "text", maxLength: spec.max ?? 500 });
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

/** Ask before something that cannot be undone. Resolves true when confirmed. */
export function confirmDialog({ title, message, confirm = "Delete" }) {
  return new Promise((resolve) => {
    const no = el("button", { type: "button", class: "secondary", text: "Cancel" });
    const yes = el("button", { type: "button", class: "danger", text: confirm });
    const dialog = el("dialog", { class: "confirm", role: "alertdialog", "aria-label": title }, [
      el("h2", { text: title }),
      el("p", { class: "confirm-text", text: message }),
      el("div", { class: "buttons" }, [no, yes]),
    ]);
    let answer = false;
    no.addEventListener("click", () => dialog.close());
    yes.addEventListener("click", () => {
      answer = true;
      dialog.close();
    });
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    no.focus(); // the safe choice is the default
  });
}
