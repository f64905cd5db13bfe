"""`python -m docgen --cdk-out cdk.out --docs docs`: regenerate every generated page (`make docs` runs it after
synthesizing). Writes only the generated files and removes generated files that no longer have a source."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docgen.assembly import Assembly, AssemblyError
from docgen.generate import generate, readme_with_diagram, write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m docgen", description=__doc__)
    parser.add_argument("--cdk-out", type=Path, default=Path("cdk.out"))
    parser.add_argument("--docs", type=Path, default=Path("docs"))
    parser.add_argument("--readme", type=Path, default=Path("README.md"), help="shows the architecture diagram")
    args = parser.parse_args(argv)
    try:
        assembly = Assembly(args.cdk_out)
        files = generate(assembly)
        readme = readme_with_diagram(args.readme.read_text(), assembly)
    except (AssemblyError, ValueError) as exc:
        print(f"docgen: {exc}", file=sys.stderr)
        return 2
    for path in write(files, args.docs):
        print(f"docgen: wrote {path}")
    if readme != args.readme.read_text():
        args.readme.write_text(readme)
        print(f"docgen: wrote {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
