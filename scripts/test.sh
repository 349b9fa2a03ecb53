#!/usr/bin/env bash
# Set up a virtual environment with ganzoo, its dev tools and the example plugin, then run
# every check: lint, format, types, the docs build and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check uv
uv venv --quiet --allow-existing .venv
uv pip install --quiet --compile-bytecode --python .venv/bin/python -e ".[dev]" -e plugins/ganzoo-relativistic

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy ganzoo
echo "== docs"
export NO_MKDOCS_2_WARNING=1
.venv/bin/mkdocs build --strict --quiet --site-dir "$(mktemp -d)"
echo "== tests"
.venv/bin/python -m pytest -n 2 "$@"
