"""`--certfile/--keyfile`: the board over HTTPS and WSS, with Secure session cookies."""

from __future__ import annotations

import json
import ssl
import subprocess
import urllib.error
import urllib.request

import pytest
from websockets.asyncio.client import connect

from tests.conftest import board_of, token_of
from tests.servers import Server, sqlite_url


@pytest.fixture
def db_url(tmp_path) -> str:
    """SQLite only: what this module tests does not depend on the database."""
    return sqlite_url(tmp_path / "brickboard.db")


@pytest.fixture
def tls_server(db_url, demo, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: off
    srv = Server(db=db_url, extra=("--certfile", str(cert), "--keyfile", str(key)))
    srv.scheme = "https"
    yield srv.start()
    srv.stop()


def _context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    return context


async def test_https_and_wss_serve_the_board_and_cookies_are_secure(tls_server, demo):
    base = f"https://127.0.0.1:{tls_server.port}"

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=_context()), NoRedirect
    )
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(f"{base}/join/{token_of(demo, 'expert')}")
    assert redirect.value.code == 303
    assert "secure" in redirect.value.headers["set-cookie"].lower()
    async with connect(
        f"wss://127.0.0.1:{tls_server.port}/ws/boards/{board_of(demo)}",
        ssl=_context(),
        compression=None,
    ) as ws:
        hello = {"type": "hello", "client": "tls", "since": None, "token": token_of(demo, "expert")}
        await ws.send(json.dumps(hello))
        assert '"type":"welcome"' in await ws.recv()
