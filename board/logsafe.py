"""What reaches a log, at any level: never an invite token, a join code, a session or join
cookie, or a bearer token (docs/security.md, "What is logged").

Two libraries print secrets at DEBUG: aiosqlite logs every SQL statement with its parameters
(tokens, join codes), and uvicorn's websocket protocol dumps handshake headers (cookies) and
frames (a program's `hello` carries its token). Those are held at INFO whatever the level,
and a filter on every handler masks secrets in what is left: paths under /join/, cookies and
Authorization headers.
"""

from __future__ import annotations

import logging
import re

QUIET_AT_INFO = ("aiosqlite", "asyncio", "websockets")
"""Loggers never let below INFO: their DEBUG lines carry parameters, headers or frames."""

_SECRETS = [
    (re.compile(r"/join/[^\s\"'?]+"), "/join/…"),
    (re.compile(r"(bb_session|bb_join)=[^;\s\"']+"), r"\1=…"),
    (re.compile(r"(?i)(authorization:?\s*bearer\s+)\S+"), r"\1…"),
    (re.compile(r"(\"token\"\s*:\s*\")[^\"]*"), r"\1…"),
]
_DUMPS = re.compile(r"^[<>] ")
"""uvicorn's websocket DEBUG dumps of headers and frames: '< cookie: …', '< TEXT …'."""


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class SecretFilter(logging.Filter):
    """Drops frame and header dumps, and masks secrets in every other record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO and _DUMPS.match(str(record.msg)):
            return False
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True


def guard_logging() -> None:
    """Install the filter on every handler there is now (root's, uvicorn's) and hold the
    chatty libraries at INFO. Call after logging and uvicorn's log config are set up."""
    for name in QUIET_AT_INFO:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)
    secret_filter = SecretFilter()
    loggers = [
        logging.getLogger(),
        *(logging.getLogger(n) for n in ("uvicorn", "uvicorn.error", "uvicorn.access")),
    ]
    for logger in loggers:
        logger.addFilter(secret_filter)
        for handler in logger.handlers:
            if not any(isinstance(f, SecretFilter) for f in handler.filters):
                handler.addFilter(secret_filter)
