"""Typed descriptions of predefined variables, read from the preset and
built-in kind data files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class VariableSpec:
    name: str
    description: str = ""
    secret: bool = False
    required: bool = True
    default: str = ""
    choices: tuple[str, ...] = field(default_factory=tuple)
    mode: str = "fixed"
    # The value is itself a template (an e-mail subject), rendered when sent.
    template: bool = False

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> VariableSpec:
        return cls(**{**data, "choices": tuple(data.get("choices", ()))})
