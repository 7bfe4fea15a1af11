"""/follow, /unfollow, /following: names resolved the way /whois resolves them, follows answered as cards.

Following "Kalinowski" follows Caitlin Kalinowski when the news knows one person of that name (a
surname, a unique prefix, a small typo, any alias will do); when several fit, the answer lists them
and follows nobody. A name nobody in the news has yet is followed as written, and the first story
naming a matching person or organisation resolves it (bot/store/follow_index.py).
"""

from __future__ import annotations

from datetime import datetime

from bot.cards import FollowingCard, FollowLine, MessageCard
from bot.config.settings import Config
from bot.delivery import direct
from bot.errors import CommandError
from bot.knowledge.whois import candidates, find, pick
from bot.store import Store, name_key
from bot.store.follows import FollowRow, Target

MAX_NAME = 200


def clean_query(query: str) -> str:
    query = " ".join(query.split())[:MAX_NAME]
    if not name_key(query):
        raise CommandError("Follow whom? Try /follow Kalinowski, or /following to see what you follow.")
    return query


def target(store: Store, query: str) -> tuple[Target | None, str]:
    """What following `query` means: (the target, what to tell the user about it).

    The target is None when several people or organisations fit equally well.
    """
    lookup = find(store, query)
    entity = pick(lookup)
    if entity is not None:
        return Target(query, entity.name, entity.id, entity.kind.value), ""
    if lookup.how in ("exact", "prefix", "typo") and lookup.entities:
        listed = "; ".join(f"{c.name} ({c.description or c.kind})"
                           for c in candidates(store, lookup.entities[:6]))
        return None, f"Several people or organisations match “{query}”: {listed}. Follow one by its full name."
    hint = f"Nobody called “{query}” is in the news yet; I will follow the name, and the first story naming them "
    hint += "starts the alerts."
    if lookup.entities:
        hint += " Did you mean " + ", ".join(e.name for e in lookup.entities[:3]) + "?"
    return Target(query, query), hint


def _how_alerted(recipient: str, config: Config) -> str:
    parsed = direct.parse(recipient)
    if parsed is None:
        channel = config.channel(recipient)
        cap = f" (at most {channel.alert_limit} an hour)" if channel else ""
        return f"Channel {recipient} gets an alert when a new story names them{cap}."
    platform, _ = parsed
    limit = config.follow.alert_limit
    if platform.value == "console":
        return f"An alert is printed here when a new story names them (at most {limit} an hour)."
    return f"You will get a direct message when a new story names them (at most {limit} an hour)."


def follow(store: Store, config: Config, recipient: str, query: str, *, origin: str, now: datetime) -> MessageCard:
    query = clean_query(query)
    if direct.parse(recipient) is not None and store.follows.count(recipient) >= config.follow.max_per_user:
        raise CommandError(f"You follow {config.follow.max_per_user} names already, the most allowed; "
                           "/unfollow one first.")
    chosen, hint = target(store, query)
    if chosen is None:
        return MessageCard(hint)
    row, created = store.follows.add(recipient, chosen, origin=origin, now=now)
    subject = "You are" if direct.parse(recipient) is not None else f"Channel {recipient} is"
    if not created:
        return MessageCard(f"{subject} already following {row.name}.")
    if chosen.entity_id is None:
        return MessageCard(f"{hint} {_how_alerted(recipient, config)}")
    found = store.knowledge.entity(chosen.entity_id)
    described = candidates(store, [found])[0].description if found else chosen.name
    return MessageCard(f"Following {described or chosen.name}. {_how_alerted(recipient, config)}")


def matching(store: Store, rows: list[FollowRow], query: str) -> list[FollowRow]:
    """The recipient's follows a name means: as typed then, as resolved since, by surname, or by
    what /whois finds for it now."""
    key = name_key(query)
    found = [r for r in rows if key in (r.key, name_key(r.query))]
    if not found:
        found = [r for r in rows if r.kind == "person" and name_key(r.name.split()[-1]) == key]
    if not found:
        entity = pick(find(store, query))
        found = [r for r in rows if entity is not None and r.entity_id == entity.id]
    return found


def unfollow(store: Store, recipient: str, query: str, *, now: datetime, config: Config | None = None
             ) -> MessageCard:
    query = clean_query(query)
    rows = store.follows.of(recipient)
    found = matching(store, rows, query)
    who = "You do" if direct.parse(recipient) is not None else f"Channel {recipient} does"
    if not found:
        raise CommandError(f"{who} not follow “{query}”; /following lists what is followed.")
    if len(found) > 1:
        raise CommandError(f"“{query}” could be {', '.join(r.name for r in found)}; unfollow by the full name.")
    row = found[0]
    if row.origin == "config":
        raise CommandError(f"Channel {recipient} follows {row.name} in the config file; remove it there.")
    store.follows.remove(row.id, now=now)
    return MessageCard(f"No longer following {row.name}.")


def following(store: Store, recipient: str) -> FollowingCard:
    rows = store.follows.of(recipient)
    known = {r.entity_id: r for r in rows if r.entity_id is not None}
    described: dict[int, str] = {}
    if known:
        entities = store.knowledge.entities_by_id(list(known))
        described = {e.id: c.description for e, c in zip(entities, candidates(store, entities), strict=True)}
    lines = [FollowLine(r.name, r.kind, r.query, r.origin, r.created_at,
                        described.get(r.entity_id, "") if r.entity_id is not None else "")
             for r in rows]
    personal = direct.parse(recipient) is not None
    if not rows:
        title = "You follow nobody yet" if personal else f"Channel {recipient} follows nobody"
        return FollowingCard(title, [], "Try /follow Kalinowski: an alert comes when a new story names them.")
    count = f"{len(rows)} {'name' if len(rows) == 1 else 'names'}"
    title = f"You follow {count}" if personal else f"Channel {recipient} follows {count}"
    return FollowingCard(title, lines, "/unfollow NAME stops one." if personal else "")
