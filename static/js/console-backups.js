// The server's own backups, in the console: when the last one was written, what it holds and
// where it is, so the facilitator knows what to copy to the USB stick at the end of the day
// (README, "Keeping the records").

import { el, getJSON } from "./dom.js";
import { whenLabel } from "./console-ui.js";

function every(seconds) {
  if (!seconds) return "at every day close";
  const minutes = Math.round(seconds / 60);
  const span = minutes >= 60 && minutes % 60 === 0 ? `${minutes / 60} h` : minutes ? `${minutes} min` : `${seconds} s`;
  return `at every day close and every ${span}`;
}

export function setupBackups(ctx) {
  const box = document.getElementById("backup-status");
  const zone = () => ctx.data.workshop.timezone;

  function render(status) {
    const parts = [];
    const last = status.last;
    if (last) {
      parts.push(
        el("span", { class: "backup-when", text: `Last backup ${whenLabel(last.at, zone())} (${last.reason}): ` }),
        el("code", { class: "backup-file", text: last.file }),
        el("span", { text: `, ${last.holds}.` }),
      );
    } else {
      parts.push(el("span", { text: "No backup yet in this run of the server." }));
    }
    parts.push(el("span", { class: "backup-where", text: ` Backups are written ${every(status.every_seconds)} to ` }), el("code", { text: status.folder }), el("span", { text: "." }));
    if (status.failure) {
      parts.push(el("strong", { class: "backup-failed", text: ` The last attempt failed: ${status.failure.problem}` }));
    }
    box.replaceChildren(...parts);
  }

  return {
    refresh: async () => render(await getJSON(`/api/workshops/${encodeURIComponent(ctx.id)}/backups`)),
  };
}
