from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext


@dataclass(frozen=True)
class Phrase:
    """A message translated when it is read, not when it is made: parsed
    templates (and the body check) are cached and shared by requests in
    different languages. ``text`` is marked with ``gettext_noop`` where it is
    written; ``params`` fill its ``%(name)s`` placeholders, and a parameter
    that is itself a Phrase is translated too."""

    text: str
    params: tuple[tuple[str, object], ...] = ()

    def __str__(self) -> str:
        translated = gettext(self.text)
        if not self.params:
            return translated
        return translated % {name: str(value) for name, value in self.params}

    def __bool__(self) -> bool:
        return bool(self.text)


def phrase(text: str, **params: object) -> Phrase:
    return Phrase(text, tuple(params.items()))


@dataclass(frozen=True)
class TemplateError:
    """A problem in a template, with the token and where it starts (1-based).
    ``text`` is the message, a Phrase when it is translated as it is read."""

    text: str | Phrase
    token: str
    line: int
    column: int
    offset: int

    @property
    def message(self) -> str:
        """The message in the active language."""
        return str(self.text)

    def __str__(self) -> str:
        where = gettext("line %(line)s, column %(column)s") % {"line": self.line, "column": self.column}
        return gettext("%(where)s: %(problem)s") % {"where": where, "problem": self.message}


def position(template: str, offset: int) -> tuple[int, int]:
    line = template.count("\n", 0, offset) + 1
    column = offset - (template.rfind("\n", 0, offset) + 1) + 1
    return line, column
