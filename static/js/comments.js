// The comments of one card, in the side panel: live list, add, edit your own, resolve.
//
// Who may do what mirrors board/model/collab.py: anyone but an observer comments; only the
// author edits a comment; its author, the card's author, the board's mayor and the facilitator
// resolve it; its author and the facilitator delete it. Every change is an op through
// `submit`, checked by the same reducer the server runs.

import { el, randomId } from "./dom.js";
import { Action, COMMENT_MAX, can, mayModerate } from "./model.js";

const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

function when(iso) {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? "" : time.format(new Date(t));
}

/** Comment counts per card: {total, open} (open = not resolved). */
export function commentCounts(view) {
  const counts = new Map();
  for (const comment of view.comments.values()) {
    const c = counts.get(comment.card) || { total: 0, open: 0 };
    c.total += 1;
    if (!comment.resolved) c.open += 1;
    counts.set(comment.card, c);
  }
  return counts;
}

export class CommentsPanel {
  /**
   * actor: me; names(id) -> a display name; submit(op) -> null or the refusal sentence;
   * template: makeTemplate().
   */
  constructor({ actor, names, submit, template }) {
    Object.assign(this, { actor, names, submit, template });
    this.cardId = null;
    this.view = null;
    this.items = new Map(); // comment id -> {node, sig}
    this.editing = null; // comment id being edited here
    this.cardBox = el("div", { class: "comment-card" });
    this.list = el("ol", { class: "comment-list", "aria-label": "Comments" });
    this.empty = el("p", { class: "comment-empty", text: "No comments yet." });
    this.text = el("textarea", { id: "comment-text", dir: "auto", rows: 3, maxLength: COMMENT_MAX, placeholder: "Ask, suggest, or note something about this card" });
    this.problem = el("p", { class: "form-problem", role: "alert" });
    this.form = el("form", { class: "comment-form" }, [
      el("label", { for: "comment-text", text: "Add a comment" }),
      this.text,
      this.problem,
      el("div", { class: "buttons" }, [el("button", { type: "submit", class: "primary", text: "Add comment" })]),
    ]);
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.#add();
    });
    this.node = el("div", { class: "comments-panel" }, [this.cardBox, this.list, this.empty, this.form]);
  }

  /** Show the comments of this card (the panel body is `this.node`). */
  show(cardId) {
    if (cardId !== this.cardId) {
      this.cardId = cardId;
      this.editing = null;
      this.items.clear();
      this.list.replaceChildren();
      this.text.value = "";
      this.problem.textContent = "";
    }
  }

  render(view) {
    this.view = view;
    const card = view.cards.get(this.cardId);
    this.#cardSummary(card);
    const mayComment = card !== undefined && !card.hidden && can(this.actor, Action.COMMENT, { workshop: view.workshop, boardMayor: view.mayor });
    this.form.hidden = !mayComment;
    const comments = [...view.comments.values()].filter((c) => c.card === this.cardId);
    this.empty.hidden = comments.length > 0;
    const seen = new Set();
    comments.forEach((comment, index) => {
      seen.add(comment.id);
      const node = this.#item(comment, card);
      const at = this.list.children[index];
      if (at !== node) this.list.insertBefore(node, at || null);
    });
    for (const [id, entry] of this.items) {
      if (!seen.has(id)) {
        entry.node.remove();
        this.items.delete(id);
        if (this.editing === id) this.editing = null;
      }
    }
  }

  /** Into the comment box, when this person may comment here: answers whether it went. */
  focusInput() {
    if (this.form.hidden) return false;
    this.text.focus();
    return true;
  }

  #cardSummary(card) {
    if (card === undefined) {
      this.cardBox.replaceChildren(el("p", { class: "comment-gone", text: "This card was deleted; its comments went with it." }));
      return;
    }
    if (card.hidden) {
      this.cardBox.replaceChildren(el("p", { class: "comment-gone", text: "A private card: its comments show when the facilitator reveals it." }));
      return;
    }
    const type = this.template.cardTypes.get(card.type);
    const box = el("div", { class: "comment-card-inner" }, [
      el("span", { class: "type-badge" }, [el("span", { class: "icon", "aria-hidden": "true", text: type.icon }), type.label]),
      el("p", { class: "comment-card-text", dir: "auto", text: card.text }),
    ]);
    box.style.setProperty("--type-color", type.color);
    this.cardBox.replaceChildren(box);
  }

  #item(comment, card) {
    const view = this.view;
    const mine = comment.author === this.actor.id;
    const canResolve = card !== undefined && mayModerate(view, this.actor, comment) && this.actor.role !== "observer";
    const canDelete = mine || this.actor.role === "facilitator";
    const editing = this.editing === comment.id;
    const sig = JSON.stringify([comment, this.names(comment.author), comment.resolved_by && this.names(comment.resolved_by), canResolve, canDelete, mine, editing]);
    let entry = this.items.get(comment.id);
    if (entry && (entry.sig === sig || (editing && entry.editing))) return entry.node;
    if (!entry) {
      entry = { node: el("li", { class: "comment", dataset: { comment: comment.id } }), sig: "" };
      this.items.set(comment.id, entry);
    }
    entry.sig = sig;
    entry.editing = editing;
    const node = entry.node;
    // The button just pressed is rebuilt: give the focus to its successor (keyboard users).
    const active = document.activeElement;
    const kind = node.contains(active) && active.matches("button") ? active.classList[0] : null;
    if (kind) {
      const same = kind === "comment-resolve" || kind === "comment-reopen" ? ".comment-resolve, .comment-reopen" : `button.${CSS.escape(kind)}`;
      queueMicrotask(() => (node.querySelector(same) || node.querySelector(".comment-actions button"))?.focus());
    }
    node.classList.toggle("resolved", comment.resolved);
    node.classList.toggle("mine", mine);
    const meta = el("div", { class: "comment-meta" }, [
      el("span", { class: "comment-author" }, [el("span", { dir: "auto", text: this.names(comment.author) }), mine ? " (you)" : ""]),
      el("span", { class: "comment-time", text: when(comment.created_at) }),
      comment.updated_at !== comment.created_at && !comment.resolved ? el("span", { class: "comment-edited", text: "edited" }) : null,
      comment.resolved
        ? el("span", { class: "resolved-tag" }, ["✓ Resolved", comment.resolved_by ? " by " : "", comment.resolved_by ? el("span", { dir: "auto", text: this.names(comment.resolved_by) }) : ""])
        : null,
    ]);
    if (editing) {
      const box = el("textarea", { class: "comment-edit", dir: "auto", rows: 3, maxLength: COMMENT_MAX, "aria-label": "Edit your comment" });
      box.value = comment.text;
      const problem = el("p", { class: "form-problem", role: "alert" });
      const save = el("button", { type: "button", class: "primary", text: "Save" });
      const cancel = el("button", { type: "button", class: "secondary", text: "Cancel" });
      save.addEventListener("click", () => {
        const text = box.value.trim();
        if (text === comment.text) return this.#stopEditing();
        const message = this.submit({ kind: "comment.update", comment: comment.id, text });
        if (message) problem.textContent = message;
        else this.#stopEditing();
      });
      cancel.addEventListener("click", () => this.#stopEditing());
      node.replaceChildren(meta, box, problem, el("div", { class: "comment-actions" }, [cancel, save]));
      queueMicrotask(() => box.focus());
      return node;
    }
    const actions = [];
    if (mine) {
      actions.push(
        el("button", {
          type: "button",
          class: "comment-edit-btn",
          text: "Edit",
          on: {
            click: () => {
              this.editing = comment.id;
              this.render(this.view);
            },
          },
        }),
      );
    }
    if (canResolve) {
      actions.push(
        el("button", {
          type: "button",
          class: comment.resolved ? "comment-reopen" : "comment-resolve",
          text: comment.resolved ? "↺ Reopen" : "✓ Resolve",
          on: { click: () => this.submit({ kind: "comment.resolve", comment: comment.id, resolved: !comment.resolved }) },
        }),
      );
    }
    if (canDelete) {
      actions.push(
        el("button", {
          type: "button",
          class: "comment-delete",
          text: "Delete",
          on: { click: () => this.submit({ kind: "comment.delete", comment: comment.id }) },
        }),
      );
    }
    node.replaceChildren(meta, el("p", { class: "comment-text", dir: "auto", text: comment.text }), actions.length ? el("div", { class: "comment-actions" }, actions) : "");
    return node;
  }

  #stopEditing() {
    this.editing = null;
    this.render(this.view);
  }

  #add() {
    const text = this.text.value.trim();
    if (!text) {
      this.problem.textContent = "Write something first.";
      return;
    }
    const message = this.submit({ kind: "comment.add", comment: { id: randomId("k_"), card: this.cardId, text } });
    if (message) {
      this.problem.textContent = message;
      return;
    }
    this.problem.textContent = "";
    this.text.value = "";
    this.text.focus();
  }
}
