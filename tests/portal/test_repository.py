"""The repository stands on its own: nothing in it points outside the checkout."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".git", ".venv", "node_modules", "staticfiles", "media", "__pycache__", ".pytest_cache"}
TEXT = {".py", ".md", ".html", ".txt", ".toml", ".cfg", ".css", ".js", ".example", ""}


def _files():
    for path in ROOT.rglob("*"):
        if any(part in SKIP for part in path.relative_to(ROOT).parts):
            continue
        if path.is_file() and path.suffix in TEXT and path != Path(__file__).resolve():
            yield path


def test_no_file_points_to_notes_outside_the_repository():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _files()
        if "../shared" in path.read_text(encoding="utf-8", errors="ignore")
    ]
    assert offenders == []


def test_the_domain_and_style_notes_live_in_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for doc in ("docs/domain.md", "docs/style.md"):
        assert (ROOT / doc).is_file()
        assert doc in readme
