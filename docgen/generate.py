"""Every generated page, by path under docs/, and how they are written and compared with what is committed."""
from __future__ import annotations

from pathlib import Path

from docgen import architecture, catalog, statemachines
from docgen.assembly import Assembly

# Folders whose every file is generated: a file there that nothing generates any more is removed.
GENERATED_FOLDERS = {"statemachines": "*.md", "events": "*.json"}
REGENERATE = "make docs"


def generate(assembly: Assembly) -> dict[str, str]:
    files = {"architecture.md": architecture.render(assembly)}
    files.update({f"statemachines/{name}": page for name, page in statemachines.render_all(assembly).items()})
    files.update(catalog.render(assembly))
    return dict(sorted(files.items()))


def differences(files: dict[str, str], docs: Path) -> list[str]:
    """Paths under docs/ that are missing, differ from what is generated, or are no longer generated."""
    changed = [path for path, text in files.items() if _read(docs / path) != text]
    return sorted(changed + [path for path in _leftovers(files, docs)])


def write(files: dict[str, str], docs: Path) -> list[str]:
    changed = differences(files, docs)
    for path in changed:
        target = docs / path
        if path in files:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(files[path])
        else:
            target.unlink()
    return changed


def _leftovers(files: dict[str, str], docs: Path) -> list[str]:
    return [
        str(path.relative_to(docs))
        for folder, pattern in GENERATED_FOLDERS.items()
        for path in sorted((docs / folder).glob(pattern))
        if str(path.relative_to(docs)) not in files
    ]


def _read(path: Path) -> str | None:
    return path.read_text() if path.is_file() else None
