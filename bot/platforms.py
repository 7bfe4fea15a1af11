"""Platform plugins are found by name at run time, the way errbot loads backends, so the core
has no import-time dependency on any chat library."""

from __future__ import annotations

import importlib
from typing import cast

from bot.errors import SitrepError
from bot.ports import PlatformPlugin

MODULES = {
    "console": "adapters.console",
    "slack": "adapters.slack",
    "discord": "adapters.discord",
    "slack-webhook": "adapters.webhooks.slack",
    "discord-webhook": "adapters.webhooks.discord",
}


def load(name: str) -> PlatformPlugin:
    module_name = MODULES.get(name)
    if module_name is None:
        raise SitrepError(f"unknown platform {name!r}; known: {', '.join(MODULES)}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise SitrepError(f"platform {name!r} is not available: {error}") from None
    return cast(PlatformPlugin, module.plugin())
