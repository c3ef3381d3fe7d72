// Undo and redo on the board page: the header's two buttons (named after what they would undo,
// disabled when there is nothing), Ctrl/⌘+Z, Ctrl/⌘+Shift+Z and Ctrl+Y anywhere on the board
// but in a text field or a dialog (a live text has its own undo, textundo.js), and a polite
// announcement of what was undone.

import { el } from "./dom.js";
import { undoKey } from "./textundo.js";

export const UNDO_KEYS = [
  ["Ctrl + Z", "undo your last change on this board"],
  ["Ctrl + Shift + Z", "redo it (also Ctrl + Y)"],
];

const LABELS = {
  undo: { verb: "Undo", icon: "↶", keys: "Control+Z Meta+Z", hint: "Ctrl+Z" },
  redo: { verb: "Redo", icon: "↷", keys: "Control+Shift+Z Control+Y Meta+Shift+Z", hint: "Ctrl+Shift+Z" },
};

/** Whether a key press belongs to what the person is typing in. */
function typing(target) {
  return target instanceof Element && Boolean(target.closest("input, textarea, select, [contenteditable]"));
}

/**
 * The controls of an UndoManager (undo.js): {buttons: [undo, redo], status, refresh(),
 * announce(text)}. The page puts the buttons in its header and calls refresh when the stacks
 * change.
 */
export function undoControls(manager) {
  const buttons = ["undo", "redo"].map((which) => {
    const { verb, icon, keys } = LABELS[which];
    return el("button", { type: "button", id: which, class: "tool-btn undo-btn", "aria-keyshortcuts": keys, on: { click: () => manager[which]() } }, [
      el("span", { "aria-hidden": "true", text: icon }),
      ` ${verb}`,
    ]);
  });
  const status = el("span", { class: "visually-hidden", role: "status" });
  document.addEventListener("keydown", (e) => {
    const which = undoKey(e);
    if (which === null || e.defaultPrevented || typing(e.target) || document.querySelector("dialog[open]")) return;
    e.preventDefault();
    manager[which]();
  });
  function refresh() {
    for (const [which, button] of [["undo", buttons[0]], ["redo", buttons[1]]]) {
      const { verb, hint } = LABELS[which];
      const next = manager.next(which);
      button.disabled = !manager.can(which);
      const name = next ? `${verb} ${next}` : `${verb}: nothing to ${verb.toLowerCase()}`;
      button.setAttribute("aria-label", name);
      button.title = `${name} (${hint})`;
    }
  }
  refresh();
  return {
    buttons,
    status,
    refresh,
    announce(text) {
      status.textContent = text;
    },
  };
}
