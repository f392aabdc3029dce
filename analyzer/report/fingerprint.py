"""GitHub's `partialFingerprints.primaryLocationLineHash`, computed as the upload action does.

`github/codeql-action/upload-sarif` fills this fingerprint in when a result lacks it, and
GitHub matches alerts across runs with it. Uploads through the REST API get no such
help, so the SARIF reporter computes it itself; it must be bit-for-bit the action's value
(codeql-action `src/fingerprints.ts`), or every run would close and reopen the alerts.

The algorithm, per line: a rolling polynomial hash (base 37, arithmetic modulo 2**64) of
the 100 characters that start at the line's first character, where

- characters are UTF-16 code units (JavaScript strings): a character outside the Basic
  Multilingual Plane counts twice;
- spaces and tabs are skipped (they are not part of any window);
- CR, LF and CRLF each count as one LF, so the file is read with its CRs kept;
- the end of the file adds the character 65535, then zeros fill the last windows;
- the value is lowercase hex without leading zeros, then `:` and how many times that
  value has occurred so far in the file (`a7f2ff13bc495cf2:3`).

The file is decoded as UTF-8 with invalid bytes replaced by U+FFFD, as Node.js does; a
byte-order mark is a character like any other.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Collection, Iterator
from itertools import chain

from analyzer.parsing.source import read_bytes

BLOCK_SIZE = 100
_BASE = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_BASE, BLOCK_SIZE, 1 << 64)
_END_OF_FILE = 0xFFFF
_TAB, _LF, _CR, _SPACE = 0x09, 0x0A, 0x0D, 0x20


def _utf16_code_units(text: str) -> array[int]:
    units = array("H", text.encode("utf-16-le", errors="surrogatepass"))
    if sys.byteorder == "big":
        units.byteswap()
    return units


def line_hashes(text: str) -> Iterator[tuple[int, str]]:
    """`(line, hash)` for every line of `text` (1-based, in order, including the empty
    line after a final newline), lazily: a caller may stop once it has the lines it needs."""
    window = [0] * BLOCK_SIZE
    line_at = [0] * BLOCK_SIZE  # the line that starts at this window slot, 0 for none
    counts: dict[str, int] = {}
    value = index = line = 0
    at_line_start = True
    after_cr = False

    def label() -> str:
        digits = format(value, "x")
        counts[digits] = counts.get(digits, 0) + 1
        return f"{digits}:{counts[digits]}"

    for unit in chain(_utf16_code_units(text), (_END_OF_FILE,)):
        if unit in (_SPACE, _TAB) or (after_cr and unit == _LF):
            after_cr = False
            continue
        after_cr = unit == _CR
        code = _LF if after_cr else unit
        if line_at[index]:
            yield line_at[index], label()
            line_at[index] = 0
        if at_line_start:
            at_line_start = False
            line += 1
            line_at[index] = line
        at_line_start = code == _LF
        value = (value * _BASE + code - _FIRST_MOD * window[index]) & _MASK
        window[index] = code
        index = (index + 1) % BLOCK_SIZE
    for _ in range(BLOCK_SIZE):
        if line_at[index]:
            yield line_at[index], label()
            line_at[index] = 0
        value = (value * _BASE - _FIRST_MOD * window[index]) & _MASK
        window[index] = 0
        index = (index + 1) % BLOCK_SIZE


def primary_location_line_hashes(path: str, lines: Collection[int]) -> dict[int, str]:
    """The hash of each of `lines` that the file at `path` has; none when the file cannot
    be read (the upload action then computes nothing either)."""
    data = read_bytes(path)  # never blocks on a FIFO nor reads /dev/zero forever
    if not isinstance(data, bytes):
        return {}
    wanted = set(lines)
    found: dict[int, str] = {}
    for line, digest in line_hashes(data.decode("utf-8", errors="replace")):
        if line in wanted:
            found[line] = digest
            if len(found) == len(wanted):
                break
    return found
