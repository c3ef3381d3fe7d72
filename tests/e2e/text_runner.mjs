// Runs static/js/text.js under Node for test_text_mirror.py: reads a list of calls
// [{fn, args}] on stdin and prints, per call, {ok: result} or {error: true} (a TextError).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const text = await import(pathToFileURL(process.argv[2]).href);
const calls = JSON.parse(readFileSync(0, "utf8"));
const out = calls.map(({ fn, args }) => {
  try {
    let result = text[fn](...args.map((a) => (a && a.set ? new Set(a.set) : a)));
    if (result instanceof Set) result = [...result].sort((a, b) => a - b);
    return { ok: result === undefined ? null : result };
  } catch (error) {
    if (error instanceof text.TextError) return { error: true };
    throw error;
  }
});
process.stdout.write(JSON.stringify(out));
