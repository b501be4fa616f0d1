"""Text from the data made safe for each output format, one function per format.

- TSV (`tsv_cell`): line breaks and tabs folded to a space, and a cell that a spreadsheet would
  run as a formula (it starts with =, +, -, @, a tab or a carriage return) prefixed with a single
  quote, as the OWASP "CSV Injection" guidance advises. Every TSV writer formats its cells through
  engine.render.fmt, which calls this for text.
- Markdown (`md_text`): line breaks folded (a quote cannot start a heading or a list item of its
  own) and the Markdown inline syntax that could make markup backslash-escaped (MD_SPECIAL), so
  text shows as written; versions.html turns
  the escapes back into the characters (HTML-escaped there).
"""

from __future__ import annotations

import re

# Line breaks of every kind (str.splitlines' set) and the tab.
_BREAKS = re.compile(r"[\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What could turn data text into markup on one line: bold/italic (*), code (`), HTML (< >), a
# table cell boundary (|), a link ("](") and the escape itself; the rest (brackets of the quotes'
# [notes], underscores inside words, #) stays as written, readable in the plain text.
MD_SPECIAL = re.compile(r"([\\`*<>|]|\](?=\())")


def fold(text: str) -> str:
    """Every run of line breaks or tabs as one space."""
    return _BREAKS.sub(" ", text)


def tsv_cell(text: str) -> str:
    """A text cell for a TSV file: one line, and not a formula (OWASP CSV injection)."""
    if text.startswith(FORMULA_START):
        text = "'" + text
    return fold(text)


def md_text(text) -> str:
    """Data text for a Markdown line: one line, inline syntax escaped."""
    return MD_SPECIAL.sub(r"\\\1", fold(str(text)))
