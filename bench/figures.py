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


def _cpu(w: dict[str, Any]) -> str:
    busiest = _f(w.get("client_cpu_max_process_pct"), 0)
    parts = [
        f"server {_f(w.get('server_cpu_pct'), 0)}",
        f"clients {_f(w.get('client_cpu_pct'), 0)} (busiest {busiest})",
    ]
    if w.get("db_cpu_pct") is not None:
        parts.append(f"postgres {_f(w['db_cpu_pct'], 0)}")
    if w.get("broker_cpu_pct") is not None:
        parts.append(f"redis {_f(w['broker_cpu_pct'], 0)}")
    parts.append(f"other {_f(w.get('other_cpu_pct'), 0)}")
    return " / ".join(parts)


def _per_op(w: dict[str, Any]) -> str:
    """CPU time per acknowledged op (each with 9 deliveries in W2): what an op costs."""
    rate = w.get("acked_per_s") or 0
    if not rate:
        return "-"
    server = 10 * (w.get("server_cpu_pct") or 0) / rate
    client = 10 * (w.get("client_cpu_pct") or 0) / rate
    return f"{server:.3f} / {client:.3f}"


def _lat(lat: dict[str, Any]) -> str:
    return " / ".join(_f(lat.get(k)) for k in ("p50", "p95", "p99", "max"))


def rows(figures: dict[str, Any]) -> list[tuple[str, str]]:
    """The headline figures of one run (or of the medians) as (name, value) rows."""
    out: list[tuple[str, str]] = []
    for w in figures["w1"]:
        n = w["clients"]
        out.append((f"W1 N={n} latency p50 / p95 / p99 / max (ms)", _lat(w["latency_ms"])))
        out.append(
            (
                f"W1 N={n} deliveries",
                f"{_f(w['deliveries'], 0)}/{_f(w['deliveries_expected'], 0)}"
                f"  (acked {_f(w['ops_acked'], 0)}/{_f(w['ops_sent'], 0)})",
            )
        )
        out.append((f"W1 N={n} CPU %", _cpu(w)))
    w2 = figures["w2"]
    out += [
        (
            f"W2 acked ops/s ({w2['boards']}x{w2['clients_per_board']} clients, "
            f"window {w2['window_per_client']})",
            _f(w2["acked_per_s"], 0),
        ),
        ("W2 fully delivered ops/s (peer-bench 'edits/s')", _f(w2["delivered_per_s"], 0)),
        (
            "W2 acked / sent, all delivered",
            f"{_f(w2['ops_acked'], 0)}/{_f(w2['ops_sent'], 0)}, {w2['all_delivered']}",
        ),
        (
            "W2 ack latency p50 / p99 / max (ms)",
            " / ".join(_f(w2["ack_latency_ms"][k]) for k in ("p50", "p99", "max")),
        ),
        ("W2 CPU %", _cpu(w2)),
        ("W2 CPU ms per acked op: server / clients", _per_op(w2)),
        (
            "W2 server RSS peak sampled / VmHWM (MiB)",
            f"{_f(w2['server_rss_peak_mib'])} / {_f(w2['server_vm_hwm_mib'])}",
        ),
    ]
    w3 = figures.get("w3")
    if w3:
        stops = ", ".join(
            f"{_f(e['stop_s'], 2)} s exit {_f(e['exit_code'], 0)}" for e in w3["stop"]
        )
        out += [
            (
                "W3 acked ops present after SIGTERM + restart",
                f"{_f(w3['acked_present'], 0)}/{_f(w3['ops_acked'], 0)}"
                f" ({_f(w3['durable_pct'], 2)}%)",
            ),
            ("W3 stop", stops),
        ]
    w4 = figures.get("w4")
    if w4:
        out += [
            (
                f"W4 join of a {_f(w4['cards'], 0)}-card board warm / after restart (ms)",
                f"{_f(w4['warm_join_ms_median'])} / {_f(w4['cold_join_ms_median'])}",
            ),
            (
                "W4 welcome size (KiB), fill rate (ops/s)",
                f"{_f(w4['welcome_kib'], 0)}, {_f(w4['fill_ops_per_s'], 0)}",
            ),
        ]
    w5 = figures.get("w5")
    if w5:
        out += [
            (
                f"W5 KiB per idle connection ({_f(w5['clients'], 0)} over "
                f"{_f(w5['boards'], 0)} boards)",
                _f(w5["kib_per_connection"]),
            ),
            (
                "W5 server RSS 0 -> all connected (MiB)",
                f"{_f(w5['rss_idle_mib'])} -> {_f(w5['rss_loaded_mib'])}",
            ),
        ]
    w6 = figures.get("w6")
    if w6:
        out += [
            (
                f"W6 day close of {_f(w6['boards'], 0)} boards: time (ms), snapshots",
                f"{_f(w6['close_ms'], 0)}, {_f(w6['snapshots'], 0)} (HTTP {w6['close_status']})",
            ),
            (
                f"W6 W1 N={w6['without']['clients']} p99 without / with the close (ms)",
                f"{_f(w6['p99_without_ms'])} / {_f(w6['p99_with_ms'])}"
                f"  (x{_f(w6['p99_ratio'], 2)})",
            ),
            (
                "W6 ops sent during the close: p50 / p95 / p99 / max (ms)",
                _lat(w6["latency_ms_of_ops_sent_during_close"]),
            ),
        ]
    return out


def table(figures: dict[str, Any], title: str) -> str:
    """The figures of one run (or the medians of several) as a small text table."""
    lines = rows(figures)
    width = max(len(r[0]) for r in lines)
    text = [title, "-" * len(title)]
    text += [f"{name:<{width}}  {value}" for name, value in lines]
    return "\n".join(text)


def trouble_lines(figures: dict[str, Any]) -> list[str]:
    """One line per workload where something went wrong (errors, closes, seq gaps, losses)."""
    w6 = figures.get("w6") or {}
    measured = [*figures["w1"], figures["w2"]]
    measured += [w6[k] for k in ("without", "with_close") if k in w6]
    out = []
    for w in measured:
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
        if not w["board_seq_matches_sent"]:
            problems.append("a board's seq differs from the ops sent to it")
        other = w.get("other_cpu_pct")
        if other is not None and other > 20:
            problems.append(f"other processes used {other:.0f}% CPU meanwhile (noisy figures)")
        busiest = w.get("client_cpu_max_process_pct")
        if busiest is not None and busiest > 85:
            problems.append(f"a load-client process used {busiest:.0f}% of a core (client-bound?)")
        if problems:
            out.append(f"{label}: " + "; ".join(problems))
    w3 = figures.get("w3")
    if w3 and w3["acked_lost"]:
        out.append(f"W3: {w3['acked_lost']} acknowledged ops were missing after the restart")
    w4 = figures.get("w4")
    if w4 and not w4["all_cards_seen"]:
        out.append("W4: a join did not show every card")
    if w6 and w6.get("close_status") != 201:
        out.append(f"W6: the day close failed: {w6.get('close_error')}")
    return out
