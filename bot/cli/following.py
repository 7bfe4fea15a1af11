"""Following names and what is rising, from the command line: `sitrep follow …`, `sitrep trending`.

`sitrep follow` acts for the person at this terminal (the console's user: their alerts print when
`sitrep run` runs here), for a channel with `--channel` (as if listed under its `follows:`), or for
someone on a chat platform with `--user slack:U0123` (their alerts come by direct message).
"""

from __future__ import annotations

import click

from bot.app import Sitrep
from bot.cards import FollowLine, to_json
from bot.cli.group import State, cli, echo_json
from bot.delivery import direct
from bot.errors import CommandError
from bot.knowledge import follow as following
from bot.knowledge.trending import WINDOWS, trending, window_of
from bot.render import plain

PLATFORMS = ", ".join(sorted(p.value for p in direct.PLATFORMS))


def recipient_of(state: State, channel: str | None, user: str | None) -> str:
    if channel and user:
        raise click.UsageError("--channel and --user are two different followers: give one")
    if channel:
        if state.config.channel(channel) is None:
            raise click.BadParameter(f"no channel called {channel!r} in {state.config.source}", param_hint="--channel")
        return channel
    if user:
        platform, _, who = user.partition(":")
        name = direct.recipient(platform, who)
        if not who or direct.parse(name) is None:
            raise click.BadParameter(f"{user!r}: write PLATFORM:USER_ID, with PLATFORM one of {PLATFORMS}",
                                     param_hint="--user")
        return name
    return direct.recipient("console", direct.console_user())


CHANNEL = click.option("--channel", help="Follow for this configured channel (its alerts are posted there).")
USER = click.option("--user", help="Follow for someone on a chat platform: slack:U0123 or discord:5390823…")


@cli.group()
def follow() -> None:
    """Follow people and organisations: an alert when a new story names them."""


@follow.command("add")
@click.argument("query", nargs=-1, required=True)
@CHANNEL
@USER
@click.pass_obj
def follow_add(state: State, query: tuple[str, ...], channel: str | None, user: str | None) -> None:
    """Follow QUERY (a name as /whois finds it: surname, alias, small typos are fine)."""
    recipient = recipient_of(state, channel, user)
    core = Sitrep.open(state.config)
    try:
        card = following.follow(core.store, core.config, recipient, " ".join(query), origin="cli",
                                now=core.clock.now())
    finally:
        core.store.close()
    click.echo(plain.render(card))


@follow.command("remove")
@click.argument("query", nargs=-1, required=True)
@CHANNEL
@USER
@click.pass_obj
def follow_remove(state: State, query: tuple[str, ...], channel: str | None, user: str | None) -> None:
    """Stop following QUERY."""
    recipient = recipient_of(state, channel, user)
    core = Sitrep.open(state.config)
    try:
        card = following.unfollow(core.store, recipient, " ".join(query), now=core.clock.now())
    finally:
        core.store.close()
    click.echo(plain.render(card))


@follow.command("list")
@CHANNEL
@USER
@click.option("--all", "everyone", is_flag=True, help="Every follower's follows (channels and people).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def follow_list(state: State, channel: str | None, user: str | None, everyone: bool, fmt: str) -> None:
    """What is followed (by this terminal's user, a --channel, a --user, or --all)."""
    core = Sitrep.open(state.config)
    try:
        if everyone:
            recipients = sorted({row.recipient for row in core.store.follows.all()})
        else:
            recipients = [recipient_of(state, channel, user)]
        cards = {r: following.following(core.store, r) for r in recipients}
    finally:
        core.store.close()
    if fmt == "json":
        echo_json([_follow_json(r, line) for r, card in cards.items() for line in card.follows])
        return
    for recipient, card in cards.items():
        if everyone:
            click.echo(f"[{recipient}]")
        click.echo(plain.render(card))


def _follow_json(recipient: str, line: FollowLine) -> dict[str, object]:
    data: dict[str, object] = {"recipient": recipient, **to_json(line)}
    return data


@cli.command("trending")
@click.option("--since", "window", default="7d", show_default=True,
              help=f"The window: {', '.join(WINDOWS)}; compared with the window before it.")
@click.option("--limit", type=click.IntRange(1, 50), default=10, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def trending_command(state: State, window: str, limit: int, fmt: str) -> None:
    """The people and organisations whose mentions rose most against the window before."""
    try:
        chosen = window_of(window)
    except CommandError as error:
        raise click.BadParameter(str(error), param_hint="--since") from None
    core = Sitrep.open(state.config)
    try:
        card = trending(core.store, chosen, now=core.clock.now(), limit=limit)
    finally:
        core.store.close()
    if fmt == "json":
        echo_json(card.trends)
    else:
        click.echo(plain.render(card))
