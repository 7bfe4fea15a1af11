"""Secrets never leave: every output of real `sitrep` runs is searched for the tokens and secrets.

The runs are the ones an operator makes, as separate processes: `config check` on files with the
secrets written in them and taken from the environment, broken configs around them, `run` with a
Slack bot token and a Discord token that the fake APIs refuse, a database that cannot be reached
with a password in its URL, and a webhook that cannot be reached. Logging is at DEBUG, in text and
in JSON, so the chattiest output is what is searched. No value (nor a long piece of one) may appear
on stdout or stderr; a secret written in the file gets a warning naming the file, line and key.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web
from pydantic import ValidationError

from bot.config import parse_config
from bot.config.settings import SlackConfig
from bot.errors import ConfigError
from tests.conftest import REPO
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.slack_api import FakeSlack

pytestmark = pytest.mark.slow

SECRETS = {
    "SLACK_BOT_TOKEN": "xoxb-1111-2222-SECRETbotTOKENvalue",
    "SLACK_APP_TOKEN": "xapp-1-A111-SECRETappTOKENvalue",
    "SLACK_SIGNING_SECRET": "8f742231bSECRETsigningSECRET",
    "DISCORD_TOKEN": "MTIzNDU2Nzg5.SECRETdiscord.TOKENvalue",
    "WEBHOOK_URL": "http://127.0.0.1:9/services/T000/B000/SECREThookPATH",
    "DB_PASSWORD": "SECRETdbPASSWORDvalue",
}


def leaks(output: str) -> list[str]:
    """Each secret found in the output, whole or as any 12-character piece of it."""
    found = []
    for name, value in SECRETS.items():
        secret = value.rsplit("/", 1)[-1] if name == "WEBHOOK_URL" else value
        pieces = {secret[i:i + 12] for i in range(max(1, len(secret) - 11))}
        if any(piece in output for piece in pieces):
            found.append(name)
    return found


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + "\n" + self.err


async def sitrep(*args: str, env: dict[str, str] | None = None, cwd: Path, timeout: float = 120) -> Run:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env={**os.environ, **(env or {})},
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return Run(process.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def plain_config(tmp_path: Path, *, logging: str = "{level: DEBUG}") -> Path:
    """Every secret written in the file, one per line (line numbers are asserted below)."""
    path = tmp_path / "plain.yaml"
    path.write_text(f"""\
storage: {{url: "sqlite:///{tmp_path / 'plain.db'}"}}
channels:
  - name: hook
    platform: slack-webhook
    target: https://hooks.slack.com/services/T000/B000/{SECRETS['WEBHOOK_URL'].rsplit('/', 1)[-1]}
slack:
  mode: socket
  bot_token: {SECRETS['SLACK_BOT_TOKEN']}
  app_token: {SECRETS['SLACK_APP_TOKEN']}
  signing_secret: {SECRETS['SLACK_SIGNING_SECRET']}
discord:
  token: {SECRETS['DISCORD_TOKEN']}
logging: {logging}
""", encoding="utf-8")
    return path


def env_config(tmp_path: Path, *, slack_api: str, discord_api: str | None = None, logging: str = "{level: DEBUG}",
               storage: str | None = None) -> Path:
    discord = f"""
discord:
  token: ${{DISCORD_TOKEN}}
  api_url: {discord_api}
""" if discord_api else ""
    path = tmp_path / "env.yaml"
    path.write_text(f"""\
storage: {{url: "{storage or f'sqlite:///{tmp_path / "env.db"}'}"}}
channels:
  - name: hook
    platform: slack-webhook
    target: ${{WEBHOOK_URL}}
    post_empty: true
slack:
  mode: http
  bot_token: ${{SLACK_BOT_TOKEN}}
  signing_secret: ${{SLACK_SIGNING_SECRET}}
  host: 127.0.0.1
  port: 0
  api_url: {slack_api}
{discord}
logging: {logging}
""", encoding="utf-8")
    return path


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack(bot_token="xoxb-the-one-slack-knows").start()  # so sitrep's token is refused
    yield fake
    await fake.stop()


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    fake = await FakeDiscord(token="the-one-discord-knows").start()
    yield fake
    await fake.close()


async def test_config_check_warns_about_plain_secrets_without_showing_them(tmp_path: Path) -> None:
    path = plain_config(tmp_path)
    run = await sitrep("config", "check", str(path), cwd=tmp_path)
    assert run.code == 0, run.err
    assert leaks(run.output) == []
    for line, key in ((5, "channels[0].target"), (8, "slack.bot_token"), (9, "slack.app_token"),
                      (10, "slack.signing_secret"), (12, "discord.token")):
        assert f"{path}:{line}: {key} is written in the file" in run.err, (key, run.err)


async def test_start_up_warns_about_plain_secrets_without_showing_them(tmp_path: Path) -> None:
    path = plain_config(tmp_path, logging="{level: DEBUG, json: true}")
    run = await sitrep("--config", str(path), "-vv", "run", "--once", cwd=tmp_path)
    assert run.code == 0, run.output
    assert f"{path}:8: slack.bot_token is written in the file" in run.err
    assert leaks(run.output) == [], run.output


def test_a_database_password_in_the_file_is_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    text = f"storage:\n  url: postgresql://sitrep:{SECRETS['DB_PASSWORD']}@db.example/sitrep\n"
    with caplog.at_level(logging.WARNING):
        parse_config(text, path=Path("db.yaml"), env={})
        parse_config("storage:\n  url: postgresql://sitrep:${DB_PASSWORD}@db.example/x\n", path=Path("env.yaml"),
                     env=SECRETS)
        parse_config("storage:\n  url: postgresql://sitrep@db.example/x\n", path=Path("nopass.yaml"), env={})
    assert [r.getMessage() for r in caplog.records] == [
        "db.yaml:2: storage.url is written in the file; use ${VAR} so the secret stays out of it"]


async def test_config_check_is_quiet_about_secrets_from_the_environment(tmp_path: Path) -> None:
    path = env_config(tmp_path, slack_api="http://127.0.0.1:9/api/", discord_api="http://127.0.0.1:9/api/v10")
    run = await sitrep("config", "check", str(path), env=SECRETS, cwd=tmp_path)
    assert run.code == 0, run.err
    assert "written in the file" not in run.err
    assert leaks(run.output) == []


@pytest.mark.parametrize("broken", [
    "slack:\n  bot_tokn: {bot}\n  mode: http\n",  # a misspelt key holding the secret
    "slack:\n  bot_token: [{bot}]\n",  # the wrong type
    "slack:\n  bot_token: {bot}\n  mode: sockets\n",
    "discord:\n  token: {discord}\n  guilds: [{discord}]\n",  # the secret where an ID belongs
    "feeds:\n  - {{name: a, url: a.xml, interval: '${{SLACK_BOT_TOKEN}}'}}\n",  # a secret where a duration belongs
    "channels:\n  - {{name: c, platform: console, schedule: '${{SLACK_SIGNING_SECRET}}'}}\n",
    "channels:\n  - {{name: c, platform: console, timezone: '${{DISCORD_TOKEN}}'}}\n",
    "topics:\n  t: {{any: ['/${{SLACK_BOT_TOKEN}}(/']}}\n",
    "storage: {{url: 'postgresql://sitrep:${{DB_PASSWORD}}@127.0.0.1:9/x', retention: '${{DB_PASSWORD}}'}}\n",
    "slack:\n  bot_token: {bot}\n  mode: socket\n  admins: ['{bot}']\n",
    "slack: {{bot_token: {bot}, signing_secret: {bot}, mode: http, api_url: '{bot}'}}\n",
])
async def test_config_errors_never_echo_a_secret(tmp_path: Path, broken: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(broken.format(bot=SECRETS["SLACK_BOT_TOKEN"], discord=SECRETS["DISCORD_TOKEN"]), encoding="utf-8")
    run = await sitrep("config", "check", str(path), env=SECRETS, cwd=tmp_path)
    assert run.code == 2, run.output
    assert "Traceback" not in run.output
    assert str(path) in run.err
    assert leaks(run.output) == [], run.output


@pytest.mark.parametrize("logging", ["{level: DEBUG}", "{level: DEBUG, json: true}"])
async def test_a_refused_slack_token_is_reported_without_the_token(tmp_path: Path, fake_slack: FakeSlack,
                                                                   logging: str) -> None:
    path = env_config(tmp_path, slack_api=fake_slack.api_url, logging=logging)
    run = await sitrep("--config", str(path), "-vv", "run", env=SECRETS, cwd=tmp_path)
    assert run.code == 1, run.output
    assert "Slack refused the bot token: invalid_auth" in run.err
    assert fake_slack.called("auth.test")[0].token == SECRETS["SLACK_BOT_TOKEN"]  # it was sent, to Slack only
    assert leaks(run.output) == [], run.output


async def test_a_refused_discord_token_is_reported_without_the_token(tmp_path: Path, fake_slack: FakeSlack,
                                                                     fake_discord: FakeDiscord) -> None:
    path = env_config(tmp_path, slack_api=fake_slack.api_url, discord_api=fake_discord.api_url,
                      logging="{level: DEBUG, json: true}")
    env = {**SECRETS, "SLACK_BOT_TOKEN": fake_slack.bot_token}  # Slack starts; Discord refuses its token
    run = await sitrep("--config", str(path), "-vvv", "run", env=env, cwd=tmp_path)
    assert run.code != 0, run.output
    assert any(r.headers.get("Authorization") == f"Bot {SECRETS['DISCORD_TOKEN']}" for r in fake_discord.requests)
    assert "Traceback" not in run.output or "SECRET" not in run.output
    assert leaks(run.output.replace(fake_slack.bot_token, "")) == [], run.output


async def test_an_unreachable_database_does_not_show_its_password(tmp_path: Path, fake_slack: FakeSlack) -> None:
    url = "postgresql+psycopg://sitrep:${DB_PASSWORD}@127.0.0.1:9/sitrep"
    path = env_config(tmp_path, slack_api=fake_slack.api_url, storage=url)
    run = await sitrep("--config", str(path), "-vv", "run", "--once", env=SECRETS, cwd=tmp_path)
    assert run.code != 0, run.output
    assert leaks(run.output) == [], run.output


@pytest.fixture
async def broken_hook() -> AsyncIterator[str]:
    """A webhook endpoint that answers every post with a 500, so the URL is used, logged about and failed."""
    hits: list[str] = []

    async def fail(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(status=500, text="internal error")

    app = web.Application()
    app.router.add_post("/{tail:.*}", fail)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/services/T000/B000/" + SECRETS["WEBHOOK_URL"].rsplit("/", 1)[-1]
    assert hits, "the webhook was never posted to"
    await runner.cleanup()


async def test_a_failing_webhook_does_not_show_its_url(tmp_path: Path, fake_slack: FakeSlack, broken_hook: str) -> None:
    path = env_config(tmp_path, slack_api=fake_slack.api_url, logging="{level: DEBUG, json: true}")
    run = await sitrep("--config", str(path), "-vvv", "digest", "--channel", "hook", "--send", "--format", "json",
                       env={**SECRETS, "WEBHOOK_URL": broken_hook}, cwd=tmp_path)
    assert "0 of 1 message(s) sent" in run.output
    assert leaks(run.output) == [], run.output


def test_exceptions_and_reprs_hide_secrets() -> None:
    """What a traceback or a debugger would print: the models, their errors, sitrep's errors."""
    slack = SlackConfig.model_validate({"bot_token": SECRETS["SLACK_BOT_TOKEN"], "mode": "http",
                                        "signing_secret": SECRETS["SLACK_SIGNING_SECRET"]})
    assert leaks(repr(slack) + str(slack) + str(slack.model_dump()) + slack.model_dump_json()) == []
    with pytest.raises(ValidationError) as invalid:
        SlackConfig.model_validate({"bot_token": SECRETS["SLACK_BOT_TOKEN"], "mode": "socket"})
    assert leaks(str(invalid.value) + repr(invalid.value)) == []  # hide_input_in_errors on every config model
    text = (REPO / "config" / "demo.yaml").read_text() + f"\nslack: {{bot_token: {SECRETS['SLACK_BOT_TOKEN']}}}\n"
    with pytest.raises(ConfigError) as error:
        parse_config(text, path=Path("demo.yaml"), env={})
    assert leaks(str(error.value) + repr(error.value)) == []


def test_log_lines_and_tracebacks_are_redacted() -> None:
    from bot.ops.logs import JsonFormatter, RedactingFormatter

    token = SECRETS["SLACK_BOT_TOKEN"]
    formatter = RedactingFormatter(JsonFormatter(), [token, "short"])
    try:
        raise RuntimeError(f"connect failed with {token}")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "token %s and short", (token,), sys.exc_info())
    line = formatter.format(record)
    assert leaks(line) == [] and line.count("[redacted]") == 2 and "short" in line
