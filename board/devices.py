"""Which laptop is asking: a device cookie, and a name for it a facilitator can read aloud."""

from __future__ import annotations

import re
import secrets

DEVICE_COOKIE = "bb_device"
DEVICE_DAYS = 30

_BROWSERS = (  # the first that matches, so the ones that also say "Chrome" come first
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)
_PRINTABLE = re.compile(r"[^\x20-\x7e]")


def new_device_id() -> str:
    return secrets.token_urlsafe(24)


def device_label(user_agent: str) -> str:
    """ "Firefox on Windows", from a User-Agent header (which the asker controls: it is a
    hint for the facilitator, never a proof; the code read aloud is the proof)."""
    browser = next((name for key, name in _BROWSERS if key in user_agent), None)
    system = next((name for key, name in _SYSTEMS if key in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or system or ""
    cleaned = _PRINTABLE.sub("", user_agent).strip()[:60]
    return cleaned or "Unknown browser"
