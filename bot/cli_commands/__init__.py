"""`sitrep` subcommands, one module per area: running the bot, reading content, operations."""
