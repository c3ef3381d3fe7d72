"""Percentiles, medians across runs, and the printed tables."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any


def percentiles(values: Sequence[float]) -> dict[str, float | int | None]:
    """Nearest-rank p50/p95/p99/max, computed the way the peer harness does."""
    if not values:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None, "mean": None}
    a = sorted(values)

    def q(p: float) -> float:
        return a[min(len(a) - 1, max(0, math.ceil(p * len(a)) - 1))]

    return {
        "n": len(a),
        "p50": q(0.5),
        "p95": q(0.95),
        "p99": q(0.99),
        "max": a[-1],
        "mean": sum(a) / len(a),
    }


def median_tree(runs: Sequence[Any]) -> Any:
    """The median of every number found at the same place in each run's figures.

    Dicts are merged key by key; numbers give their median; anything else (text, lists) is
    taken from the first run, since it describes the run rather than measures it.
    """
    first = runs[0]
    if isinstance(first, bool):
        return all(runs)
    if isinstance(first, int | float) or first is None:
        numbers = [r for r in runs if isinstance(r, int | float) and not isinstance(r, bool)]
        return statistics.median(numbers) if numbers else None
    if isinstance(first, dict):
        keys = [k for k in first if all(isinstance(r, dict) and k in r for r in runs)]
        return {k: median_tree([r[k] for r in runs]) for k in keys}
    if isinstance(first, list) and all(
        isinstance(r, list) and len(r) == len(first) and all(isinstance(x, dict) for x in r)
        for r in runs
    ):
        return [median_tree([r[i] for r in runs]) for i in range(len(first))]
    return first


def _f(x: Any, digits: int = 1) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def table(figures: dict[str, Any], title: str) -> str:
    """The figures of one run (or the medians of several) as a small text table."""
    rows: list[tuple[str, str]] = []
    for w in figures["w1"]:
        lat = w["latency_ms"]
        rows.append(
            (
                f"W1 N={w['clients']} latency p50 / p95 / p99 / max (ms)",
                " / ".join(_f(lat[k]) for k in ("p50", "p95", "p99", "max")),
            )
        )
        rows.append(
            (
                f"W1 N={w['clients']} deliveries",
                f"{_f(w['deliveries'], 0)}/{_f(w['deliveries_expected'], 0)}"
                f"  (acked {_f(w['ops_acked'], 0)}/{_f(w['ops_sent'], 0)})",
            )
        )
        rows.append(
            (
                f"W1 N={w['clients']} CPU % server / client / other",
                " / ".join(
                    _f(w[k], 0) for k in ("server_cpu_pct", "client_cpu_pct", "other_cpu_pct")
                ),
            )
        )
    w2 = figures["w2"]
    ack = w2["ack_latency_ms"]
    rows += [
        (
            f"W2 acked ops/s ({w2['boards']}x{w2['clients_per_board']} clients, "
            f"window {w2['window_per_client']})",
            _f(w2["acked_per_s"], 0),
        ),
        ("W2 fully delivered ops/s (peer-bench 'edits/s')", _f(w2["delivered_per_s"], 0)),
        (
            "W2 fully delivered / sent",
            f"{_f(w2['fully_delivered_total'], 0)}/{_f(w2['ops_sent'], 0)}",
        ),
        ("W2 ack latency p50 / p99 / max (ms)", " / ".join(_f(ack[k]) for k in ack)),
        ("W2 server CPU %", _f(w2["server_cpu_pct"], 0)),
        (
            "W2 server RSS peak sampled / VmHWM (MiB)",
            f"{_f(w2['server_rss_peak_mib'])} / {_f(w2['server_vm_hwm_mib'])}",
        ),
        ("W2 client (this process) CPU %", _f(w2["client_cpu_pct"], 0)),
        ("W2 other processes CPU % (noise)", _f(w2["other_cpu_pct"], 0)),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [title, "-" * len(title)]
    lines += [f"{name:<{width}}  {value}" for name, value in rows]
    return "\n".join(lines)


def trouble_lines(figures: dict[str, Any]) -> list[str]:
    """One line per workload where something went wrong (errors, closes, seq gaps, losses)."""
    out = []
    for w in [*figures["w1"], figures["w2"]]:
        t = w["trouble"]
        label = f"{w['workload']}" + (f" N={w['clients']}" if w["workload"] == "W1" else "")
        problems = []
        if t["error_frames"]:
            problems.append(f"error frames {t['error_frames']}")
        if t["unexpected_closes"]:
            codes = sorted({str(c["code"]) for c in t["unexpected_closes"]})
            problems.append(f"{len(t['unexpected_closes'])} sockets closed (codes {codes})")
        if t["seq_anomalies"]:
            problems.append(f"{t['seq_anomalies']} seq gaps/repeats")
        if not w["all_delivered"]:
            problems.append("not every op reached every other client")
        if w["workload"] == "W2" and not w["board_seq_matches_sent"]:
            problems.append("a board's seq differs from the ops sent to it")
        other = w.get("other_cpu_pct")
        if other is not None and other > 20:
            problems.append(f"other processes used {other:.0f}% CPU meanwhile (noisy figures)")
        if problems:
            out.append(f"{label}: " + "; ".join(problems))
    return out
