"""bench/results/summary.md: our three configurations side by side, and the peer comparison.

Written by `python bench/run.py --summary [--peer-results DIR]` from the JSON of earlier runs,
so the markdown always says exactly what the JSON holds.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from figures import rows
from procs import hot_spots

CONFIGS = ("sqlite", "postgres", "cluster")
PEERS = ("hocuspocus", "ywebsocket", "pycrdt")
SAME_RUN_MINUTES = 45


def _load(path: Path) -> dict[str, Any] | None:
    try:
        doc: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return doc


def _ours(results: Path) -> list[str]:
    docs = {c: _load(results / f"{c}.json") for c in CONFIGS}
    found = {c: d for c, d in docs.items() if d and d.get("runs")}
    if not found:
        return ["No full runs in bench/results yet (`python bench/run.py --config ...`)."]
    out = ["## Brickboard, median of the kept runs per configuration", ""]
    for c, d in found.items():
        m = d["meta"]
        out.append(
            f"- `{c}`: {len(d['runs'])} runs kept, {len(d['discarded'])} discarded as noisy; "
            f"{m['date']}, commit {m['code'].get('commit')}, {m.get('client_processes', 1)} "
            f"load-client processes; `{m['command']}`"
        )
    out.append("")
    table: dict[str, dict[str, str]] = {}
    for c, d in found.items():
        for name, value in rows(d["median"]):
            table.setdefault(name, {})[c] = value
    out.append("| metric | " + " | ".join(found) + " |")
    out.append("|---|" + "---|" * len(found))
    for name, values in table.items():
        cells = [values.get(c, "-").replace("|", "/") for c in found]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return out


def _peer_workloads(doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for w in doc.get("workloads", []):
        key = w["workload"] + (f"n{w['clients']}" if w["workload"] == "W1" else "")
        out[key] = w
    return out


def _get(w: dict[str, Any], *path: str) -> Any:
    for p in path:
        if not isinstance(w, dict) or p not in w:
            return None
        w = w[p]
    return w


def _num(x: Any, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _peers(peer_dir: Path) -> list[str]:
    docs = {p: _load(peer_dir / f"{p}.json") for p in ("brickboard", *PEERS)}
    ours = docs["brickboard"]
    if ours is None:
        return [f"No brickboard.json in {peer_dir}: the peer comparison did not run."]
    # Only peers measured in the same session as Brickboard: ratios across days mislead.
    t0 = datetime.fromisoformat(ours["date"].replace("Z", "+00:00"))
    docs = {
        p: d
        for p, d in docs.items()
        if d
        and abs(datetime.fromisoformat(d["date"].replace("Z", "+00:00")) - t0)
        < timedelta(minutes=SAME_RUN_MINUTES)
    }
    have = {p: _peer_workloads(d) for p, d in docs.items() if d}
    peers = [p for p in PEERS if p in have]
    dates = {p: docs[p]["date"] for p in have if docs[p]}  # type: ignore[index]
    out = [
        "## Against the peers (peer-bench harness, one run)",
        "",
        "Figures from one run of `shared/peer-bench` (its own Node driver and Brickboard "
        "adapter, SQLite); see `peer-summary.md` beside this file for its table. "
        "Dates: " + ", ".join(f"{p} {d}" for p, d in dates.items()) + ". The harness does "
        "not measure the machine's other load; compare its W2 figures with the quiet run in "
        "shared/peer-bench/README.md (Hocuspocus 18-20k, y-websocket 6-11k edits/s) to see "
        "how much a run was slowed.",
        "",
    ]
    metrics: list[tuple[str, tuple[str, ...], str, int]] = [
        ("W1 N=10 p99 (ms)", ("W1n10", "latency_ms", "p99"), "low", 1),
        ("W1 N=50 p50 (ms)", ("W1n50", "latency_ms", "p50"), "low", 1),
        ("W1 N=50 p99 (ms)", ("W1n50", "latency_ms", "p99"), "low", 1),
        ("W1 N=200 p99 (ms)", ("W1n200", "latency_ms", "p99"), "low", 1),
        ("W2 delivered edits/s", ("W2", "edits_per_s"), "high", 0),
        ("W2 server CPU %", ("W2", "server_cpu_pct"), "low", 0),
        ("W3 durable %", ("W3", "durable_pct"), "high", 2),
        ("W4 warm join (ms)", ("W4", "hot_join_ms_median"), "low", 1),
        ("W4 join after restart (ms)", ("W4", "cold_join_ms_median"), "low", 1),
        ("W5 KiB per idle connection", ("W5", "kib_per_connection"), "low", 1),
    ]
    names = ["brickboard", *peers]
    out.append("| metric | " + " | ".join(names) + " |")
    out.append("|---|" + "---|" * len(names))
    for label, path, _, digits in metrics:
        cells = [_num(_get(have[p], *path), digits) for p in names]
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    out += ["", "### Targets (ratios within that one run)", ""]
    out += _targets(have, peers)
    return out


def _targets(have: dict[str, dict[str, Any]], peers: list[str]) -> list[str]:
    bb = have["brickboard"]

    def best(path: tuple[str, ...]) -> tuple[float | None, str]:
        vals = [(v, p) for p in peers if (v := _get(have[p], *path)) is not None]
        return min(vals) if vals else (None, "-")

    lines = []
    p99 = _get(bb, "W1n50", "latency_ms", "p99")
    peer_p99, who = best(("W1n50", "latency_ms", "p99"))
    if p99 is not None and peer_p99:
        ok = p99 <= 1.5 * peer_p99
        lines.append(
            f"- W1 p99 at 50 clients <= 1.5x best peer: {p99:.1f} ms vs {who} {peer_p99:.1f} ms "
            f"= {p99 / peer_p99:.2f}x: **{'met' if ok else 'missed'}**"
        )
    w2 = _get(bb, "W2", "edits_per_s")
    yws = _get(have.get("ywebsocket", {}), "W2", "edits_per_s")
    if w2 is not None:
        vs_yws = "-" if yws is None else ("met" if w2 >= yws else "missed")
        lines.append(
            f"- W2 >= y-websocket: {w2:.0f} vs {_num(yws, 0)} edits/s: **{vs_yws}**; "
            f">= 10,000 edits/s: **{'met' if w2 >= 10_000 else 'missed'}**"
        )
    w3 = _get(bb, "W3", "durable_pct")
    if w3 is not None:
        lines.append(f"- W3 100%: {w3:.2f}%: **{'met' if w3 >= 100 else 'missed'}**")
    w4 = _get(bb, "W4", "hot_join_ms_median")
    peer_w4, who4 = best(("W4", "hot_join_ms_median"))
    if w4 is not None and peer_w4:
        ok = w4 <= 1.25 * peer_w4
        lines.append(
            f"- W4 warm join <= 1.25x best peer: {w4:.1f} ms vs {who4} {peer_w4:.1f} ms "
            f"= {w4 / peer_w4:.2f}x: **{'met' if ok else 'missed'}**"
        )
    w5 = _get(bb, "W5", "kib_per_connection")
    if w5 is not None:
        lines.append(
            f"- W5 <= 40 KiB per connection: {w5:.1f}: **{'met' if w5 <= 40 else 'missed'}**"
        )
    return lines or ["- (no Brickboard figures to check)"]


def _profiles(results: Path, top: int = 12) -> list[str]:
    """The hot spots of every py-spy profile in results/ (raw collapsed stacks, 100 Hz)."""
    files = sorted(results.glob("profile-*.txt"))
    if not files:
        return []
    out = [
        "## Where the server's time goes (py-spy, main thread)",
        "",
        "Self and inclusive shares of the main thread's samples (it runs the event loop every "
        "op passes through). `Runner.run` self time is the event loop's own C code (uvloop: "
        "epoll, socket reads and writes). The profiled runs are slower than the others.",
    ]
    for f in files:
        h = hot_spots(f, top=top, window_samples=1000)
        out += ["", f"### {f.name}", ""]
        out.append(
            f"Main thread: {h['main_thread_samples']} samples "
            f"({h['main_thread_busy_pct']}% of a 10 s window at 100 Hz)."
        )
        out += ["", "| self % | function | | inclusive % | function |", "|---|---|---|---|---|"]
        selfs, incl = h["main_self_pct"], h["main_inclusive_pct"]
        for i in range(top):
            a = selfs[i] if i < len(selfs) else ("", "")
            b = incl[i] if i < len(incl) else ("", "")
            out.append(f"| {a[1]} | `{a[0]}` | | {b[1]} | `{b[0]}` |")
    return out


def write_summary(results: Path, peer_dir: Path | None) -> Path:
    lines = ["# Benchmark summary", ""]
    lines += [
        "Written by `python bench/run.py --summary` from the JSON files beside it. The machine is "
        "a shared 2-core VM: compare ratios within one run, read medians, and see each JSON's "
        "`other_cpu_pct` for how noisy a window was. bench/README.md says what each figure means.",
        "",
    ]
    lines += _ours(results)
    if peer_dir is not None:
        lines += ["", *_peers(peer_dir)]
    lines += ["", *_profiles(results)]
    out = results / "summary.md"
    out.write_text("\n".join(lines) + "\n")
    return out
