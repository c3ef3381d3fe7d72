// Runs the browser reducer (static/js/model.js) under Node for test_model_mirror.py. Reads
// {template, runs: [{state, steps: [{op, ctx}]}], replicas: [{state, events: [{op, by, at}]}]}
// on stdin and prints {runs, replicas}: per step the refusal or the resulting wire state.
// A replica is one viewer's browser: placeholder events (`op.hidden`) go through
// applyPlaceholder, every other event through apply with no actor, as sync.js does.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const model = await import(pathToFileURL(process.argv[2]).href);
const input = JSON.parse(readFileSync(0, "utf8"));
const template = model.makeTemplate(input.template);

// The wire state plus the text log (BoardState.to_checkpoint), copied now: later steps change
// the same arrays and objects in place.
const wire = (state) => JSON.parse(JSON.stringify(model.toCheckpoint(state, template)));

const runs = input.runs.map((run) => {
  const state = model.fromWire(run.state);
  return run.steps.map(({ op, ctx }) => {
    const result = model.apply(state, op, { ...ctx, template });
    return model.isRefusal(result) ? { refusal: result } : { state: wire(state) };
  });
});

const replicas = input.replicas.map((replica) => {
  const state = model.fromWire(replica.state);
  return replica.events.map((event) => {
    if (event.op.hidden === true) {
      model.applyPlaceholder(state, event);
      return { state: wire(state) };
    }
    const result = model.apply(state, event.op, { at: event.at, by: event.by, actor: null, template });
    return model.isRefusal(result) ? { refusal: result } : { state: wire(state) };
  });
});

process.stdout.write(JSON.stringify({ runs, replicas }));
