"""The plugin's components honour ganzoo's contracts, checked as any plugin checks its own."""

from __future__ import annotations

import pytest

from ganzoo.testing import check_component


@pytest.mark.parametrize(
    ("kind", "name"), [("loss", "relativistic-average"), ("dataset", "swiss-roll")]
)
def test_component_honours_its_contract(kind: str, name: str) -> None:
    checked = check_component(kind, name)
    assert checked  # the rules that were checked, e.g. "D loss is finite"


def test_the_loss_honours_its_contract_with_its_own_settings() -> None:
    check_component("loss", "ragan", {"n_critic": 2, "lr_d": 4e-4})
