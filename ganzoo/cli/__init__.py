"""The ``ganzoo`` command line."""

from __future__ import annotations


def main() -> None:
    from ganzoo.cli.app import run_app

    run_app()
