"""Signing a browser in with an invite link (`/join/{token}`), without login CSRF.

Any site can send a browser to `/join/<someone's token>`. On a browser that nobody is signed in
on, that is the link doing its job. On a browser already signed in as someone else, switching
silently would let another site sign a mayor's laptop in as a person of its choosing (whose
cards the mayor would then write); so the browser is asked first, and the switch is a POST from
our own page (Origin checked), which another site cannot make.
"""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from board.auth import SESSION_COOKIE
from board.errors import ErrorCode
from board.http import SESSION_DAYS, ApiError, home_of
from board.services import Services
from board.store import ParticipantRow

NOT_VALID = "This invite link is not valid (it may have been revoked); ask the facilitator."


def _services(request: Request) -> Services:
    return request.app.state.services


async def _invited(request: Request) -> ParticipantRow:
    participant = await _services(request).store.participant_by_token(request.path_params["token"])
    if participant is None:
        raise ApiError(ErrorCode.NOT_FOUND, NOT_VALID)
    return participant


async def _signed_in(request: Request) -> ParticipantRow | None:
    secret = request.cookies.get(SESSION_COOKIE)
    return await _services(request).store.session_participant(secret) if secret else None


async def join(request: Request) -> Response:
    """GET /join/{token}: sign in, unless this browser is someone else's: then ask."""
    invited = await _invited(request)
    current = await _signed_in(request)
    if current is not None and current.id != invited.id:
        # A form POST carries `Origin: null` under the site-wide no-referrer policy, so this
        # page asks for its real origin on same-origin requests (the switch checks it).
        headers = {"cache-control": "no-store", "referrer-policy": "same-origin"}
        return HTMLResponse(_ask_page(current, invited), headers=headers)
    return await _sign_in(request, invited)


async def switch(request: Request) -> Response:
    """POST /join/{token}: the "switch" button of the page above, from our own origin only."""
    if not _from_our_page(request):
        raise ApiError(
            ErrorCode.FORBIDDEN,
            "Switching who is signed in works from this server's own page only.",
        )
    return await _sign_in(request, await _invited(request))


def _from_our_page(request: Request) -> bool:
    """A POST our own page made: its Origin is ours, or (a browser that sends `Origin: null`
    under our no-referrer policy) the browser itself says it came from the same origin. No
    other site can set either header."""
    origin = request.headers.get("origin")
    if origin not in (None, "null"):
        return _services(request).origins.allows(origin)
    return request.headers.get("sec-fetch-site") == "same-origin"


async def _sign_in(request: Request, participant: ParticipantRow) -> Response:
    services = _services(request)
    secret = await services.store.create_session(participant.id)
    response = RedirectResponse(await home_of(services.store, participant), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=SESSION_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=services.settings.https,
        path="/",
    )
    return response


def _text(value: str) -> str:
    """A person's own words, escaped, in their own direction (Arabic and Hebrew names)."""
    return f'<span dir="auto">{escape(value)}</span>'


def _who(p: ParticipantRow) -> str:
    extra = f", {_text(p.city)}" if p.city else ""
    return f"{_text(p.name)} ({escape(p.role)}{extra})"


def _ask_page(current: ParticipantRow, invited: ParticipantRow) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Switch who is signed in? · Brickboard</title>
  <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/static/css/base.css">
  <link rel="stylesheet" href="/static/css/boards.css">
</head>
<body class="list-page welcome">
  <main class="switch">
    <p class="brand">Brickboard</p>
    <h1>Switch who is signed in?</h1>
    <p>This browser is signed in as <strong>{_who(current)}</strong>.</p>
    <p>The link you opened is the invitation of <strong>{_who(invited)}</strong>. Open it
    only if it is yours: everything done in this browser afterwards is done as that person.</p>
    <form method="post" class="choices">
      <button class="primary" type="submit">Switch to {_text(invited.name)}</button>
      <a href="/">Stay signed in as {_text(current.name)}</a>
    </form>
  </main>
</body>
</html>
"""


routes = [
    Route("/join/{token}", join, methods=["GET"]),
    Route("/join/{token}", switch, methods=["POST"]),
]
