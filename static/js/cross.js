// Across boards (facilitator): one section of every board side by side, live (one socket per
// board), to spot the barriers, partners and funding the cities share. Words that come up on
// two boards or more are offered as highlights.

import { el, getJSON, toast } from "./dom.js";
import { makeTemplate } from "./model.js";
import { BoardFeed } from "./boardfeed.js";
import { cardNode, fieldsOf } from "./roomview.js";

const DEFAULT_SECTION = "funding_sources";
const SHARED_SHOWN = 12;
// Words too common to say anything about what two cities share.
const STOP = new Set(
  "about after again against also because been before being between both city could does doing down during each from further have having here into more most other over same should some such than that their them then there these they this those through under until very what when where which while will with would your years year first make need needs".split(" "),
);

async function main() {
  const [me, raw] = await Promise.all([getJSON("/api/me"), getJSON("/api/template")]);
  const template = makeTemplate(raw);
  document.title = `Across boards · ${me.workshop.title}`;
  const select = document.getElementById("cross-section");
  const find = document.getElementById("cross-find");
  const columns = document.getElementById("cross-columns");
  select.replaceChildren(...raw.sections.map((s) => el("option", { value: s.id, text: s.title })));
  const asked = new URLSearchParams(location.search).get("section");
  select.value = template.sections.has(asked) ? asked : DEFAULT_SECTION;

  const feeds = me.boards.map((board) => ({
    board,
    feed: new BoardFeed({ id: board.id, template, onChange: schedule, onStatus: schedule, onError: (m) => toast(m) }),
  }));

  select.addEventListener("change", () => {
    const url = new URL(location.href);
    url.searchParams.set("section", select.value);
    history.replaceState(null, "", url);
    schedule();
  });
  find.addEventListener("input", schedule);
  document.getElementById("cross-form").addEventListener("submit", (e) => e.preventDefault());

  let frame = 0;
  function schedule() {
    if (!frame) frame = requestAnimationFrame(draw);
  }

  function draw() {
    frame = 0;
    const sectionId = select.value;
    const section = template.sections.get(sectionId);
    document.getElementById("cross-section-title").textContent = section.title;
    document.getElementById("cross-prompt").textContent = section.prompt;
    const term = find.value.trim().toLowerCase();
    const texts = new Map(); // board id -> the section's cards as searchable text
    const cols = feeds.map(({ board, feed }) => {
      const state = feed.state;
      const ids = state ? state.sections.get(sectionId) || [] : [];
      const cards = ids.map((id) => state.cards.get(id)).filter(Boolean);
      texts.set(board.id, cards.filter((c) => !c.hidden).map((c) => c.text.toLowerCase()));
      const nodes = cards.map((card) => {
        const node = cardNode(template, card, { label: true, fields: true });
        if (term) node.classList.add(searchable(template, card).includes(term) ? "match" : "dim");
        return node;
      });
      const hits = term ? nodes.filter((n) => n.classList.contains("match")).length : 0;
      return el("section", { class: `cross-col${term && hits ? " has-match" : ""}`, dataset: { board: board.id } }, [
        el("header", { class: "col-head" }, [
          el("h2", {}, [el("a", { href: `/boards/${encodeURIComponent(board.id)}`, target: "_blank", rel: "noopener", dir: "auto", text: (state && state.city) || board.city || board.title })]),
          el("p", { class: "col-initiative", dir: "auto", text: (state && state.initiative) || board.initiative || board.title || "" }),
          el("p", { class: "col-count", text: state ? `${cards.length} ${cards.length === 1 ? "card" : "cards"}${term ? ` · ${hits} ${hits === 1 ? "match" : "matches"}` : ""}` : "Loading…" }),
        ]),
        // A column scrolls on its own: the keyboard can reach it (Tab, then the arrows).
        nodes.length
          ? el("ol", { class: "rcards", tabindex: "0", "aria-label": `${(state && state.city) || board.city || board.title}: ${section.title}` }, nodes)
          : el("p", { class: "col-empty", text: state ? "Nothing here yet." : "" }),
      ]);
    });
    columns.replaceChildren(...cols);
    if (cols.length === 0) columns.append(el("p", { class: "col-empty", text: "This workshop has no boards yet." }));
    drawShared(texts, term);
    drawConnection();
    document.body.dataset.section = sectionId;
  }

  function drawShared(texts, term) {
    const seen = new Map(); // word -> set of boards
    for (const [boardId, cards] of texts) {
      for (const word of new Set(cards.flatMap((t) => t.match(/\p{L}[\p{L}'-]{3,}/gu) || []))) {
        if (STOP.has(word)) continue;
        if (!seen.has(word)) seen.set(word, new Set());
        seen.get(word).add(boardId);
      }
    }
    const shared = [...seen].filter(([, b]) => b.size >= 2).sort((a, b) => b[1].size - a[1].size || a[0].localeCompare(b[0])).slice(0, SHARED_SHOWN);
    let box = document.getElementById("cross-shared");
    if (!box) {
      box = el("div", { id: "cross-shared", class: "cross-shared" });
      document.querySelector(".cross-head").after(box);
    }
    box.replaceChildren(
      el("span", { class: "shared-label", text: shared.length ? "On several boards:" : "No word in common yet." }),
      ...shared.map(([word, b]) =>
        el("button", {
          type: "button",
          class: `chip${term === word ? " on" : ""}`,
          "aria-pressed": term === word ? "true" : "false",
          dir: "auto",
          text: `${word} · ${b.size}`,
          title: `Highlight “${word}” (on ${b.size} boards)`,
          on: {
            click: () => {
              find.value = term === word ? "" : word;
              schedule();
            },
          },
        }),
      ),
    );
  }

  function drawConnection() {
    const live = feeds.filter(({ feed }) => feed.status === "connected").length;
    const conn = document.getElementById("cross-conn");
    conn.textContent = live === feeds.length ? `● Live · ${live} ${live === 1 ? "board" : "boards"}` : `↻ ${live} of ${feeds.length} boards live, reconnecting…`;
    conn.className = `cross-conn ${live === feeds.length ? "live" : "waiting"}`;
  }

  for (const { feed } of feeds) feed.start();
  schedule();
}

function searchable(template, card) {
  if (card.hidden) return "";
  return [card.text, ...fieldsOf(template, card).map(([, v]) => v)].join(" ").toLowerCase();
}

main().catch((error) => {
  console.error(error);
  toast(`This page could not start: ${error.message}`);
});
