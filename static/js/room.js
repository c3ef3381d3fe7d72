// The projector's join screen: the address to open and the room's code, large enough to read
// from the back of the room. Refreshed every 10 s, so a new code shows up by itself.

import { getJSON } from "./dom.js";

const REFRESH_MS = 10000;
const $ = (id) => document.getElementById(id);

function showCode(code) {
  // Two groups of four read (and copy by eye) better than eight letters in a row; the text of
  // the element stays the code itself.
  const groups = code.match(/.{1,4}/g) || [code];
  $("room-code").replaceChildren(
    ...groups.map((group) => {
      const span = document.createElement("span");
      span.className = "code-group";
      span.textContent = group;
      return span;
    }),
  );
  $("room-code").setAttribute("aria-label", `Join code ${code.split("").join(" ")}`);
}

/** The address as typed: the full URL (a browser would not guess http for every host name),
 * with the scheme quieter than the part people have to get right. */
function showAddress(address) {
  const [, scheme, rest] = /^(https?:\/\/)?(.*)$/.exec(address);
  const quiet = document.createElement("span");
  quiet.className = "scheme";
  quiet.textContent = scheme || "";
  $("room-url").replaceChildren(quiet, rest);
}

async function main() {
  const { workshop } = await getJSON("/api/me");
  const url = `/api/workshops/${encodeURIComponent(workshop.id)}/join-code`;
  let shown = null;

  async function refresh() {
    try {
      const { code, url: address, title } = await getJSON(url);
      document.title = `Join · ${title}`;
      $("room-title").textContent = title;
      showAddress(address);
      if (code !== shown) {
        shown = code;
        showCode(code);
      }
      $("room-status").textContent = "";
    } catch (error) {
      // Keep the last code on the screen; say quietly that it may be stale.
      $("room-status").textContent = `Not updated: ${error.message}`;
    }
    setTimeout(refresh, REFRESH_MS);
  }
  await refresh();
}

main().catch((error) => {
  $("room-title").textContent = "The join screen could not be loaded";
  $("room-status").textContent = error.message;
});
