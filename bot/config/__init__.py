"""Config: the YAML file's shape (models), how it is read (loader), and the built-in topics (presets)."""

from bot.config.loader import load_config, parse_config, topic_names
from bot.config.presets import BUILTIN_TOPICS
from bot.config.settings import ChannelConfig, Config, FeedConfig, Platform, TopicConfig

__all__ = ["BUILTIN_TOPICS", "ChannelConfig", "Config", "FeedConfig", "Platform", "TopicConfig",
           "load_config", "parse_config", "topic_names"]
