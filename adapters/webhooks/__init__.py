"""Incoming webhooks (`slack-webhook`, `discord-webhook`): a channel feed without installing a bot.

A channel's `target` is the webhook URL (a secret: it carries the token, so it is never logged).
Webhooks only post: they answer no commands, so these platforms have no chat adapter.
"""
