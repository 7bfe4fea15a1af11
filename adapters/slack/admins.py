"""Who may run admin commands in Slack: listed users, or members of listed user groups.

`slack.admins` holds user IDs (U…, or W… on Enterprise Grid) and user group IDs (S…). Group
members come from `usergroups.users.list` and are kept for a short while, so a command does not
wait on Slack each time and a removal from the group still takes effect within minutes. When Slack
cannot be asked, the answer is "not an admin": admin rights fail closed.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock, SystemClock

log = logging.getLogger(__name__)
GROUP_TTL = timedelta(minutes=5)


class AdminDirectory:
    def __init__(self, admins: list[str], *, client: AsyncWebClient, clock: Clock | None = None,
                 ttl: timedelta = GROUP_TTL) -> None:
        self.users = frozenset(a for a in admins if not a.startswith("S"))
        self.groups = tuple(a for a in admins if a.startswith("S"))
        self.client = client
        self.clock = clock or SystemClock()
        self.ttl = ttl
        self._members: dict[str, tuple[datetime, frozenset[str]]] = {}
        self._lock = asyncio.Lock()

    async def is_admin(self, user_id: str) -> bool:
        if user_id in self.users:
            return True
        for group in self.groups:
            if user_id in await self._group(group):
                return True
        return False

    async def _group(self, group: str) -> frozenset[str]:
        async with self._lock:  # one lookup per group at a time, not one per concurrent command
            cached = self._members.get(group)
            now = self.clock.now()
            if cached is not None and now - cached[0] < self.ttl:
                return cached[1]
            try:
                response = await self.client.usergroups_users_list(usergroup=group)
                members = frozenset(str(u) for u in response.get("users") or [])
            except SlackApiError as error:
                log.warning("cannot read Slack user group %s (%s); its members are not admins for now",
                            group, error.response.get("error"))
                members = frozenset()
            except (SlackClientError, aiohttp.ClientError, TimeoutError) as error:
                log.warning("cannot reach Slack for user group %s (%s); not an admin until it answers", group, error)
                return frozenset()
            self._members[group] = (now, members)
            return members
