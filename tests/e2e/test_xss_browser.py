"""A hundred-odd hostile payloads in every place a person can type (card text and fields,
titles, the brief, comments, people's names), rendered by Chromium on the board, the projector,
the history, the console and the exported documents: no script runs and no element gains an
event handler. The pages are served with a Content-Security-Policy that forbids inline script.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.conftest import token_of
from tests.e2e.conftest import OpenPage
from tests.servers import Server, run_cli
from tests.wsclient import Client

pytestmark = pytest.mark.browser

HOOK = "window.__xss=1"
CORES = [
    f"<script>{HOOK}</script>",
    f"<img src=x onerror={HOOK}>",
    f'<img src="x" onerror="{HOOK}">',
    f"<svg onload={HOOK}>",
    f"<svg><script>{HOOK}</script></svg>",
    f"<body onload={HOOK}>",
    f"<iframe srcdoc='<script>parent.{HOOK}</script>'></iframe>",
    f"<details open ontoggle={HOOK}>",
    f"<input autofocus onfocus={HOOK}>",
    f"<video><source onerror={HOOK}></video>",
    f"<a href=javascript:{HOOK}>click</a>",
    f"<math><mtext><table><mglyph><style><img src=x onerror={HOOK}>",
    f"<marquee onstart={HOOK}>",
    f"<object data='javascript:{HOOK}'></object>",
    f"<embed src='javascript:{HOOK}'>",
    f"<form><button formaction=javascript:{HOOK}>go</button></form>",
    f"<style>@import 'javascript:{HOOK}';</style>",
    "<base href='http://evil.example/'>",
    "<meta http-equiv=refresh content='0;url=http://evil.example'>",
    f"{{{{constructor.constructor('{HOOK}')()}}}}",
    f"${{{HOOK}}}",
    f"[click](javascript:{HOOK})",
    f"\u003cimg src=x onerror={HOOK}\u003e",
    "<img src=x onerror=&#119;indow.__xss=1>",
    f"<scr<script>ipt>{HOOK}</scr</script>ipt>",
]
WRAPPERS = ["{}", '">{}', "'>{}", "</textarea></title>{}"]
PAYLOADS = [w.format(c) for c in CORES for w in WRAPPERS]  # 100


def _bearer(url: str, token: str) -> tuple[str, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as r:
        return r.read().decode(), dict(r.headers)


async def assert_inert(page: Page, where: str) -> None:
    """No payload ran, and no element carries an inline handler or a javascript: URL."""
    assert await page.evaluate("typeof window.__xss") == "undefined", where
    found = await page.evaluate(
        """() => {
            const bad = [];
            for (const el of document.querySelectorAll('*')) {
              for (const a of el.attributes) {
                if (/^on/i.test(a.name)) bad.push(el.tagName + ' ' + a.name);
                if (/^\\s*javascript:/i.test(a.value)) bad.push(el.tagName + ' ' + a.name);
              }
            }
            for (const s of document.querySelectorAll('script')) {
              if (!s.src || !s.src.startsWith(location.origin + '/static/')) bad.push('script');
            }
            const foreign = ['iframe', 'object', 'embed', 'base', 'svg script',
              'meta[http-equiv]:not([http-equiv="Content-Security-Policy"])'];
            for (const t of foreign) {
              for (const el of document.querySelectorAll(t)) bad.push(t);
            }
            return bad;
        }"""
    )
    assert found == [], (where, found[:5])


async def test_payloads_everywhere_stay_text(
    server: Server, demo: dict[str, Any], tmp_path, open_page: OpenPage
) -> None:
    fac_token = token_of(demo, "facilitator")
    board = demo["boards"][0]["id"]
    # People whose names are payloads, in the same workshop
    workshop = demo["workshop"]["id"]
    for n, payload in enumerate(PAYLOADS[:12]):
        body = json.dumps({"name": payload[:200], "role": "expert", "organisation": payload[:200]})
        request = urllib.request.Request(
            f"{server.url}/api/workshops/{workshop}/participants",
            data=body.encode(),
            method="POST",
            headers={"Authorization": f"Bearer {fac_token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            assert r.status == 201, n
    fac = await Client.open(server.ws_url, board, fac_token)
    for n, payload in enumerate(PAYLOADS):
        section = ["problem_vision", "barriers_risks", "action_plan", "costs_budget"][n % 4]
        card: dict[str, Any] = {
            "id": f"x{n}",
            "section": section,
            "type": "idea",
            "text": payload[:500],
        }
        if section == "barriers_risks":
            card.update(type="barrier", mitigation=payload[:500])
        if section == "action_plan":
            card.update(type="action", owner=payload[:200], horizon="d30")
        result = await fac.op({"kind": "card.add", "card": card, "after": None})
        assert result["type"] == "op", result
        if n % 5 == 0:
            comment = {"id": f"k{n}", "card": f"x{n}", "text": payload}
            assert (await fac.op({"kind": "comment.add", "comment": comment}))["type"] == "op"
    await fac.op(
        {
            "kind": "board.update",
            "set": {
                "title": PAYLOADS[1][:200],
                "initiative": PAYLOADS[5][:300],
                "brief": {"goals": PAYLOADS[2], "questions": PAYLOADS[9]},
            },
        }
    )
    await fac.close()
    stage = json.loads(_bearer(f"{server.url}/api/me", fac_token)[0])["stage"]
    stage_socket = await Client.open(server.ws_url, stage, fac_token)
    await stage_socket.op({"kind": "stage.spotlight", "mode": "board", "board": board})
    await stage_socket.close()
    run_cli("workshop", "links", workshop, "--db", server.db)  # names also go through the CLI

    page = await open_page(fac_token, f"/boards/{board}")
    await expect(page.locator("#connection")).to_have_text("Connected")
    await expect(page.get_by_text(PAYLOADS[0], exact=True).first).to_be_visible()
    await assert_inert(page, "board")
    assert page.js_errors == [], page.js_errors  # CSP violations would show here

    projector = await open_page(token_of(demo, "observer"), "/present")
    await expect(projector.get_by_text(PAYLOADS[4][:40]).first).to_be_attached(timeout=20_000)
    await assert_inert(projector, "projector")

    for path in (f"/boards/{board}/history", "/console"):
        other = await open_page(fac_token, path)
        await other.wait_for_load_state("networkidle")
        await assert_inert(other, path)

    for url in (
        f"/api/boards/{board}/export/plan.html",
        f"/api/workshops/{workshop}/pre-read.html",
    ):
        html, headers = _bearer(f"{server.url}{url}", fac_token)
        assert "<script" not in html.lower()
        assert "script-src" not in headers["content-security-policy"]  # i.e. default-src 'none'
        assert "default-src 'none'" in headers["content-security-policy"]
        doc = await open_page(fac_token, url)
        await assert_inert(doc, url)
        assert PAYLOADS[0] in await doc.inner_text("body")

    _, headers = _bearer(f"{server.url}/boards/{board}", fac_token)
    policy = headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
