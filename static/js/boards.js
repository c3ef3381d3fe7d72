// The boards list: the workshop, who I am, and every board of the workshop as a link.

import { el, getJSON, toast } from "./dom.js";

async function main() {
  const { me, workshop, boards } = await getJSON("/api/me");
  document.title = `Boards · ${workshop.title}`;
  document.getElementById("workshop-title").textContent = workshop.title;
  document.getElementById("venue").textContent = workshop.venue || "";
  document.getElementById("me").replaceChildren(
    "Signed in as ",
    el("span", { dir: "auto", text: me.name }),
    ` · ${me.role}`,
    me.city ? " · " : "",
    me.city ? el("span", { dir: "auto", text: me.city }) : "",
  );
  const list = document.getElementById("boards");
  list.replaceChildren(
    ...boards.map((board) => {
      const mine = board.mayor === me.id;
      return el("li", { class: mine ? "board-item mine" : "board-item" }, [
        el("a", { href: `/boards/${encodeURIComponent(board.id)}` }, [
          el("span", { class: "city", dir: "auto", text: board.city }),
          mine ? el("span", { class: "badge", text: "★ Your board" }) : null,
          el("span", { class: "initiative", dir: "auto", text: board.initiative || board.title }),
          board.theme ? el("span", { class: "theme", dir: "auto", text: board.theme }) : null,
        ]),
      ]);
    }),
  );
  if (boards.length === 0) list.append(el("li", { class: "none", text: "This workshop has no boards yet." }));
}

main().catch((error) => toast(`The boards could not be loaded: ${error.message}`));
