"""Write docs/rules/<rule-id>.md and docs/rules/README.md from the rule docstrings.

usage: python scripts/generate_rule_docs.py [--check]

--check writes nothing and exits 1 when a page is missing, different or stale (a page
for a rule that no longer exists): the comparison tests/test_docs.py makes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analyzer.docs import rule_pages, stale_pages

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 if stale")
    args = parser.parse_args(argv)
    pages = rule_pages()
    if args.check:
        problems = stale_pages(DOCS, pages)
        for problem in problems:
            print(f"docs/rules: {problem}", file=sys.stderr)
        return 1 if problems else 0
    DOCS.mkdir(parents=True, exist_ok=True)
    for name, content in pages.items():
        (DOCS / name).write_text(content, encoding="utf-8", newline="\n")
    for path in DOCS.glob("*.md"):
        if path.name not in pages:
            path.unlink()
    print(f"wrote {len(pages)} pages to {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
