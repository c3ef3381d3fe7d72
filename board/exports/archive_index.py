"""The archive's index.html: a page that browses the whole workshop ZIP offline.

Plain links between files of the archive, no script (the exported documents' CSP forbids it,
and none is needed): unzip, open index.html, follow the links.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from board.exports.outline import Document, Link, Links, Paragraph, Part, Table
from board.exports.plan import date_range, readable_time

ROLE_LABEL = {
    "facilitator": "Facilitator",
    "mayor": "Mayor",
    "expert": "Expert",
    "observer": "Observer",
}


@dataclass(frozen=True, slots=True)
class BoardEntry:
    """One board's files in the archive, for the index."""

    city: str
    title: str
    initiative: str
    mayor: str
    folder: str
    seq: int
    edits: int
    snapshots: list[tuple[str, str, int, str]] = field(default_factory=list)
    """(label, taken at, seq, file) of each snapshot, oldest first."""


def index_document(
    *,
    title: str,
    venue: str,
    timezone: str,
    dates: list[str],
    exported_at: str,
    exported_for: str,
    boards: list[BoardEntry],
    people: list[tuple[str, str, str, str]],
    days: list[tuple[str, str, str]],
) -> Document:
    """`people`: (name, role, city, organisation); `days`: (day, date, closed)."""
    meta = [
        ("Venue", venue or "\u2014"),
        ("Dates", date_range(dates) or "\u2014"),
        ("Exported", readable_time(exported_at, timezone)),
        ("Holds", exported_for),
    ]
    parts = [
        Part(
            "Start here",
            [
                Links(
                    [
                        Link("Pre-read packet", "pre-read.html", "one chapter per city"),
                        Link(
                            "Manifest",
                            "manifest.json",
                            "what the archive holds, and the SHA-256 of every file",
                        ),
                        Link("Checksums", "SHA256SUMS", "for `sha256sum -c SHA256SUMS`"),
                    ]
                )
            ],
        ),
        Part("Boards", [Paragraph(f"{len(boards)} boards, in the order they were made.")]),
    ]
    for board in boards:
        base = f"{board.folder}/"
        files = [
            Link("Action plan", base + "action-plan.html", "printable"),
            Link("Action plan (Markdown)", base + "action-plan.md"),
            Link("30/60/90 actions (CSV)", base + "actions.csv"),
            Link("Actions calendar (.ics)", base + "actions.ics"),
            Link("The board now (JSON)", base + "board.json", f"seq {board.seq}"),
            Link("Activity log (CSV)", base + "activity.csv", f"{board.edits:,} edits"),
        ]
        snaps = [
            Link(label, base + file, f"{readable_time(taken, timezone)}, seq {seq}")
            for label, taken, seq, file in board.snapshots
        ]
        parts.append(
            Part(
                f"{board.city}: {board.title}" if board.city else board.title,
                [
                    Paragraph(board.mayor or "\u2014", lead="Mayor:"),
                    Paragraph(board.initiative or "\u2014", lead="Initiative:"),
                    Links(files),
                    Paragraph("Snapshots", kind="note"),
                    Links(snaps, "No snapshot yet."),
                ],
                level=3,
            )
        )
    parts += [
        Part(
            "People",
            [
                Table(
                    ["Name", "Role", "City", "Organisation"],
                    [[n, ROLE_LABEL.get(r, r), c, o] for n, r, c, o in people],
                    "Nobody.",
                )
            ],
        ),
        Part(
            "Session days",
            [Table(["Day", "Date", "Closed"], [list(d) for d in days], "No days set.")],
        ),
    ]
    return Document(
        "Workshop archive",
        title,
        meta,
        parts,
        footer="Brickboard \u00b7 closed-door, vendor-free \u00b7 every file of this archive is "
        "listed with its SHA-256 in manifest.json",
    )
