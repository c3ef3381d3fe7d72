// Runs the browser's stage reducer (static/js/stage.js) under Node for test_stage_mirror.py:
// reads {sectionIds, runs: [{state, steps: [{op, ctx}]}]} on stdin, prints per step the
// refusal or the resulting stage state, in the wire shape the Python side prints.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const stage = await import(pathToFileURL(process.argv[2]).href);
const input = JSON.parse(readFileSync(0, "utf8"));

const out = input.runs.map((run) => {
  const state = structuredClone(run.state);
  return run.steps.map(({ op, ctx }) => {
    const result = stage.applyStage(state, op, { ...ctx, sectionIds: input.sectionIds });
    // Copied now: later steps change the same objects in place.
    return stage.isRefusal(result) ? { refusal: result } : { state: structuredClone(state) };
  });
});
process.stdout.write(JSON.stringify(out));
