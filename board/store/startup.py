"""What happens to a database before it is served: checked, then brought to the head revision.

Every way in goes through `prepare_database` (the server before it listens, every command
that opens the store, `python run.py db upgrade`), so no code ever runs on a damaged file, on a
fresh file that silently replaced a workshop's, or on an old schema.
"""

from __future__ import annotations

import asyncio
import logging

from board.store import integrity, migrate
from board.store.migrate import SCRIPT_LOCATION, Upgrade

log = logging.getLogger("brickboard.store")


async def prepare_database(url: str, script_location: str = SCRIPT_LOCATION) -> Upgrade:
    """Check the database, upgrade it (keeping a copy first), and remember it held a workshop.

    Raises `DatabaseProblem` with a sentence for a person when it must not be used; nothing is
    changed then.
    """
    path = integrity.sqlite_file(url)
    if path is not None:
        await asyncio.to_thread(integrity.check_file, url, path)
        path.parent.mkdir(parents=True, exist_ok=True)
    done = await migrate.upgrade(url, script_location)
    if not done.before.up_to_date:
        log.info("%s", done.describe(url))
    if path is not None and await asyncio.to_thread(integrity.workshops_in, path):
        integrity.note_workshops(path)
    return done
