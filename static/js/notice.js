// One clearly visible message at the top of the board: a refused edit says why, in the
// reducer's or the server's own sentence, and stays until read (or 12 seconds pass).

import { el } from "./dom.js";

let box = null;
let timer = 0;

function hide() {
  clearTimeout(timer);
  if (box) box.hidden = true;
}

/** Show `message` (kind "error" or "info"), replacing the one shown before. */
export function notify(message, kind = "error") {
  if (!box) {
    box = el("div", { id: "notice", class: "notice", role: "alert", hidden: true });
    document.body.append(box);
  }
  box.className = `notice notice-${kind}`;
  box.replaceChildren(
    el("span", { class: "notice-icon", "aria-hidden": "true", text: kind === "error" ? "⚠" : "ℹ" }),
    el("span", { class: "notice-text", text: message }),
    el("button", { type: "button", class: "notice-close", text: "✕", "aria-label": "Dismiss this message", on: { click: hide } }),
  );
  box.hidden = false;
  clearTimeout(timer);
  timer = setTimeout(hide, 12000);
}
