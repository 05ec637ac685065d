"""Command-line interface: thin typer wrappers over the public API."""
