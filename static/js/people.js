// How people are named to each other. Two people with the same name are told apart by their
// city, else organisation, else role ("Maria Lopez (Austin, TX)"): the server decides the
// labels (board/model/people.py) and /api/people hands them out, so every page and every
// export names a person the same way.

import { getJSON } from "./dom.js";

/** A live directory of the workshop's people: label(id, fallback) and refresh(). */
export class PeopleNames {
  constructor(onChange = () => {}) {
    this.labels = new Map();
    this.onChange = onChange;
    this.loading = null;
  }

  /** The name to show for `id`; someone not known yet (just invited) asks the server again. */
  label(id, fallback = "a participant") {
    const known = this.labels.get(id);
    if (known !== undefined) return known;
    if (id) this.refresh();
    return fallback;
  }

  refresh() {
    if (!this.loading) {
      this.loading = getJSON("/api/people")
        .then(({ people }) => {
          this.labels = new Map(people.map((p) => [p.id, p.label]));
          this.onChange();
        })
        .catch(() => {})
        .finally(() => {
          setTimeout(() => (this.loading = null), 5000); // at most one ask every 5 s
        });
    }
    return this.loading;
  }
}
