"""Discord admins in the config: servers, role IDs and user IDs; names from older configs refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config, parse_config
from bot.errors import ConfigError


def load(text: str) -> Config:
    return parse_config(text, path=Path("sitrep.yaml"), env={"DISCORD_TOKEN": "t"})


def test_ids_as_numbers_or_digits_in_quotes() -> None:
    config = load("discord:\n  token: ${DISCORD_TOKEN}\n  guilds: ['290926798626357999']\n"
                  "  admin_roles: [785609923542777878, '785609923542777001']\n  admin_users: ['80351110224678912']\n")
    assert config.discord is not None
    assert config.discord.guilds == [290926798626357999]
    assert config.discord.admin_roles == [785609923542777878, 785609923542777001]
    assert config.discord.admin_users == [80351110224678912]


def test_a_role_name_from_an_older_config_is_a_clear_error_with_its_line() -> None:
    with pytest.raises(ConfigError) as error:
        load("discord:\n  token: ${DISCORD_TOKEN}\n  admin_roles:\n    - 785609923542777878\n    - Sitrep Editors\n")
    assert (str(error.value.path), error.value.line, error.value.key) == ("sitrep.yaml", 5, "discord.admin_roles[1]")
    assert "role IDs" in error.value.message and "Copy Role ID" in error.value.message


def test_the_everyone_role_of_a_configured_server_is_refused() -> None:
    """@everyone's ID is the server's: listing it would make every member an admin."""
    with pytest.raises(ConfigError, match="@everyone") as error:
        load("discord:\n  token: ${DISCORD_TOKEN}\n  guilds: [290926798626357999]\n"
             "  admin_roles: [290926798626357999]\n")
    assert error.value.key == "discord.admin_roles"


@pytest.mark.parametrize("value", ["true", "-5", "18446744073709551616", "'12ab'", "1.5", "'xoxb-not-an-id'"])
def test_what_is_not_an_id_is_refused_without_repeating_it(value: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(f"discord:\n  token: ${{DISCORD_TOKEN}}\n  admin_users: [{value}]\n")
    assert error.value.key == "discord.admin_users[0]"
    assert value.strip("'") not in error.value.message
