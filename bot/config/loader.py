"""Read sitrep.yaml: YAML with line numbers, ${VAR} expansion, then validation into typed models.

Every problem is reported with the file, the line and the dotted key, before anything starts, so
an operator fixes a config in one pass instead of discovering it at 3 a.m. when a job first runs.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.config.presets import BUILTIN_TOPICS
from bot.config.settings import Config
from bot.config.types import format_duration
from bot.errors import ConfigError, ConfigErrors

log = logging.getLogger(__name__)

PathKey = tuple[str | int, ...]
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
MAX_BYTES = 1_000_000  # a config file is a few kilobytes; a megabyte is a mistake or an attack
# Values built from the YAML, aliases counted each time they are used: a "billion laughs" document
# (aliases of aliases of lists) is a few lines that would expand to billions of values.
MAX_NODES = 100_000
# Keys whose values are credentials: they should come from the environment, not the file.
SECRET_KEYS = frozenset({"bot_token", "app_token", "signing_secret", "token"})


class _Document:
    """A YAML document turned into plain data, remembering the line of every key and value."""

    def __init__(self, path: Path, text: str, env: Mapping[str, str]) -> None:
        self.path = path
        self.env = env
        self.lines: dict[PathKey, int] = {}
        self.from_env: set[PathKey] = set()
        self.env_values: dict[str, str] = {}  # value taken from the environment -> the variable's name
        # Plain scalars YAML read as something other than text (500, 1.10, yes, 2024-05-01), as
        # written: where the schema wants text, the text is what the operator meant.
        self.raw: dict[PathKey, str] = {}
        self.errors: list[ConfigError] = []
        self._budget = MAX_NODES
        self._open: set[int] = set()  # nodes being built: meeting one again is a recursive alias
        loader: yaml.SafeLoader | None = None
        try:
            loader = yaml.SafeLoader(text)
            node = loader.get_single_node()
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            problem = getattr(error, "problem", None) or str(error)
            line = mark.line + 1 if mark else None
            if isinstance(error, yaml.reader.ReaderError):  # it has a position, not a mark
                code = error.character if isinstance(error.character, int) else ord(error.character[:1] or "\0")
                problem = f"character U+{code:04X} is not allowed in YAML"
                line = text.count("\n", 0, error.position) + 1
            raise ConfigError(f"not valid YAML: {problem}", path=path, line=line) from None
        except RecursionError:
            raise ConfigError("not valid YAML: nested too deeply", path=path) from None
        finally:
            if loader is not None:
                loader.dispose()
        assert loader is not None
        self._loader = loader
        self.data: Any = {} if node is None else self._build(node, ())

    def _build(self, node: yaml.Node, at: PathKey) -> Any:
        self._budget -= 1
        if self._budget < 0:
            raise ConfigError(f"too many values (more than {MAX_NODES:,} once aliases are expanded)",
                              path=self.path, line=node.start_mark.line + 1, key=dotted(at) or None)
        if id(node) in self._open:
            raise ConfigError("an alias refers to the value that contains it", path=self.path,
                              line=node.start_mark.line + 1, key=dotted(at) or None)
        self._open.add(id(node))
        try:
            return self._build_node(node, at)
        finally:
            self._open.discard(id(node))

    def _build_node(self, node: yaml.Node, at: PathKey) -> Any:
        self.lines.setdefault(at, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            self._loader.flatten_mapping(node)
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self._construct(key_node, (*at, "<key>"))
                if key is not None and not isinstance(key, str) and isinstance(key_node, yaml.ScalarNode):
                    key = key_node.value  # every key sitrep reads is text: a topic called 2026 is "2026"
                if not isinstance(key, str | int):
                    self._error("keys must be text", at, key_node.start_mark.line + 1)
                    continue
                if key in result:
                    self._error(f"key {key!r} appears twice", (*at, key), key_node.start_mark.line + 1)
                self.lines[(*at, key)] = key_node.start_mark.line + 1
                result[key] = self._build(value_node, (*at, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self._build(item, (*at, i)) for i, item in enumerate(node.value)]
        value = self._construct(node, at)
        if isinstance(value, str) and "${" in value:
            value = self._expand(value, at)
        elif value is not None and not isinstance(value, str) and isinstance(node, yaml.ScalarNode):
            self.raw[at] = node.value
        return value

    def _construct(self, node: yaml.Node, at: PathKey) -> Any:
        """A scalar (or a complex key) as Python data; an unknown tag (`!!python/object`), a bad
        `!!binary` or an impossible date is an error at its line, not an exception."""
        try:
            return self._loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as error:
            problem = getattr(error, "problem", None) or str(error)
            self._error(f"cannot read this value: {problem}"[:300], at[:-1] if at[-1:] == ("<key>",) else at,
                        node.start_mark.line + 1)
            return None

    def _expand(self, value: str, at: PathKey) -> str:
        def substitute(match: re.Match[str]) -> str:
            name, default = match[1], match[2]
            if name in self.env:
                self.env_values[self.env[name]] = name
                return self.env[name]
            if default is not None:
                return default
            self._error(f"environment variable {name} is not set (write ${{{name}:-default}} for a default)", at)
            return ""

        self.from_env.add(at)
        return _VAR.sub(substitute, value)

    def _error(self, message: str, at: PathKey, line: int | None = None) -> None:
        self.errors.append(ConfigError(message, path=self.path, line=line or self.line_of(at), key=dotted(at)))

    def line_of(self, at: PathKey) -> int | None:
        """The line of the deepest known part of a key path (pydantic may point below what YAML had)."""
        for end in range(len(at), -1, -1):
            if at[:end] in self.lines:
                return self.lines[at[:end]]
        return None


def dotted(at: PathKey) -> str:
    out = ""
    for part in at:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_config(path: str | Path, *, env: Mapping[str, str] | None = None) -> Config:
    """Load and validate a config file; raise ConfigError (all problems at once) if it is unusable."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise ConfigError(f"larger than {MAX_BYTES:,} bytes; a config file is a few kilobytes", path=path)
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", path=path) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read: {error}", path=path) from None
    return parse_config(text, path=path, env=os.environ if env is None else env)


def parse_config(text: str, *, path: Path, env: Mapping[str, str]) -> Config:
    if len(text) > MAX_BYTES:
        raise ConfigError(f"larger than {MAX_BYTES:,} characters; a config file is a few kilobytes", path=path)
    try:
        doc = _Document(path, text, env)
    except RecursionError:  # a merge key (<<) that includes itself, or nesting Python cannot follow
        raise ConfigError("not valid YAML: a merge or alias that refers to itself, or nesting too deep",
                          path=path) from None
    if not isinstance(doc.data, dict):
        raise ConfigError("the top level must be a mapping of keys such as feeds: and channels:", path=path, line=1)
    errors = list(doc.errors)
    config: Config | None = None
    try:
        config = _validate(doc)
    except ValidationError as error:
        for problem in error.errors():
            at: PathKey = tuple(p for p in problem["loc"] if isinstance(p, str | int))
            errors.append(ConfigError(_message(problem), path=path, line=doc.line_of(at), key=dotted(at) or None))
    if config is not None:
        errors.extend(_cross_check(config, doc))
    if errors:
        errors = [_redacted(e, doc) for e in errors]
        raise errors[0] if len(errors) == 1 else ConfigErrors(errors)
    assert config is not None
    for at in _plain_secrets(doc):
        log.warning("%s:%s: %s is written in the file; use ${VAR} so the secret stays out of it",
                    path, doc.line_of(at), dotted(at))
    return config.located(path)


def _validate(doc: _Document) -> Config:
    """Validate; where text was wanted and YAML read a number, a boolean or a date (`name: 500`,
    `target: 645027906669510667`), take the value as it was written and validate again."""
    try:
        return Config.model_validate(doc.data)
    except ValidationError as error:
        fixed = False
        for problem in error.errors():
            if problem.get("type") != "string_type":
                continue
            at = _in_data(doc.data, tuple(problem["loc"]))
            if at in doc.raw:
                fixed = _replace(doc.data, at, doc.raw.pop(at)) or fixed
        if not fixed:
            raise
    return Config.model_validate(doc.data)


def _in_data(data: Any, loc: PathKey) -> PathKey:
    """A pydantic location as a path in the data: the names of union branches it adds (`str`,
    `list[…]`) are not keys and are left out."""
    at: list[str | int] = []
    for part in loc:
        indexes = (isinstance(data, dict) and part in data) or (
            isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data))
        if indexes:
            data = data[part]
            at.append(part)
    return tuple(at)


def _replace(data: Any, at: PathKey, value: str) -> bool:
    for part in at[:-1]:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return False
    if not isinstance(data, dict | list):
        return False
    data[at[-1]] = value  # type: ignore[index]
    return True


MIN_REDACTED = 4  # shorter environment values ("1", "on") are not secrets and would mangle messages


def _redacted(error: ConfigError, doc: _Document) -> ConfigError:
    """The error without any value that came from the environment: a token put where a duration
    belongs must not be printed by the message that says it is not a duration."""
    message = error.message
    for value, name in sorted(doc.env_values.items(), key=lambda item: -len(item[0])):
        if len(value) >= MIN_REDACTED and value in message:
            message = message.replace(value, f"${{{name}}}")
    if message == error.message:
        return error
    return ConfigError(message, path=error.path, line=error.line, key=error.key)


def _message(problem: Any) -> str:
    kind = problem.get("type", "")
    if kind == "extra_forbidden":
        return "unknown key (check its spelling against config/schema.json)"
    message = str(problem.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


def topic_names(config: Config) -> set[str]:
    return set(config.topics) | set(BUILTIN_TOPICS)


def _cross_check(config: Config, doc: _Document) -> list[ConfigError]:
    """References between sections, which no single model can check on its own."""
    known = topic_names(config)
    errors = []
    for section, items in (("feeds", config.feeds), ("channels", config.channels)):
        for i, item in enumerate(items):
            names = [*(getattr(item, "topics", None) or []), *getattr(item, "alert_topics", [])]
            for name in names:
                if name not in known:
                    at: PathKey = (section, i, "topics")
                    errors.append(ConfigError(f"unknown topic {name!r}; known: {', '.join(sorted(known))}",
                                              path=doc.path, line=doc.line_of(at), key=dotted(at)))
    retention, max_age = config.storage.retention, config.poll.backfill.max_age
    if retention is not None and retention < max_age:
        # Stories pruned while still young enough to announce would come back as news from any feed
        # still carrying them.
        errors.append(ConfigError(
            f"{format_duration(retention)} is shorter than poll.backfill.max_age "
            f"({format_duration(max_age)}): stories would be deleted while still new enough to announce; "
            f"keep them at least {format_duration(max_age)}, or lower poll.backfill.max_age",
            path=doc.path, line=doc.line_of(("storage", "retention")), key="storage.retention"))
    platforms = {c.platform.value for c in config.channels}
    if "slack" in platforms and config.slack is None:
        errors.append(ConfigError("a slack channel needs a slack: section", path=doc.path,
                                  line=doc.line_of(("channels",)), key="slack"))
    if "discord" in platforms and config.discord is None:
        errors.append(ConfigError("a discord channel needs a discord: section", path=doc.path,
                                  line=doc.line_of(("channels",)), key="discord"))
    return errors


def _plain_secrets(doc: _Document) -> list[PathKey]:
    found = []
    for at in doc.lines:
        if at and at[-1] in SECRET_KEYS and at not in doc.from_env:
            found.append(at)
        elif len(at) == 3 and at[0] == "channels" and at[2] == "target" and at not in doc.from_env:
            value = doc.data["channels"][at[1]].get("target") if isinstance(doc.data.get("channels"), list) else None
            if isinstance(value, str) and value.startswith("https://") and "hooks" in value:
                found.append(at)
    storage = doc.data.get("storage") if isinstance(doc.data, dict) else None
    url = storage.get("url") if isinstance(storage, dict) else None
    if isinstance(url, str) and ("storage", "url") not in doc.from_env and re.match(r"^[\w+]+://[^/@]*:[^/@]+@", url):
        found.append(("storage", "url"))  # a database password in the file
    return found
