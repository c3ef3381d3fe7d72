"""Pub/sub between server processes (several processes, one PostgreSQL, one Redis).

The broker only *announces* committed events: the database stays the source of truth. A
process that misses announcements (Redis restarted, a network blip) notices the gap in seq
and fills it from the database, so Redis can come and go without losing anything.

The interface is small (start, stop, subscribe, unsubscribe, publish), after
encode/broadcaster, with the Redis backend the only one: a single process needs no broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import redis.asyncio as redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

log = logging.getLogger("brickboard.broker")

OnMessage = Callable[[str, str], None]
OnReconnect = Callable[[], Awaitable[None]]


class RedisBroker:
    def __init__(self, url: str, on_message: OnMessage, on_reconnect: OnReconnect) -> None:
        self._url = url
        self._on_message = on_message
        self._on_reconnect = on_reconnect
        self._channels: set[str] = set()
        self._client: redis.Redis | None = None
        self._pubsub: redis.client.PubSub | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        self._client = redis.Redis.from_url(self._url, decode_responses=True)
        self._task = asyncio.create_task(self._listen(), name="broker")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.aclose()
        if self._client is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._client.aclose()

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)
        if self._pubsub is not None and self._ready.is_set():
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.subscribe(channel)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        if self._pubsub is not None and self._ready.is_set():
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.unsubscribe(channel)

    async def publish(self, channel: str, message: str) -> None:
        """Announce; a failure is only logged: subscribers fill the gap from the database."""
        assert self._client is not None
        try:
            await self._client.publish(channel, message)
        except (RedisError, OSError) as exc:
            log.warning("could not publish to %s (%s); others will catch up", channel, exc)

    async def _listen(self) -> None:
        """Listen forever, reconnecting with back-off; after each reconnect, rooms catch up."""
        assert self._client is not None
        delay = 0.2
        first = True
        while True:
            try:
                self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
                await self._pubsub.subscribe("brickboard:hello", *self._channels)
                self._ready.set()
                if not first:
                    log.info("broker reconnected; catching up from the database")
                    await self._on_reconnect()
                first, delay = False, 0.2
                async for message in self._pubsub.listen():
                    if message.get("type") == "message":
                        self._on_message(message["channel"], message["data"])
            except asyncio.CancelledError:
                raise
            except (RedisConnectionError, RedisError, OSError) as exc:
                self._ready.clear()
                log.warning("broker connection lost (%s); retrying in %.1f s", exc, delay)
                with contextlib.suppress(RedisError, OSError):
                    await self._pubsub.aclose()  # type: ignore[union-attr]
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                first = False
