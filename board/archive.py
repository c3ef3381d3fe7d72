"""The workshop ZIP: the whole workshop, complete and self-contained, as one person may see it.

    index.html                          browse it all offline (no script)
    manifest.json                       what it holds, and the SHA-256 of every file
    SHA256SUMS                          the same checksums, for `sha256sum -c`
    pre-read.html
    boards/<city>/board.json            the board now (schemas/board-export.schema.json)
    boards/<city>/action-plan.html      the plan from the board now, in every format
    boards/<city>/action-plan.md
    boards/<city>/actions.csv
    boards/<city>/actions.ics
    boards/<city>/activity.csv          who did what, when, from the op log
    boards/<city>/snapshots/<label>-<id>.json

Everything is read once through the store's reader of committed state (the workshop and its
people, then each board and all snapshots) and cut by the visibility rule for the person
exporting: a facilitator's archive made during private writing or an unrevealed blind round
holds nobody's hidden cards or dots but their own, exactly what they see on screen (the
command line's, made for no one, holds none). The rendering and zipping are pure and run in a
worker thread. `python run.py import-workshop` reads it back (archive_import.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from board import exporting
from board.codec import decode
from board.exports import render
from board.exports.activity import activity_csv
from board.exports.archive_index import BoardEntry, index_document
from board.exports.names import slug
from board.model import load_template
from board.model.visibility import Viewer
from board.store import SnapshotRow, Store
from board.store.reader import WorkshopRecords
from board.timeutil import now_iso

FORMAT = "brickboard.archive"
VERSION = 1
PLAN_FILES = {
    "plan.html": "action-plan.html",
    "plan.md": "action-plan.md",
    "actions.csv": "actions.csv",
    "actions.ics": "actions.ics",
}


@dataclass(slots=True)
class _Board:
    """One board as read for the archive."""

    now: exporting.View
    snapshots: list[exporting.View]
    events: list[dict[str, Any]]
    """Its op log as the viewer may see it."""


def _who(viewer: Viewer, records: WorkshopRecords) -> dict[str, str] | None:
    viewer_id = viewer if isinstance(viewer, str) or viewer is None else viewer.id
    person = next((p for p in records.people if p.id == viewer_id), None)
    return {"id": person.id, "name": person.name, "role": person.role} if person else None


def holds_sentence(who: dict[str, str] | None) -> str:
    if who is None:
        return (
            "Everything on the boards but what was still hidden (private writing or blind dots "
            "not yet revealed) when it was exported."
        )
    return (
        f"Everything {who['name']} ({who['role']}) could see when exporting: the boards, "
        "with nobody's hidden cards or dots but their own (private writing or blind dots not "
        "yet revealed)."
    )


async def workshop_zip(store: Store, workshop_id: str, viewer: Viewer) -> bytes:
    """The workshop as `viewer` may see it, as a ZIP (LookupError: no such workshop)."""
    records = await store.reader.workshop(workshop_id)
    if records is None:
        raise LookupError("There is no such workshop.")
    template = load_template(records.workshop.template)
    snapshots = await store.reader.snapshots([b.id for b in records.boards])
    boards = []
    for board in records.boards:
        state = await store.reader.board_state(board, template)
        log = await store.reader.ops(board.id)
        boards.append(
            _Board(
                now=exporting.now_view(board, state, viewer),
                snapshots=[exporting.snapshot_view(board, s, viewer) for s in snapshots[board.id]],
                events=[decode(r.seen_by(viewer)) for r in log],
            )
        )
    return await asyncio.to_thread(_build, records, boards, _who(viewer, records))


def _folders(boards: list[_Board]) -> list[str]:
    """`boards/<city>`, unique: a second board of the same city gets `-2`."""
    taken: set[str] = set()
    folders = []
    for item in boards:
        base = slug(item.now.board.city or item.now.board.title)
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name)
        folders.append(f"boards/{name}")
    return folders


def _snapshot_file(snap: SnapshotRow) -> str:
    return f"snapshots/{slug(snap.label, 'snapshot')}-{snap.id}.json"


def _checksums(files: dict[str, bytes]) -> list[tuple[str, int, str]]:
    return [(n, len(d), hashlib.sha256(d).hexdigest()) for n, d in sorted(files.items())]


def _manifest(
    records: WorkshopRecords,
    who: dict[str, str] | None,
    exported_at: str,
    boards: list[dict[str, Any]],
    files: dict[str, bytes],
) -> dict[str, Any]:
    """What the archive holds, for people and for `import-workshop`: the workshop, its people
    (without their invite tokens), its boards and snapshots, and every file's SHA-256."""
    w = records.workshop
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": exported_at,
        "exported_for": who,
        "holds": holds_sentence(who),
        "workshop": {
            "id": w.id,
            "title": w.title,
            "venue": w.venue,
            "timezone": w.timezone,
            "template": w.template,
            "template_version": w.template_version,
            "days": w.days,
            "created_at": w.created_at,
        },
        "people": [
            {
                "id": p.id,
                "name": p.name,
                "role": p.role,
                "city": p.city,
                "organisation": p.organisation,
                "revoked": p.revoked,
            }
            for p in records.people
        ],
        "closed_days": [{"day": day, **info} for day, info in sorted(records.closed_days.items())],
        "boards": boards,
        "files": [
            {"path": name, "bytes": size, "sha256": digest}
            for name, size, digest in _checksums(files)
        ],
    }


def _index(
    records: WorkshopRecords,
    who: dict[str, str] | None,
    exported_at: str,
    entries: list[BoardEntry],
) -> str:
    workshop = records.workshop
    people = [p for p in records.people if not p.revoked]
    return render.html(
        index_document(
            title=workshop.title,
            venue=workshop.venue,
            timezone=workshop.timezone,
            dates=[d["date"] for d in workshop.days if d.get("date")],
            exported_at=exported_at,
            exported_for=holds_sentence(who),
            boards=entries,
            people=[(p.name, p.role, p.city, p.organisation) for p in people],
            days=[
                (
                    f"Day {d['day']}",
                    d.get("date", ""),
                    "closed" if d["day"] in records.closed_days else "open",
                )
                for d in workshop.days
            ],
        )
    )


def _build(records: WorkshopRecords, boards: list[_Board], who: dict[str, str] | None) -> bytes:
    workshop = records.workshop
    names = records.names()
    roles = {p.id: p.role for p in records.people}
    sections = {s["id"]: s["title"] for s in load_template(workshop.template).raw["sections"]}
    exported_at = now_iso()
    files: dict[str, bytes] = {}
    entries, listed = [], []

    def put(name: str, text: str) -> None:
        files[name] = text.encode("utf-8")

    for folder, item in zip(_folders(boards), boards, strict=True):
        board, now = item.now.board, item.now
        put(f"{folder}/board.json", exporting.board_json(now, workshop.title))
        plan = exporting.plan_of(records, now)
        for fmt, file in PLAN_FILES.items():
            put(f"{folder}/{file}", exporting.render_plan(plan, fmt))
        log = activity_csv(
            item.events, names=names, roles=roles, sections=sections, timezone=workshop.timezone
        )
        put(f"{folder}/activity.csv", log)
        snaps = []
        for view in item.snapshots:
            assert view.snapshot is not None
            file = _snapshot_file(view.snapshot)
            put(f"{folder}/{file}", exporting.board_json(view, workshop.title))
            snaps.append({**view.snapshot.meta(), "file": f"{folder}/{file}"})
        entries.append(
            BoardEntry(
                city=board.city,
                title=now.state["title"] or board.title,
                initiative=now.state["initiative"],
                mayor=names.get(board.mayor or "", ""),
                folder=folder,
                seq=now.state["seq"],
                edits=len(item.events),
                snapshots=[
                    (s["label"], s["taken_at"], s["seq"], s["file"].removeprefix(folder + "/"))
                    for s in snaps
                ],
            )
        )
        listed.append(
            {
                "id": board.id,
                "city": board.city,
                "title": board.title,
                "initiative": board.initiative,
                "theme": board.theme,
                "mayor": board.mayor,
                "brief": board.brief,
                "folder": folder,
                "state": f"{folder}/board.json",
                "seq": now.state["seq"],
                "snapshots": snaps,
            }
        )
    put("pre-read.html", exporting.pre_read_of(records, [b.now for b in boards]))
    put("index.html", _index(records, who, exported_at, entries))
    manifest = _manifest(records, who, exported_at, listed, files)
    put("manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    put("SHA256SUMS", "".join(f"{digest}  {name}\n" for name, _, digest in _checksums(files)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ("index.html", *sorted(n for n in files if n != "index.html")):
            zf.writestr(name, files[name])
    return buffer.getvalue()
