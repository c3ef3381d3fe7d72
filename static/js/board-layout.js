// How this person looks at the board, apart from what is on it: one section opened large
// (focus: its own address, ?section=ID, so Back returns and Follow can point at it), the
// outline instead of the canvas (?view=outline), and the sections they collapsed
// (remembered in this browser, per person and per board).

import { el } from "./dom.js";

const STORE_KEY = (personId) => `brickboard.collapsed.${personId}`;

export class BoardLayout {
  /**
   * canvas: Canvas. outline: Outline. header: the board header (outline button). bar: the
   * focus bar's <nav>. onChange(): redraw the page.
   */
  constructor({ personId, boardId, template, canvas, outline, header, bar, onChange }) {
    Object.assign(this, { personId, boardId, template, canvas, outline, header, bar, onChange });
    this.focus = null;
    this.outlineOn = false;
    this.collapsed = this.#load();
    this.baseTitle = document.title;
    addEventListener("popstate", () => this.#fromUrl({ restoreFocus: true }));
    this.#fromUrl({ restoreFocus: false });
  }

  // Focus mode -------------------------------------------------------------------------------

  /** Open `section` large. by: "person" (a new history entry: Back returns) or "follow". */
  open(section, { by = "person" } = {}) {
    if (!this.template.sections.has(section)) return;
    if (by === "follow" && this.outlineOn) {
      this.outline.showSection(section); // a screen reader stays in the outline
      return;
    }
    if (section === this.focus && !this.outlineOn) return;
    const url = this.#url({ section, view: null });
    if (by === "person" && this.focus === null) history.pushState({ brickboardFocus: true }, "", url);
    else history.replaceState(history.state, "", url);
    this.focus = section;
    this.outlineOn = false;
    this.#apply();
    scrollTo({ top: 0 });
    if (by === "person") this.canvas.focusSection(section);
  }

  /** Back to every section: the way it came (Back) when this page opened it. */
  close({ by = "person" } = {}) {
    if (this.focus === null) return;
    if (by === "person" && history.state?.brickboardFocus) {
      history.back(); // popstate applies it
      return;
    }
    const was = this.focus;
    history.replaceState(null, "", this.#url({ section: null }));
    this.focus = null;
    this.#apply();
    if (by === "person") this.#returnTo(was);
  }

  /** The previous (-1) or next (+1) section, staying large. */
  step(delta) {
    const order = this.template.sectionIds;
    const next = order[(order.indexOf(this.focus) + delta + order.length) % order.length];
    history.replaceState(history.state, "", this.#url({ section: next }));
    this.focus = next;
    this.#apply();
    this.canvas.focusSection(next);
  }

  // Outline ------------------------------------------------------------------------------------

  toggleOutline() {
    this.outlineOn = !this.outlineOn;
    this.focus = null;
    history.replaceState(null, "", this.#url({ section: null, view: this.outlineOn ? "outline" : null }));
    this.#apply();
    if (this.outlineOn) this.outline.focusFirst();
  }

  // Collapse -----------------------------------------------------------------------------------

  collapse(section, shut) {
    if (shut) this.collapsed.add(section);
    else this.collapsed.delete(section);
    this.#save();
    this.#apply();
  }

  #load() {
    try {
      const all = JSON.parse(localStorage.getItem(STORE_KEY(this.personId)) || "{}");
      const ids = Array.isArray(all[this.boardId]) ? all[this.boardId] : [];
      return new Set(ids.filter((id) => this.template.sections.has(id)));
    } catch {
      return new Set();
    }
  }

  #save() {
    try {
      const key = STORE_KEY(this.personId);
      const all = JSON.parse(localStorage.getItem(key) || "{}");
      if (this.collapsed.size) all[this.boardId] = [...this.collapsed];
      else delete all[this.boardId];
      localStorage.setItem(key, JSON.stringify(all));
    } catch {
      // Private browsing or a full storage: the choice lasts for this visit only.
    }
  }

  // Drawing ------------------------------------------------------------------------------------

  #fromUrl({ restoreFocus }) {
    const params = new URLSearchParams(location.search);
    const wanted = params.get("section");
    const was = this.focus;
    this.focus = this.template.sections.has(wanted) ? wanted : null;
    this.outlineOn = this.focus === null && params.get("view") === "outline";
    this.#apply();
    if (restoreFocus && was && !this.focus) this.#returnTo(was);
    else if (restoreFocus && this.focus) this.canvas.focusSection(this.focus);
  }

  #returnTo(section) {
    this.canvas.showSection(section);
    this.canvas.focusSection(section);
  }

  #url({ section = this.focus, view = this.outlineOn ? "outline" : null }) {
    const url = new URL(location.href);
    if (section) url.searchParams.set("section", section);
    else url.searchParams.delete("section");
    if (view) url.searchParams.set("view", view);
    else url.searchParams.delete("view");
    return url;
  }

  #apply() {
    this.canvas.setLayout({ focus: this.focus, collapsed: this.collapsed });
    this.canvas.root.hidden = this.outlineOn;
    this.outline.show(this.outlineOn);
    this.header.outline(this.outlineOn);
    document.body.classList.toggle("focus-mode", this.focus !== null);
    document.body.classList.toggle("outline-mode", this.outlineOn);
    const section = this.focus ? this.template.sections.get(this.focus) : null;
    document.title = section ? `${section.title} · ${this.baseTitle}` : this.outlineOn ? `Outline · ${this.baseTitle}` : this.baseTitle;
    this.#bar(section);
    this.onChange();
  }

  #bar(section) {
    this.bar.hidden = !section;
    if (!section) return this.bar.replaceChildren();
    const order = this.template.sectionIds;
    const at = order.indexOf(this.focus);
    const name = (i) => this.template.sections.get(order[(i + order.length) % order.length]).title;
    this.bar.replaceChildren(
      el("button", { type: "button", class: "focus-back", text: "← All sections", title: "Back to the whole canvas (Esc)", on: { click: () => this.close() } }),
      el("span", { class: "focus-where", text: `Section ${at + 1} of ${order.length}` }),
      el("span", { class: "focus-steps" }, [
        el("button", { type: "button", class: "focus-prev", text: `‹ ${name(at - 1)}`, "aria-label": `‹ ${name(at - 1)}: previous section`, on: { click: () => this.step(-1) } }),
        el("button", { type: "button", class: "focus-next", text: `${name(at + 1)} ›`, "aria-label": `${name(at + 1)} ›: next section`, on: { click: () => this.step(+1) } }),
      ]),
    );
  }

  /** Remember the page's own title (it is set once the workshop is known). */
  setBaseTitle(title) {
    this.baseTitle = title;
    this.#apply();
  }
}
