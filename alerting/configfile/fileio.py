"""Reading and writing the document as YAML or JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext

from alerting.configfile.base import ConfigError


def dumps(document: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def load_file(path: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            gettext("%(path)s: cannot read the file (%(reason)s).") % {"path": path, "reason": exc.strerror}
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(gettext("%(path)s: the file is not UTF-8 text.") % {"path": path}) from None
    if path.endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                gettext("%(path)s: not valid JSON: %(problem)s (line %(line)s, column %(column)s).")
                % {"path": path, "problem": exc.msg, "line": exc.lineno, "column": exc.colno}
            ) from None
    try:
        # JSON is YAML too, so any other name is read as YAML.
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = (
            gettext(" (line %(line)s, column %(column)s)")
            % {"line": mark.line + 1, "column": mark.column + 1}
            if mark
            else ""
        )
        raise ConfigError(
            gettext("%(path)s: not valid YAML%(where)s: %(problem)s.")
            % {"path": path, "where": where, "problem": getattr(exc, "problem", exc)}
        ) from None
