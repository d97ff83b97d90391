"""The translation catalogues are complete: every string marked for
translation has a reviewed translation in every language, and none can land
untranslated (``makemessages`` on the code as it is adds nothing). Both
domains: ``django`` (Python and templates) and ``djangojs`` (the texts the
admin's scripts write, served by the JavaScript catalogue view)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
SOURCES = ("alerting", "alertsite", "integrations", "templates", "locale", "manage.py")
DOMAINS = ["django", "djangojs"]
MAKEMESSAGES = ["makemessages", "--no-location", "--no-wrap", "--no-obsolete"]
CATALOGUES = [(language, domain) for language in LANGUAGES for domain in DOMAINS]


def catalogue(language: str, root: Path = ROOT, domain: str = "django") -> polib.POFile:
    return polib.pofile(str(root / "locale" / language / "LC_MESSAGES" / f"{domain}.po"))


def identities(po: polib.POFile) -> set[tuple[str, str, str]]:
    return {(e.msgctxt or "", e.msgid, e.msgid_plural or "") for e in po if not e.obsolete}


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_every_entry_is_translated_and_reviewed(language: str, domain: str) -> None:
    po = catalogue(language, domain=domain)
    assert len(po) > 0
    assert not po.metadata_is_fuzzy
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert [e.msgid for e in po.obsolete_entries()] == []
    assert po.metadata["Language"] == language


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_the_compiled_catalogue_matches_its_source(language: str, domain: str) -> None:
    """The committed .mo is what ``compilemessages`` makes of the .po."""
    po = catalogue(language, domain=domain)
    mo = polib.mofile(str(ROOT / "locale" / language / "LC_MESSAGES" / f"{domain}.mo"))

    def table(entries) -> dict[tuple[str, str], object]:
        return {
            (e.msgctxt or "", e.msgid): (
                tuple(sorted(e.msgstr_plural.items())) if e.msgid_plural else e.msgstr
            )
            for e in entries
            if e.msgid and not e.obsolete
        }

    assert table(mo) == table(po), "run: python manage.py compilemessages --ignore=.venv"


def test_makemessages_would_add_nothing(tmp_path: Path) -> None:
    """Run on a copy of the sources (makemessages writes where it finds a
    locale folder), then compare what it extracted with the catalogues."""
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, tmp_path / name)
    env = {**os.environ, "DATA_DIR": str(tmp_path / "data")}
    languages = [arg for code in LANGUAGES for arg in ("-l", code)]
    for domain in DOMAINS:
        subprocess.run(
            [sys.executable, "manage.py", *MAKEMESSAGES, "-d", domain, *languages],
            cwd=tmp_path,
            env=env,
            check=True,
            capture_output=True,
        )
    for language, domain in CATALOGUES:
        extracted = identities(catalogue(language, tmp_path, domain))
        committed = identities(catalogue(language, domain=domain))
        assert extracted - committed == set(), (
            f"{language} {domain}: strings marked for translation but not in the catalogue; run bin/messages "
            "(README 'Languages') and translate them"
        )
        assert committed - extracted == set(), f"{language} {domain}: catalogue entries no longer in the code"


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_translations_keep_every_placeholder(language: str, domain: str) -> None:
    """Python's %(name)s and the templates' {{…}} come through untouched."""
    import re

    token = re.compile(r"\{\{.*?\}\}|%\(\w+\)s|%s|%d")
    changed = [
        e.msgid
        for e in catalogue(language, domain=domain)
        if not e.msgid_plural and sorted(token.findall(e.msgid)) != sorted(token.findall(e.msgstr))
    ]
    assert changed == []
