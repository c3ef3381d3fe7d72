"""axe-core in the browser tests: WCAG 2.1 A and AA rules on a page as it is now.

axe-core comes from npm (package.json at the root; `.ci/run` runs `npm ci` when
node_modules is missing). The pages' Content-Security-Policy refuses injected scripts, so a
context that runs axe is opened with bypass_csp=True."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Page

from tests.servers import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
  }));
}"""


def axe_source() -> Path:
    if not AXE.exists():  # never skip quietly: CI installs it
        raise RuntimeError(f"no axe-core at {AXE}: run `npm ci` at the repository root")
    return AXE


async def violations(page: Page) -> list[dict[str, Any]]:
    """The WCAG 2.1 AA violations axe-core finds on `page` now (none is the goal)."""
    if not await page.evaluate("typeof window.axe === 'object'"):
        await page.add_script_tag(path=str(axe_source()))
    return await page.evaluate(RUN, TAGS)
