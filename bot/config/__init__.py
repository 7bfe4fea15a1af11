"""Config: the YAML file's shape (models), how it is read (loader), and the built-in topics (presets)."""

from bot.config.loader import load_config, parse_config, topic_names
from bot.config.models import ChannelConfig, Config, FeedConfig, Platform, TopicConfig
from bot.config.presets import BUILTIN_TOPICS

__all__ = ["BUILTIN_TOPICS", "ChannelConfig", "Config", "FeedConfig", "Platform", "TopicConfig",
           "load_config", "parse_config", "topic_names"]
