"""`python run.py import-workshop w.zip`: a whole workshop back from its archive (archive.py).

Everything is checked before anything is written: the ZIP's size, the manifest, the SHA-256
of every file, every board and snapshot against schemas/board-export.schema.json and the
canvas template, and that this database does not hold the workshop already. Then the
workshop, its people, boards, snapshots and closed days are written in one transaction
(board/store/importing.py), keeping their ids, so the archive's links and references still
hold. Invite tokens are never in an archive: everyone gets a new one.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from board.archive import FORMAT, VERSION
from board.codec import encode
from board.exporting import ImportRefused, parse_export
from board.model.history import content_hash
from board.model.permissions import Role
from board.roster import new_id, new_join_code, new_token
from board.store import BoardRow, ParticipantRow, SnapshotRow, Store, WorkshopRow
from board.store.importing import clashes, insert_workshop

ARCHIVE_MAX = 512 * 1024 * 1024
"""Bytes of an archive's files, unpacked, read at most (a ZIP can claim much more)."""
FILES_MAX = 20_000


@dataclass(frozen=True, slots=True)
class Imported:
    workshop: WorkshopRow
    boards: int
    snapshots: int
    people: int


def _refuse(why: str) -> ImportRefused:
    return ImportRefused(f"{why} Nothing was imported.")


def _open(data: bytes) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _refuse("This is not a ZIP file.") from None
    infos = archive.infolist()
    if len(infos) > FILES_MAX or sum(i.file_size for i in infos) > ARCHIVE_MAX:
        raise _refuse(f"This archive is larger than {ARCHIVE_MAX // 2**20} MiB unpacked.")
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except KeyError:
        raise _refuse("This ZIP has no manifest.json: it is not a Brickboard archive.") from None
    except (ValueError, zipfile.BadZipFile) as exc:
        raise _refuse(f"Its manifest.json cannot be read ({exc}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse("Its manifest.json is not a Brickboard archive's.")
    if manifest.get("version") != VERSION:
        raise _refuse(f"It is an archive of version {manifest.get('version')}; this is {VERSION}.")
    return archive, manifest


def _files(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> dict[str, bytes]:
    """Every file the manifest lists, each checked against its SHA-256."""
    listed = {f["path"]: f["sha256"] for f in manifest.get("files", [])}
    extra = set(archive.namelist()) - set(listed) - {"manifest.json", "SHA256SUMS"}
    if extra:
        raise _refuse(f"It holds files its manifest does not list ({sorted(extra)[0]}).")
    files = {}
    for path, digest in listed.items():
        try:
            data = archive.read(path)
        except (KeyError, zipfile.BadZipFile):
            raise _refuse(f"The archive is damaged: {path} is missing or unreadable.") from None
        if hashlib.sha256(data).hexdigest() != digest:
            raise _refuse(f"The archive is damaged: {path} does not match its SHA-256.")
        files[path] = data
    return files


def _state(files: dict[str, bytes], path: str, board_id: str, workshop_id: str) -> dict[str, Any]:
    """A board export of the archive, checked, as its raw state (exactly as exported)."""
    if path not in files:
        raise _refuse(f"The manifest names {path}, which the archive does not hold.")
    try:
        export = parse_export(files[path])
    except ImportRefused as refused:
        raise _refuse(f"{path}: {refused}") from None
    state = json.loads(files[path])["board"]
    if export.board.id != board_id or export.workshop.id != workshop_id:
        raise _refuse(f"{path} is another board's (or another workshop's).")
    return state


def _people(manifest: dict[str, Any], workshop_id: str) -> list[ParticipantRow]:
    roles = {r.value for r in Role}
    people = []
    for p in manifest.get("people", []):
        if p.get("role") not in roles or not str(p.get("name", "")).strip():
            raise _refuse(f"Its manifest lists a person it cannot use ({p.get('id')}).")
        people.append(
            ParticipantRow(
                id=p["id"],
                workshop=workshop_id,
                name=p["name"],
                role=p["role"],
                city=p.get("city") or "",
                organisation=p.get("organisation") or "",
                token=new_token(),  # invite links are re-issued, never carried in an archive
                revoked=bool(p.get("revoked")),
            )
        )
    return people


async def import_workshop(store: Store, data: bytes) -> Imported:
    """Bring the archive's workshop into this database, or raise ImportRefused saying why."""
    archive, manifest = _open(data)
    files = _files(archive, manifest)
    w = manifest.get("workshop") or {}
    if not w.get("id") or not w.get("title"):
        raise _refuse("Its manifest names no workshop.")
    workshop = WorkshopRow(
        id=w["id"],
        title=w["title"],
        venue=w.get("venue") or "",
        timezone=w.get("timezone") or "UTC",
        template=w.get("template") or "innovation-canvas",
        template_version=int(w.get("template_version") or 1),
        days=list(w.get("days") or []),
        created_at=w.get("created_at") or "",
        join_code=new_join_code(),
    )
    people = _people(manifest, workshop.id)
    ids = {p.id for p in people}
    boards, states, snapshots = [], [], []
    for entry in manifest.get("boards", []):
        state = _state(files, entry.get("state", ""), entry.get("id"), workshop.id)
        mayor = entry.get("mayor")
        boards.append(
            BoardRow(
                id=entry["id"],
                workshop=workshop.id,
                title=state["title"],
                city=state["city"],
                initiative=state["initiative"],
                theme=state["theme"],
                mayor=mayor if mayor in ids else None,
                brief=state.get("brief") or {},
            )
        )
        states.append((entry["id"], state["seq"], encode(state)))
        for meta in entry.get("snapshots", []):
            frozen = _state(files, meta.get("file", ""), entry["id"], workshop.id)
            snapshots.append(
                SnapshotRow(
                    id=meta["id"],
                    board=entry["id"],
                    seq=frozen["seq"],
                    label=str(meta.get("label") or "Snapshot")[:200],
                    kind=str(meta.get("kind") or "manual")[:20],
                    day=meta.get("day"),
                    taken_by=meta.get("taken_by"),
                    taken_at=meta.get("taken_at") or "",
                    hash=content_hash(frozen),  # of what the archive holds
                    state=encode(frozen),
                )
            )
    stage = BoardRow(new_id("st"), workshop.id, "Stage", "", "", "", None, kind="stage")
    found = await clashes(
        store, workshop.id, list(ids), [b.id for b in boards], [s.id for s in snapshots]
    )
    if workshop.id in found:
        raise _refuse(
            f"This database already holds the workshop \u201c{workshop.title}\u201d "
            f"({workshop.id}): an archive brings a workshop to a server that does not have it."
        )
    if found:
        raise _refuse(f"This database already holds some of its records ({found[0]}).")
    days = [d for d in manifest.get("closed_days", []) if isinstance(d.get("day"), int)]
    await insert_workshop(store, workshop, people, [stage, *boards], states, snapshots, days)
    return Imported(workshop, len(boards), len(snapshots), len(people))
