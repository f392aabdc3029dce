"""`primaryLocationLineHash` is bit-for-bit what GitHub's upload action computes.

UPSTREAM_VECTORS are the 9 `hash` test cases of github/codeql-action
`src/fingerprints.test.ts` (commit f3f1edbe, v4.36.3), inputs and expected hashes, and
TESTDATA the two fingerprints of its `src/testdata/fingerprinting.expected.sarif` for
`testFile1.js` / `testFile2.js`. TRAP_VECTORS were computed by running that file's
`hash()` (transpiled, on Node 20) on the bytes below: byte-order mark, characters
outside the BMP, tabs, lone CRs, invalid UTF-8, form feeds and U+2028.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analyzer.report.fingerprint import line_hashes, primary_location_line_hashes

END = "c129715d7a2bc9a3:1"  # the hash of the empty line after a final newline

UPSTREAM_VECTORS: list[tuple[str, list[str]]] = [
    ("", [END]),
    (
        " a\nb\n  \t\tc\n d",
        ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"],
    ),
    (
        " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
        [
            "8b7cf3e952e7aeb2:1",
            "b1ae1287ec4718d9:1",
            "bff680108adb0fcc:1",
            "c6805c5e1288b612:1",
            "b86d3392aea1be30:1",
            "e6ceba753e1a442:1",
        ],
    ),
    *(
        (
            text,
            [
                "e9496ae3ebfced30:1",
                "fb7c023a8b9ccb3f:1",
                "ce8ba1a563dcdaca:1",
                "e20e36e16fcb0cc8:1",
                "b3edc88f2938467e:1",
                "c8e28b0b4002a3a0:1",
                END,
            ],
        )
        for text in (
            " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
            " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
            " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
            " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
        )
    ),
    (
        "Lorem ipsum dolor sit amet.\n" * 10,
        [
            *(f"a7f2ff13bc495cf2:{n}" for n in range(1, 7)),
            "a7f2ff1481e87703:1",
            "a9cf91f7bbf1862b:1",
            "55ec222b86bcae53:1",
            "cc97dc7b1d7d8f7b:1",
            END,
        ],
    ),
    (
        "x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n",
        [
            "e54938cc54b302f1:1",
            "bb609acbe9138d60:1",
            "1131fd5871777f34:1",
            "5c482a0f8b35ea28:1",
            "54517377da7028d2:1",
            "2c644846cb18d53e:1",
            "f1b89f20de0d133:1",
            END,
        ],
    ),
]

TESTDATA = [
    ("var a = 0;\nvar b = 0;\nvar c = 0;\nvar d = 0;\n", 1, "5e4d5a9cf1294ad9:1"),
    ("var foo = 0;\nvar bar = 0;\nvar baz = 0;\nvar qux = 0;\n", 2, "f7592a95a9381ac0:1"),
]

TRAP_VECTORS: list[tuple[bytes, list[str]]] = [
    (
        b'\xef\xbb\xbfrevision = "a\xf0\x9f\x94\x91"\t# x\r\n'
        b"b\xff\xfe c\xed\xa0\x80d\xe2\x82\n\x0cfoo\xe2\x80\xa8bar\rend",
        ["2db39d451a24dc71:1", "4d28b73cbfdf12da:1", "e7d8a84db016f7c9:1", "43b6461eda086fe2:1"],
    ),
    (b'x = "\xf0\x9f\x94\x91"\n', ["6450e46479a59fe4:1", END]),
    (b'\xef\xbb\xbfrevision = "a"\n', ["75ccd976fede0c05:1", END]),
    (b"a\x0cb\xe2\x80\xa8c\x0bd\rline2", ["1aae5e5d6ef2d58c:1", "e716bd193db49e69:1"]),
    (b"caf\xe9 = 1\n\xed\xa0\x80\xe2\x82\n", ["a69751bbb2aecce8:1", "9bd9eb9afcad3445:1", END]),
]


def _numbered(hashes: list[str]) -> list[tuple[int, str]]:
    return list(enumerate(hashes, 1))


@pytest.mark.parametrize(("text", "expected"), UPSTREAM_VECTORS)
def test_upstream_hash_vectors(text: str, expected: list[str]) -> None:
    assert list(line_hashes(text)) == _numbered(expected)
    # one hash per line, where only CR, LF and CRLF end lines (as the upstream test checks)
    assert len(expected) == len(re.split(r"\r\n|\r|\n", text))


@pytest.mark.parametrize(("text", "line", "expected"), TESTDATA)
def test_upstream_testdata_fingerprints(
    text: str, line: int, expected: str, tmp_path: Path
) -> None:
    path = tmp_path / "testFile.js"
    path.write_text(text, encoding="utf-8")
    assert primary_location_line_hashes(str(path), [line]) == {line: expected}


@pytest.mark.parametrize(("data", "expected"), TRAP_VECTORS)
def test_file_bytes_are_read_as_the_upload_action_reads_them(
    data: bytes, expected: list[str], tmp_path: Path
) -> None:
    path = tmp_path / "revision.py"
    path.write_bytes(data)
    lines = range(1, len(expected) + 1)
    assert primary_location_line_hashes(str(path), lines) == dict(_numbered(expected))


def test_a_character_outside_the_bmp_counts_as_two_utf16_code_units() -> None:
    assert list(line_hashes('x = "\U0001f511"\n')) == list(line_hashes('x = "\ud83d\udd11"\n'))
    assert list(line_hashes("\U0001f511")) != list(line_hashes("\ufffd"))


def test_only_the_requested_lines_are_returned(tmp_path: Path) -> None:
    path = tmp_path / "revision.py"
    path.write_bytes(b"Lorem ipsum dolor sit amet.\r\n" * 10)
    assert primary_location_line_hashes(str(path), [3, 8, 99]) == {
        3: "a7f2ff13bc495cf2:3",
        8: "a9cf91f7bbf1862b:1",
    }


def test_a_file_that_cannot_be_read_has_no_fingerprint(tmp_path: Path) -> None:
    assert primary_location_line_hashes(str(tmp_path / "missing.py"), [1]) == {}
    assert primary_location_line_hashes(str(tmp_path), [1]) == {}
