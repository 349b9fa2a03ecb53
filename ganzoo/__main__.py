"""``python -m ganzoo``."""

from ganzoo.cli import main

main()
