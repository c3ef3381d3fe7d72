"""The benchmark runs (its quick mode), so it cannot rot; figures are never asserted here."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.servers import ROOT


def test_the_quick_benchmark_runs_and_every_event_is_delivered(tmp_path) -> None:
    out = tmp_path / "quick.json"
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    figures = json.loads(out.read_text())["median"]
    assert figures["w1"] and all(w["all_delivered"] for w in figures["w1"])
    assert "W1" in done.stdout and "W2" in done.stdout
