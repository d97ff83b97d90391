from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TemplateError:
    """A problem in a template, with the token and where it starts (1-based)."""

    message: str
    token: str
    line: int
    column: int
    offset: int

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


def position(template: str, offset: int) -> tuple[int, int]:
    line = template.count("\n", 0, offset) + 1
    column = offset - (template.rfind("\n", 0, offset) + 1) + 1
    return line, column
