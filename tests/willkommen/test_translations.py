"""The German catalogue is complete: every string our code and templates mark is translated.

`makemessages` runs, with the README's ignores, on a copy of the source tree and of the
catalogue, so the test sees what the next `makemessages` would add without touching the real
`locale/` (templates are pre-processed into files next to them, which must not land in the tree).
"""

import ast
import os
import shutil
import subprocess
from fnmatch import fnmatch
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = Path("locale/de/LC_MESSAGES/django.po")
# The README's command: makemessages -l de --ignore=.venv --ignore=tests
IGNORED = [".venv", "tests"]
# Hidden folders (.venv, .git, .pgdata) and collected static files are never sources;
# the other files are copied only if makemessages reads them (domain "django") or are the catalogue.
NOT_COPIED = [".*", "staticfiles", "__pycache__"]
COPIED_SUFFIXES = {".py", ".html", ".txt", ".po"}
# The names xgettext extracts in Python: its own defaults plus those makemessages adds.
EXTRACTED_NAMES = {
    "_",
    "gettext",
    "ngettext",
    "gettext_noop",
    "gettext_lazy",
    "ngettext_lazy",
    "pgettext",
    "npgettext",
    "pgettext_lazy",
    "npgettext_lazy",
}


def _copy_tree(target: Path) -> Path:
    def not_copied(folder, names):
        return [
            name
            for name in names
            if any(fnmatch(name, pattern) for pattern in NOT_COPIED)
            or ((Path(folder) / name).is_file() and Path(name).suffix not in COPIED_SUFFIXES)
        ]

    shutil.copytree(ROOT, target, ignore=not_copied)
    return target


def _untranslated(tree: Path, settings, monkeypatch) -> list[str]:
    """Run makemessages in `tree`; return the catalogue's entries that lack a German text."""
    missing_tools = [
        tool for tool in ("xgettext", "msgmerge", "msgattrib") if not shutil.which(tool)
    ]
    assert not missing_tools, f"gettext is missing ({missing_tools}): `make messages` installs it"
    monkeypatch.chdir(tree)
    settings.LOCALE_PATHS = [tree / "locale"]
    # a copy: makemessages appends its default patterns to the list it is given
    call_command("makemessages", locale=["de"], ignore_patterns=list(IGNORED), verbosity=0)
    entries = []
    for selection in ("--untranslated", "--only-fuzzy"):
        found = subprocess.run(
            ["msgattrib", selection, "--no-obsolete", "--no-wrap", str(tree / CATALOGUE)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        # msgattrib repeats the header (msgid "") before what it found
        entries += [
            entry
            for entry in found.strip().split("\n\n")
            if entry and 'msgid ""\nmsgstr ""' not in entry
        ]
    return entries


def test_german_catalogue_translates_every_marked_string(tmp_path, settings, monkeypatch):
    tree = _copy_tree(tmp_path / "src")
    untranslated = _untranslated(tree, settings, monkeypatch)
    assert not untranslated, (
        f"{len(untranslated)} strings have no German translation (new, or fuzzy after a change).\n"
        "Run  DEBUG=true .venv/bin/python manage.py makemessages -l de "
        + " ".join(f"--ignore={pattern}" for pattern in IGNORED)
        + f"\ntranslate them in {CATALOGUE}, then `make messages`.\n\n"
        + "\n\n".join(untranslated)
    )
    # The placeholders of each translation match its msgid's.
    checked = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(tree / CATALOGUE)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


def test_catalogue_check_reports_new_strings_of_templates_and_code(tmp_path, settings, monkeypatch):
    tree = _copy_tree(tmp_path / "src")
    (tree / "templates" / "new_page.html").write_text(
        '{% load i18n %}<p>{% translate "A sentence nobody translated yet" %}</p>'
    )
    (tree / "willkommen" / "new_module.py").write_text(
        "from django.utils.translation import gettext_lazy as _\n"
        'LABEL = _("A label nobody translated yet")\n'
    )
    untranslated = "\n\n".join(_untranslated(tree, settings, monkeypatch))
    assert 'msgid "A sentence nobody translated yet"' in untranslated
    assert 'msgid "A label nobody translated yet"' in untranslated


def _translation_imports(tree: Path):
    """(file, local name) of every function imported from django.utils.translation."""
    for folder, subfolders, files in os.walk(tree):
        subfolders[:] = [
            name for name in subfolders if not any(fnmatch(name, p) for p in IGNORED + NOT_COPIED)
        ]
        for path in sorted(Path(folder) / name for name in files if name.endswith(".py")):
            relative = path.relative_to(tree)
            for node in ast.walk(ast.parse(path.read_text(), str(relative))):
                if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                    for alias in node.names:
                        if "gettext" in alias.name:
                            yield str(relative), alias.asname or alias.name


def test_translation_functions_keep_names_makemessages_extracts():
    # `gettext_lazy as _l` compiles and runs, but xgettext skips `_l("…")`: the string never
    # reaches the catalogue and the page stays English.
    hidden = [
        (file, name) for file, name in _translation_imports(ROOT) if name not in EXTRACTED_NAMES
    ]
    assert hidden == []


def test_import_check_sees_an_alias_makemessages_skips(tmp_path):
    module = tmp_path / "views.py"
    module.write_text("from django.utils.translation import gettext_lazy as _l, override\n")
    assert list(_translation_imports(tmp_path)) == [("views.py", "_l")]
