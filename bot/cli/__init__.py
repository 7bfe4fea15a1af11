"""The `sitrep` command line: the group and its shared state, then one module per area of commands."""
