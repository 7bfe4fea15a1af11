"""Pure renderers shared by every text surface (console, CLI); platform renderers live in adapters."""
