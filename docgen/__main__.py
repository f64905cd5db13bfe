"""`python -m docgen --cdk-out cdk.out --docs docs`: regenerate every generated page (`make docs` runs it after
synthesizing). Writes only the generated files and removes generated files that no longer have a source."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docgen.assembly import Assembly, AssemblyError
from docgen.generate import generate, write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m docgen", description=__doc__)
    parser.add_argument("--cdk-out", type=Path, default=Path("cdk.out"))
    parser.add_argument("--docs", type=Path, default=Path("docs"))
    args = parser.parse_args(argv)
    try:
        files = generate(Assembly(args.cdk_out))
    except AssemblyError as exc:
        print(f"docgen: {exc}", file=sys.stderr)
        return 2
    for path in write(files, args.docs):
        print(f"docgen: wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
