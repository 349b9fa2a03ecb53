"""A griffe extension for the API reference: Sphinx roles in docstrings become code.

ganzoo's docstrings use roles such as ``:class:`Registry``` that read well in source;
mkdocstrings renders Markdown, so each role is shown as inline code instead.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:class|func|meth|mod|data|attr|exc|obj):`~?([^`]+)`")


class SphinxRolesToCode(griffe.Extension):
    """Rewrite ``:role:`target``` to ```target``` in every docstring."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = ROLE.sub(r"`\1`", obj.docstring.value).replace("``", "`")
