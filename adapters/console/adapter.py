"""Console adapter: reads commands line by line and prints the core's answers as text."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import IO, TYPE_CHECKING, Any

from bot.cards import Card, Digest
from bot.commands import Caller
from bot.delivery import direct
from bot.render import plain

if TYPE_CHECKING:
    from bot.app import Sitrep
    from bot.config.settings import ChannelConfig

log = logging.getLogger(__name__)
PROMPT = "sitrep> "


class ConsoleSender:
    """Posts a digest by printing it; keeps what it printed, for tests."""

    def __init__(self, out: IO[str] | None = None) -> None:
        self.out = out
        self.posted: list[tuple[str, str]] = []

    async def send(self, channel: ChannelConfig, payload: Any, *, idempotency_key: str) -> str | None:
        out = self.out or sys.stdout
        out.write(str(payload) + "\n\n")
        out.flush()
        self.posted.append((channel.name, str(payload)))
        return f"console-{idempotency_key}"

    async def aclose(self) -> None:
        return None


class ConsoleAdapter:
    name = "console"

    def __init__(self, core: Sitrep, *, stdin: IO[str] | None = None, stdout: IO[str] | None = None,
                 user: str | None = None) -> None:
        self.core = core
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.caller = Caller(user=user or direct.console_user(), platform="console", admin=True)
        self._task: asyncio.Task[None] | None = None
        self.finished = asyncio.Event()

    @property
    def interactive(self) -> bool:
        return bool(getattr(self.stdin, "isatty", lambda: False)())

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="console")

    async def stop(self) -> None:
        if self._task and not self._task.done():
            self._task.cancel()
        self.finished.set()

    async def answer(self, line: str) -> str:
        card: Card = await self.core.handle(line, self.caller)
        return plain.render(card)

    async def _loop(self) -> None:
        try:
            while True:
                if self.interactive:
                    self.stdout.write(PROMPT)
                    self.stdout.flush()
                line = await asyncio.to_thread(self.stdin.readline)
                if not line:  # end of input: Ctrl-D, or the end of a piped script
                    break
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                if line in ("/quit", "/exit"):
                    break
                if not self.interactive:
                    self.stdout.write(f"{PROMPT}{line}\n")
                self.stdout.write(await self.answer(line) + "\n\n")
                self.stdout.flush()
        finally:
            self.finished.set()


class ConsolePlugin:
    name = "console"

    def render_digest(self, digest: Digest) -> list[Any]:
        return [plain.digest(digest)]

    def render_card(self, card: Card) -> Any:
        return plain.render(card)

    def sender(self, core: Sitrep) -> ConsoleSender:
        return ConsoleSender()

    def adapter(self, core: Sitrep) -> ConsoleAdapter:
        return ConsoleAdapter(core)

