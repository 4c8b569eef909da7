"""The HTTP API (issue 3) and the `hirelog` command line."""
