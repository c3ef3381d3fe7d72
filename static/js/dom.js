// Tiny DOM helpers. Everything is built with createElement and text nodes: user text never
// goes through an HTML parser, so a card can hold "<img onerror=...>" and stay plain text.

/** el("div", {class: "x", text: "hello", title: "t", on: {click: fn}}, [children]) */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node && typeof node[key] !== "function" && key !== "list") node[key] = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

/** Append nodes or strings (as text nodes); null/false entries are skipped. */
export function append(parent, children) {
  for (const child of [children].flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return parent;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

/** JSON from our own API; a 401 means the session is gone, so go back to the welcome page. */
export async function getJSON(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (response.status === 401) {
    location.assign("/");
    throw new Error("Not signed in.");
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.error?.message || `The server answered ${response.status}.`);
  return body;
}

/** A random id from crypto.getRandomValues: crypto.randomUUID only exists in secure contexts,
 * and the workshop room serves plain http on its LAN address. */
/** POST a JSON body; the answer's JSON, or an Error with the server's sentence. A network
 * failure rejects with fetch's TypeError. */
export async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => null);
  if (!response.ok) throw new Error(answer?.error?.message || `The server answered ${response.status}.`);
  return answer;
}

export function randomId(prefix = "") {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Short status messages for everyone (aria-live), gone after a few seconds. */
export function toast(message, kind = "error") {
  let box = document.getElementById("toasts");
  if (!box) {
    box = el("div", { id: "toasts", class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(box);
  }
  const item = el("div", { class: `toast toast-${kind}`, text: message });
  box.append(item);
  setTimeout(() => item.remove(), 6000);
}

/**
 * Ask before something that cannot be undone; resolves true when confirmed. Cancel, the safe
 * choice, has the focus. `dialogClass` adds a page's own dialog styling.
 */
export function confirmDialog({ title, message, confirm = "Confirm", danger = false, dialogClass = "" }) {
  return new Promise((resolve) => {
    const no = el("button", { type: "button", class: "secondary", text: "Cancel" });
    const yes = el("button", { type: "button", class: danger ? "danger" : "primary", text: confirm });
    const dialog = el("dialog", { class: `confirm ${dialogClass}`.trim(), role: "alertdialog", "aria-label": title }, [
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
    no.focus();
  });
}

/** Is this key event typed into a field? Then no page shortcut may act on it. */
export function isTyping(e) {
  const t = e.target;
  if (!(t instanceof HTMLElement)) return false;
  if (t.isContentEditable) return true;
  if (t.matches("textarea, select")) return true;
  return t.matches("input") && !["button", "submit", "reset", "checkbox", "radio", "range", "color", "file"].includes(t.type);
}
