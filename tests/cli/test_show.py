"""``ganzoo show``: one component in full, with every setting's type, default and bounds."""

from __future__ import annotations

import json

from tests.conftest import run_cli


def test_show_prints_description_package_aliases_and_settings() -> None:
    result = run_cli("show", "ns", env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "loss non-saturating:" in out
    assert "package: ganzoo" in out
    assert "aliases: ns" in out
    assert "--set loss.KEY=VALUE" in out
    row = next(line for line in out.splitlines() if "n_critic" in line)
    assert "int" in row and "1" in row and "≥ 1" in row
    assert "Discriminator updates per generator update." in row


def test_show_json_holds_the_settings_schema_that_list_json_has() -> None:
    shown = run_cli("show", "image-folder", "--json")
    assert shown.returncode == 0, shown.stderr
    entry = json.loads(shown.stdout)
    schema = {row["name"]: row for row in entry["settings_schema"]}
    assert schema["image_size"] == {
        "name": "image_size",
        "type": "int",
        "required": False,
        "default": 64,
        "bounds": "≥ 4, ≤ 1024",
        "description": "Side of the centre-cropped square.",
    }
    assert schema["path"]["type"] == "Path or none"
    assert schema["channels"]["type"] == "1 | 3"
    listed = json.loads(run_cli("list", "image-folder", "--json").stdout)
    assert listed == [entry]
