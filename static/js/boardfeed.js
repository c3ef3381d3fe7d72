// A board followed live by the room pages (run, present, cross): the board's own reducer
// (model.js, the mirror of the server's) on a LogClient (logclient.js, on connection.js:
// resume, heartbeat, back-off, offline and online, sleep and dead-network recovery). No
// pending edits and no local storage: these pages only watch a board, or send the
// facilitator's room ops (votes, private writing), which resolve on their own event.
//
// model.js is imported as a namespace, so a page keeps working with an older reducer that
// lacks a kind: an event it cannot apply makes the feed start over from the server's state.

import * as model from "./model.js";
import { LogClient } from "./logclient.js";

export class BoardFeed extends LogClient {
  /** id: the board; template: makeTemplate(GET /api/template). */
  constructor({ id, template, ...callbacks }) {
    super({ id, ...callbacks });
    this.template = template;
  }

  fromWire(wire) {
    return model.fromWire(wire);
  }

  applyEvent(state, event) {
    const op = event.op;
    if (op && op.hidden) {
      try {
        model.applyPlaceholder(state, event);
        return true;
      } catch (error) {
        return { code: "not_found", message: error.message }; // the feed starts over
      }
    }
    const result = model.apply(state, op, { at: event.at, by: event.by, actor: null, template: this.template });
    return model.isRefusal(result) ? result : true;
  }
}

// Dot-vote results -------------------------------------------------------------------------

/** Python's str ordering (code points), for ties broken by card id like the server. */
const byCodePoint = (a, b) => {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d) return d;
  }
  return x.length - y.length;
};

/** collab.tally: dots per card, overall and by role, ranked (most dots first, then card id). */
export function tally(round) {
  const totals = new Map();
  const byRole = new Map();
  for (const vote of round.votes) {
    if (vote.card === null) continue;
    totals.set(vote.card, (totals.get(vote.card) || 0) + 1);
    const per = byRole.get(vote.card) || {};
    per[vote.role] = (per[vote.role] || 0) + 1;
    byRole.set(vote.card, per);
  }
  const ranking = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a) || byCodePoint(a, b));
  return { totals, byRole, ranking };
}

/** The round the room cares about now: the open one, else the latest opened. */
export function currentRound(state) {
  if (!state || !(state.rounds instanceof Map) || state.rounds.size === 0) return null;
  const rounds = [...state.rounds.values()];
  return rounds.find((r) => r.status === "open") || rounds.reduce((a, b) => (b.opened_at > a.opened_at ? b : a));
}

/** Whether a round's counts may be shown: revealed, or open and not blind. */
export const countsVisible = (round) => Boolean(round) && (round.revealed || (!round.blind && round.status === "open"));

export const ROLE_LABELS = { mayor: "Mayors", expert: "Experts", facilitator: "Facilitator", observer: "Observers" };
export const ROLE_ORDER = ["mayor", "expert", "facilitator", "observer"];
