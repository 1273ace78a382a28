"""The swapping layer: replay with double-checking on AB, disputes, conformance, and the CLI."""
