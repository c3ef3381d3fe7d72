// The board page's header: the board's name, the room's tools, the connection, the way to
// other views, and who is here. It wraps onto more lines as the window narrows and folds its
// links into a menu on small screens (board.css), so no two items ever sit on each other,
// whatever is showing: Follow, the timer, a vote, edits waiting.
//
// The tool group starts with an empty slot, `editHistory` (#edit-history), for the Undo and
// Redo buttons; it takes no room while empty.

import { el } from "./dom.js";
import { formatClock } from "./stage.js";
import { CONNECTION_TEXT, connectionText } from "./connection.js";
import { KEY_HELP } from "./canvas.js";
import { UNDO_KEYS } from "./undo-ui.js";

const PRESENCE_SHOWN = 3;

/**
 * buildHeader(bar, me, boardId, actions): actions {follow(), votes(), openVote(),
 * privateWriting(), outline()}. Returns the handle app.js draws through.
 */
export function buildHeader(bar, me, boardId, actions) {
  const boardHref = `/boards/${encodeURIComponent(boardId)}`;
  const role = me.me.role;
  const title = el("h1", { id: "board-title", dir: "auto", text: "Loading…" });
  const sub = el("p", { id: "board-sub", class: "sub", dir: "auto" });
  const connection = el("span", { id: "connection", class: "pill conn-connecting", role: "status", text: CONNECTION_TEXT.connecting });
  const saved = el("span", { id: "pending", class: "pill saved", text: "All saved" });
  const people = el("ul", { id: "presence", class: "presence", "aria-label": "On this board now" });
  const help = el("details", { class: "help" }, [
    el("summary", { text: "Keyboard" }),
    el(
      "dl",
      { class: "keys" },
      [...KEY_HELP, ...UNDO_KEYS].flatMap(([keys, what]) => [el("dt", {}, [el("kbd", { text: keys })]), el("dd", { text: what })]),
    ),
  ]);
  const timer = el("span", { id: "stage-timer", class: "pill stage-timer", role: "timer", hidden: true });
  const follow = el("button", { type: "button", id: "follow", class: "follow-btn", "aria-pressed": "false", text: "➤ Follow facilitator", on: { click: actions.follow } });
  const votes = el("button", { type: "button", id: "votes-btn", class: "votes-btn", text: "▤ Votes", hidden: true, on: { click: actions.votes } });
  const openVote = role === "facilitator" ? el("button", { type: "button", id: "open-vote", class: "tool-btn", text: "◉ Dot vote…", on: { click: actions.openVote } }) : null;
  const privateBtn =
    role === "facilitator" ? el("button", { type: "button", id: "private-toggle", class: "tool-btn", text: "◌ Private writing", on: { click: actions.privateWriting } }) : null;
  const editHistory = el("span", { id: "edit-history", class: "edit-history", role: "group", "aria-label": "Undo and redo" });
  const outline = el("button", { type: "button", id: "outline-toggle", class: "outline-toggle", "aria-pressed": "false", text: "☰ Outline", title: "The board as a list: headings and cards, for reading and for screen readers", on: { click: actions.outline } });
  const menu = el("nav", { id: "board-menu", class: "board-menu", "aria-label": "Board views and pages" }, [
    outline,
    help,
    el("a", { href: `${boardHref}/history`, class: "history-link", text: "History" }),
    el("a", { href: "/boards", class: "all-boards", text: "All boards", title: `Signed in as ${me.me.name} (${me.me.role})` }),
  ]);
  // Small screens: the links fold behind one button (board.css shows it only there).
  const menuButton = el("button", {
    type: "button",
    id: "menu-btn",
    class: "menu-btn",
    "aria-expanded": "false",
    "aria-controls": "board-menu",
    text: "Menu",
    on: { click: () => setMenu(menuButton.getAttribute("aria-expanded") !== "true") },
  });
  function setMenu(open) {
    menuButton.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
  }
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || !menu.classList.contains("open")) return;
    setMenu(false);
    menuButton.focus();
    e.preventDefault(); // nothing else closes on this Esc
  });
  document.addEventListener("click", (e) => {
    if (!menu.contains(e.target) && e.target !== menuButton) setMenu(false);
  });
  // A choice made closes the menu (the keyboard help opens in place).
  menu.addEventListener("click", (e) => {
    if (e.target.closest("button, a")) setMenu(false);
  });

  bar.replaceChildren(
    el("div", { class: "bar-main" }, [
      el("div", { class: "title-block" }, [title, sub]),
      el("div", { class: "sync" }, [connection, saved]),
      menuButton,
      menu,
    ]),
    el("div", { class: "bar-tools" }, [
      el("div", { class: "tools", role: "group", "aria-label": "Room tools" }, [editHistory, timer, follow, votes, openVote, privateBtn]),
      el("div", { class: "people" }, [el("span", { class: "people-label", text: "Here:" }), people]),
    ]),
  );
  // The side panel and the sticky offsets follow the header's height as it wraps.
  new ResizeObserver(() => document.body.style.setProperty("--topbar-h", `${bar.offsetHeight}px`)).observe(bar);

  let followState = "";
  return {
    editHistory,
    board(view) {
      title.textContent = view.title || view.initiative || "Board";
      title.title = title.textContent;
      // Boards are usually titled by their initiative: do not say it twice.
      const initiative = view.initiative && view.initiative !== view.title ? view.initiative : "";
      sub.textContent = [view.city, initiative].filter(Boolean).join(" · ");
    },
    outline(on) {
      outline.setAttribute("aria-pressed", String(on));
      outline.textContent = on ? "▦ Canvas" : "☰ Outline";
      outline.title = on ? "Back to the canvas" : "The board as a list: headings and cards, for reading and for screen readers";
    },
    tools(view, { following }) {
      follow.setAttribute("aria-pressed", String(following));
      follow.classList.toggle("on", following);
      const lost = followState === "closed" ? " (disconnected)" : ["reconnecting", "offline"].includes(followState) ? " (reconnecting…)" : "";
      follow.textContent = following ? `➤ Following ✓${lost}` : "➤ Follow facilitator";
      follow.title = following ? "Press to stop following the facilitator" : "Go where the facilitator's spotlight goes";
      votes.hidden = view.rounds.size === 0;
      if (privateBtn) {
        privateBtn.textContent = view.private ? "◎ Reveal private cards" : "◌ Private writing";
        privateBtn.title = view.private ? "Show everyone's private cards to everyone" : "Start private writing: each person sees only their own new cards";
        privateBtn.classList.toggle("primary", Boolean(view.private));
      }
      // One round at a time: while one is open its banner has the controls.
      if (openVote) openVote.hidden = [...view.rounds.values()].some((r) => r.status === "open");
    },
    followStatus(status) {
      followState = status;
    },
    timer(stage, follower) {
      const t = stage?.timer;
      if (!t || !follower || t.status === "idle") {
        timer.hidden = true;
        return;
      }
      // The server's end time against the server's clock (estimated from its `now`), so
      // every screen shows the same countdown whatever this laptop's clock says.
      const left = follower.remaining();
      timer.hidden = false;
      timer.replaceChildren(
        `${t.status === "running" ? "◷" : "❚❚"} ${formatClock(left)}`,
        t.label ? el("span", { class: "timer-label", dir: "auto", text: ` · ${t.label}` }) : "",
      );
      timer.classList.toggle("done", left <= 0);
      timer.title = t.status === "running" ? "The room's shared timer" : "The room's timer is paused";
    },
    status(sync) {
      connection.textContent = connectionText(sync.status, { waiting: sync.pendingCount(), closedFor: sync.closedFor });
      connection.className = `pill conn-${sync.status}`;
      const n = sync.pendingCount();
      saved.textContent = n === 0 ? "All saved" : `${n} ${n === 1 ? "edit" : "edits"} waiting`;
      saved.className = `pill ${n === 0 ? "saved" : "waiting"}`;
    },
    presence(list) {
      // A full room does not fit the header: the first few, then "+N" naming the rest.
      const shown = list.slice(0, PRESENCE_SHOWN);
      const rest = list.slice(PRESENCE_SHOWN);
      people.replaceChildren(
        ...shown.map((p) =>
          el("li", { class: `person role-${p.role}`, title: p.city || "" }, [
            el("span", { class: "name", dir: "auto", text: p.name }),
            el("span", { class: "role", text: p.role }),
          ]),
        ),
        rest.length
          ? el("li", { class: "person more", text: `+${rest.length}`, title: rest.map((p) => `${p.name} (${p.role})`).join("\n") })
          : "",
      );
    },
  };
}
