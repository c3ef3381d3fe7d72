"""File names that say what a file is and keep a city readable: `san-jose-ca-action-plan.html`.

Accented letters are transliterated rather than dropped ("San José, CA" -> `san-jose-ca`, not
`san-jos-ca`): Unicode decomposition strips the accents, and a few letters that do not
decompose are spelled out.
"""

from __future__ import annotations

import re
import unicodedata

SPELLED = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "þ": "th",
        "Þ": "TH",
        "ı": "i",
    }
)

FILE_OF_FORMAT = {
    "plan.html": "action-plan.html",
    "plan.md": "action-plan.md",
    "actions.csv": "actions.csv",
    "actions.ics": "actions.ics",
    "board.json": "board.json",
}
"""The export formats (as the API names them) and the file each one is."""


def slug(text: str, fallback: str = "board") -> str:
    """Lower-case ASCII words joined by hyphens."""
    plain = unicodedata.normalize("NFKD", text.translate(SPELLED))
    ascii_only = plain.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only.lower()).strip("-") or fallback


def export_name(city: str, title: str, fmt: str) -> str:
    """The download name of a board's export: `san-jose-ca-action-plan.html`."""
    return f"{slug(city or title)}-{FILE_OF_FORMAT[fmt]}"
