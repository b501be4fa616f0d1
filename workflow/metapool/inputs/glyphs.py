"""One rule for text that reaches a figure: every character must be in the bundled fonts.

The figures draw text in matplotlib's bundled DejaVu Sans (normal, bold, oblique) and DejaVu
Sans Mono (plotting.style); a character none of them has (CJK, most emoji) makes FreeType fail
in the job ("failed to find glyph"), after Snakemake has already deleted the job's earlier
outputs. We reject such text here, at parse time, with its location, instead of adding a
fallback font: a font covering Latin, Greek and CJK (Noto Sans CJK, Source Han Sans) is 20 MB
or more, is not bundled with matplotlib (the figures would then depend on the machine's fonts),
and would change the bytes of every PDF that embeds a font subset. Reviewers can transliterate
(write the Latin name or the registry id; the source quote keeps the original script, since the
quote reaches only the tables, never a figure).

The coverage is the cmap of the actual font files (fontTools), read only when some text has a
character outside Latin-1, which every DejaVu face covers, so a normal parse reads no font.
"""

from __future__ import annotations

import importlib.util
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from metapool.errors import Problem

# The faces the figures use (plotting.style.FONT_FILES and the Mono face of the summary forest).
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSansMono.ttf")
# Characters every face has (checked by tests/test_red_team.py): no font is read for them.
_CHEAP = frozenset(chr(c) for c in range(0x20, 0x7F)) | frozenset(chr(c) for c in range(0xA0, 0x100))

# Trial-table columns that no figure draws: they reach only the tables (escaped there).
NOT_DRAWN = ("quote", "source", "doi", "journal")


def font_dir() -> Path:
    """matplotlib's bundled TrueType fonts, found without importing matplotlib (parse time)."""
    spec = importlib.util.find_spec("matplotlib")
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


@lru_cache(maxsize=1)
def covered() -> frozenset[int]:
    """Code points that every face of FONT_FILES maps to a glyph."""
    from fontTools.ttLib import TTFont

    sets = []
    for name in FONT_FILES:
        with TTFont(str(font_dir() / name), lazy=True) as font:
            sets.append(set(font.getBestCmap()))
    return frozenset(set.intersection(*sets))


def missing(text: str) -> list[str]:
    """The characters of ``text`` that the fonts lack, in order, each once."""
    odd = [ch for ch in dict.fromkeys(text) if ch not in _CHEAP and ch not in "\n\t"]
    if not odd:
        return []
    have = covered()
    return [ch for ch in odd if ord(ch) not in have]


def _name(ch: str) -> str:
    return f"'{ch}' (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})"


def figure_text_problems(texts: Iterable[tuple[str, int | None, str | None, str]]) -> list[Problem]:
    """Problems for each (file, row, column, text) with a character outside the figure fonts."""
    problems = []
    for file, row, column, text in texts:
        lack = missing(text) if isinstance(text, str) else []
        if lack:
            shown = ", ".join(_name(ch) for ch in lack[:3]) + (f" and {len(lack) - 3} more" if len(lack) > 3 else "")
            problems.append(Problem(file, row, column,
                                    f"{shown} is not in the figure fonts (DejaVu Sans/Sans Mono), so the "
                                    "figure cannot be drawn; write it in Latin letters (e.g. the "
                                    "transliterated name or the registry id); see metapool.inputs.glyphs"))
    return problems


def trial_texts(rows: Iterable[dict]) -> Iterable[tuple[str, int, str, str]]:
    """(file, row, column, text) of every trial-table text cell that a figure may draw."""
    for r in rows:
        for column, value in r.items():
            if isinstance(value, str) and column not in NOT_DRAWN + ("file",):
                yield r["file"], r["row"], column, value


def rob_texts(rows: Iterable[dict]) -> Iterable[tuple[str, int, str, str]]:
    """(file, row, "assessor", text) of each risk-of-bias row: the figures print the assessors."""
    for r in rows:
        if isinstance(r.get("assessor"), str):
            yield r["file"], r["row"], "assessor", r["assessor"]


def config_texts(analyses, source: str) -> Iterable[tuple[str, None, str, str]]:
    """(file, None, key, text) of each analysis' title, drawn above its figures."""
    for a in analyses:
        yield source, None, f"analyses.{a.name}.title", a.title
