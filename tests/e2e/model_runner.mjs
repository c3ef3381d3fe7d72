// Runs the browser reducer (static/js/model.js) under Node for test_model_mirror.py:
// reads {template, runs: [{state, steps: [{op, ctx}]}]} on stdin, prints per step the refusal
// or the resulting state, in the wire shape the Python side prints.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const model = await import(pathToFileURL(process.argv[2]).href);
const input = JSON.parse(readFileSync(0, "utf8"));
const template = model.makeTemplate(input.template);

const wire = (s) => ({
  title: s.title,
  initiative: s.initiative,
  theme: s.theme,
  brief: s.brief,
  seq: s.seq,
  sections: Object.fromEntries(s.sections),
  cards: Object.fromEntries(s.cards),
});

const out = input.runs.map((run) => {
  const state = model.fromWire(run.state);
  return run.steps.map(({ op, ctx }) => {
    const result = model.apply(state, op, { ...ctx, template });
    // Copied now: later steps change the same arrays and objects in place.
    return model.isRefusal(result) ? { refusal: result } : { state: JSON.parse(JSON.stringify(wire(state))) };
  });
});
process.stdout.write(JSON.stringify(out));
