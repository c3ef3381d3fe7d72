// The projector's words and room: what the vote results say about the dots (counted the way
// they are shown), and how a list of cards fits the room it has: every card with all its
// text while that fits, then shorter text, then whole cards and "+N more".

const ZOOM_SIZES = [44, 40, 36, 32, 29, 26, 24, 22]; // card text in a zoomed section: the largest that fits

const dots = (n) => `${n} ${n === 1 ? "dot" : "dots"}`;

/** "5 dots placed", or for one section "2 dots in this section · 5 in all". */
export function placedLine(shown, all, sectionId) {
  return sectionId ? `${dots(shown)} in this section · ${all} in all` : `${dots(all)} placed`;
}

/** Why the ranking is empty, in words that agree with the count above it. */
export function noDots(all, sectionId) {
  if (all === 0) return "No dots yet.";
  return `No dots on this section's cards yet (${dots(all)} on other sections).`;
}

// Fitting: all the text while there is room, then shorter, then "+N more" ---------------------

const CLAMPS = ["none", "8", "6", "4", "3"]; // lines of card text, longest first

/** Every card with all its text when that fits; else every card with its text cut at the most
 * lines that fit; else whole cards of four lines and "+N more" for the rest (and when not
 * even the first fits, its text cut shorter still, so the section shows something). */
export function fitList(list, more) {
  const items = [...list.children];
  for (const item of items) item.hidden = false;
  list.classList.remove("tight");
  more.hidden = true;
  for (const clamp of CLAMPS) {
    list.style.setProperty("--clamp", clamp);
    if (list.scrollHeight <= list.clientHeight + 1) return;
  }
  list.style.setProperty("--clamp", "4");
  more.hidden = false; // it takes room from the list, so measure with it shown
  const limit = list.clientHeight;
  const fits = () => items.findIndex((item) => item.offsetTop + item.offsetHeight > limit + 1);
  let first = fits();
  if (first === 0) {
    list.classList.add("tight");
    first = fits();
  }
  const hidden = first < 0 ? 0 : items.length - first;
  for (const item of items.slice(first < 0 ? items.length : first)) item.hidden = true;
  if (hidden === 0) more.hidden = true;
  else more.textContent = `+ ${hidden} more`;
}

/** A zoomed section: the largest card text that shows every card, else the smallest and "+N". */
export function fitZoom(list, more) {
  const zoom = list.closest(".zoom");
  for (const size of ZOOM_SIZES) {
    zoom.style.setProperty("--card-size", `${size}px`);
    if (list.scrollHeight <= list.clientHeight + 1) {
      more.hidden = true;
      return;
    }
  }
  fitList(list, more);
}

export function fitResults(panel) {
  const list = panel.querySelector(".ranking");
  if (list) fitList(list, panel.querySelector(".more"));
}
