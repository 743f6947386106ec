"""Every catalogue follows the glossary (docs/glossary.md): one word for one idea."""

import gettext
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NAMES = (
    r"%\((?:name|names|member|child|person|volunteer|course|activity|team|title|leader|teacher"
    r"|event|post|slot|diner|who|household)\)s"
)
STRAY_SPACE = re.compile(rf"(?:{NAMES}) (?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff]) (?:{NAMES})")


def _avoided():
    """(term, pattern) for each word of the glossary's "not" column."""
    rows = []
    for line in (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("idea (English)", "---"):
            continue
        for word in filter(None, (w.strip() for w in cells[2].split(","))):
            if word.startswith("/") and word.endswith("/"):
                rows.append((word, re.compile(word[1:-1])))
            else:
                rows.append((word, re.compile(re.escape(word))))
    return rows


def _translations():
    for mo in sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.mo")):
        if ".venv" in mo.parts:
            continue
        with mo.open("rb") as f:
            catalog = gettext.GNUTranslations(f)._catalog
        for msgid, msgstr in catalog.items():
            if msgid:
                yield mo.relative_to(ROOT).parts[0], msgstr


def test_the_glossary_names_words_to_avoid():
    words = [word for word, _p in _avoided()]
    assert {"排队", "爽约", "冲正", "已报上", "手机号码"} <= set(words)


def test_no_catalogue_uses_a_word_the_glossary_avoids():
    avoided = _avoided()
    found = [
        f"{where}: {word} in {text!r}"
        for where, text in _translations()
        for word, pattern in avoided
        if pattern.search(text)
    ]
    assert found == []


def test_names_sit_in_chinese_text_without_stray_spaces():
    found = [f"{where}: {text!r}" for where, text in _translations() if STRAY_SPACE.search(text)]
    assert found == []


@pytest.mark.parametrize(
    ("text", "bad"),
    [("已为 %(name)s 预订", True), ("已为%(name)s预订", False), ("共 %(n)s 份", False)],
    ids=["padded-name", "name", "number"],
)
def test_the_space_rule_catches_padded_names_only(text, bad):
    assert bool(STRAY_SPACE.search(text)) is bad
