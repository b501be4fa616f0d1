"""Summary-of-findings table as TSV (programs), Markdown and a self-contained HTML page (people).

Each takes a list of sof.SofRow: all analyses of the review, or one ([row]) for an analysis'
own table. Where the assumed risk comes from, the reasons for levels lost and the imprecision
rule with its thresholds are numbered footnotes (one number per distinct text), as in GRADE
summary-of-findings tables (Guyatt et al. 2011 J Clin Epidemiol 64:383). Byte-stable: no dates, no versions, fixed order.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from metapool.appraisal.sof import DEFINITIONS, SYMBOLS, SofRow, texts
from metapool.engine.render import fmt

TITLE = "Summary of findings"
HEADERS = {
    "outcome": "Outcome",
    "participants": "Participants (trials)",
    "relative": "Relative effect (95% CI)",
    "assumed": "Risk with control",
    "corresponding": "Risk with intervention (95% CI)",
    "difference": "Difference (95% CI)",
    "certainty": "Certainty of the evidence (GRADE)",
}
FOOTNOTED = ("outcome", "relative", "assumed", "certainty")  # cells that carry footnote numbers
GENERAL_NOTE = ("Risk with intervention: the risk with control times the relative effect and its 95% interval "
                "(the analysis' declared interval, footnoted on the relative effect), per 1,000 patients "
                "(at most 1,000).")
CERTAINTY_HEAD = "GRADE certainty (Balshem et al. 2011 J Clin Epidemiol 64:401):"
TSV_NUMBERS = ("trials", "trials_selected", "participants", "trials_without_arm_sizes", "est", "ci_lb", "ci_ub",
               "acr", "assumed_per_1000", "corresponding_per_1000", "corresponding_ci_lb",
               "corresponding_ci_ub", "rd_per_1000", "rd_ci_lb", "rd_ci_ub")
TSV_TEXTS = {"relative_text": "relative", "assumed_text": "assumed", "corresponding_text": "corresponding",
             "difference_text": "difference", "participants_text": "participants"}
TSV_COLUMNS = (("analysis", "outcome", "measure") + TSV_NUMBERS
               + ("acr_source", "certainty", "symbols", "proposed_certainty", "provisional")
               + tuple(TSV_TEXTS) + ("reasons",))


def to_tsv(rows: Sequence[SofRow]) -> str:
    """One line per analysis: the engine's numbers (6 significant digits, as pooled.tsv), the texts,
    and the reasons joined by ' | '."""
    lines = ["\t".join(TSV_COLUMNS)]
    for row in rows:
        t = texts(row)
        values = {c: getattr(row, c) for c in TSV_COLUMNS if hasattr(row, c)}
        values.update({column: t[key] for column, key in TSV_TEXTS.items()})
        values["reasons"] = " | ".join(row.reasons)
        lines.append("\t".join(fmt(values[c]) for c in TSV_COLUMNS))
    return "\n".join(lines) + "\n"


def acr_note(row: SofRow) -> str | None:
    """Where the assumed control risk comes from, e.g. 'Risk with control: median control-arm risk of 3 trials.'"""
    if not row.acr_source or row.assumed_per_1000 is None:
        return None
    source = re.sub(r"\bof 1 trials\b", "of 1 trial", row.acr_source)
    return f"Risk with control: {source}."


def timepoint_note(row: SofRow) -> str | None:
    """The time point of each pooled trial, e.g. 'Time points: VASST: 28 d; VANISH: not stated.'"""
    return f"Time points: {'; '.join(row.timepoints)}." if row.timepoints else None


def footnotes(rows: Sequence[SofRow]) -> tuple[list[str], list[dict[str, list[int]]]]:
    """The distinct notes in row order and, per row and footnoted cell, the numbers of its notes
    (1-based): the pooled trials' time points, which interval the relative effect is, the assumed
    risk's source (which control arms), then the reasons for the certainty and the imprecision rule
    with the row's thresholds (appraisal.imprecision.rule_text)."""
    notes: list[str] = []
    refs = []
    for row in rows:
        note, when = acr_note(row), timepoint_note(row)
        mine = {}
        certainty = list(row.reasons) + ([row.imprecision_rule] if row.imprecision_rule else [])
        for cell, items in (("outcome", [when] if when else []), ("relative", [row.interval] if row.interval else []),
                            ("assumed", [note] if note else []), ("certainty", certainty)):
            for item in items:
                if item not in notes:
                    notes.append(item)
            mine[cell] = [notes.index(item) + 1 for item in items]
        refs.append(mine)
    return notes, refs


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(rows: Sequence[SofRow], title: str = TITLE) -> str:
    """A GitHub-flavoured Markdown table, its numbered footnotes and the certainty definitions."""
    notes, refs = footnotes(rows)
    lines = [f"# {_md(title)}", "", "| " + " | ".join(HEADERS.values()) + " |",
             "|" + "|".join(" --- " for _ in HEADERS) + "|"]
    for row, mine in zip(rows, refs):
        cells = texts(row)
        for cell in FOOTNOTED:
            if mine[cell]:
                cells[cell] += " [" + ", ".join(map(str, mine[cell])) + "]"
        lines.append("| " + " | ".join(_md(cells[c]) for c in HEADERS) + " |")
    lines.append("")
    if notes:
        lines.extend([f"{i}. {_md(note)}" for i, note in enumerate(notes, start=1)] + [""])
    lines.extend([GENERAL_NOTE, "", CERTAINTY_HEAD, ""])
    lines.extend(f"- {SYMBOLS[level]} {level.capitalize()}: {text}" for level, text in DEFINITIONS.items())
    return "\n".join(lines) + "\n"


VIEWPORT = "width=device-width, initial-scale=1"  # phones lay the page out at their own width
# The table keeps readable columns on a phone and scrolls sideways in its own box (.table-scroll).
STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 14px; color: #000; margin: 24px; }
h1 { font-size: 18px; }
.table-scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; min-width: 720px; }
th, td { border: 1px solid #6e6e6e; padding: 6px 8px; vertical-align: top; text-align: left; }
th { background: #e8eef4; }
td.certainty { white-space: nowrap; }
.symbols { letter-spacing: 1px; font-size: 16px; }
sup { font-size: 11px; }
ol, ul { padding-left: 22px; }
.notes, .notes li { font-size: 13px; overflow-wrap: anywhere; }
@media (max-width: 600px) { body { margin: 10px; } }
""".strip()


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _sup(numbers: list[int]) -> str:
    return "<sup>" + ",".join(f'<a href="#note-{i}">{i}</a>' for i in numbers) + "</sup>" if numbers else ""


def _html_row(row: SofRow, mine: dict[str, list[int]]) -> str:
    cells = texts(row)
    out = []
    for column in HEADERS:
        if column == "certainty" and row.certainty is not None:
            rest = cells[column].removeprefix(SYMBOLS[row.certainty])
            value = f'<span class="symbols">{_e(SYMBOLS[row.certainty])}</span>{_e(rest)}'
            out.append(f'<td class="certainty">{value}{_sup(mine[column])}</td>')
        else:
            out.append(f"<td>{_e(cells[column])}{_sup(mine.get(column, []))}</td>")
    return "<tr>" + "".join(out) + "</tr>"


def to_html(rows: Sequence[SofRow], title: str = TITLE) -> str:
    """A self-contained HTML page (inline CSS; no scripts, fonts or images from elsewhere)."""
    notes, refs = footnotes(rows)
    head = "<tr>" + "".join(f"<th>{_e(h)}</th>" for h in HEADERS.values()) + "</tr>"
    body = "\n".join(_html_row(row, mine) for row, mine in zip(rows, refs))
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             f'<meta name="viewport" content="{VIEWPORT}">',
             f"<title>{_e(title)}</title>", f"<style>\n{STYLE}\n</style>", "</head>", "<body>",
             f"<h1>{_e(title)}</h1>", '<div class="table-scroll"><table>', f"<thead>{head}</thead>",
             f"<tbody>\n{body}\n</tbody>", "</table></div>"]
    if notes:
        parts.append('<ol class="notes">' + "".join(f'<li id="note-{i}">{_e(n)}</li>'
                                                    for i, n in enumerate(notes, start=1)) + "</ol>")
    parts.append(f'<p class="notes">{_e(GENERAL_NOTE)}</p>')
    parts.append(f'<p class="notes">{_e(CERTAINTY_HEAD)}</p>')
    parts.append('<ul class="notes">' + "".join(f'<li><span class="symbols">{_e(SYMBOLS[lv])}</span> '
                                                f"{_e(lv.capitalize())}: {_e(text)}</li>"
                                                for lv, text in DEFINITIONS.items()) + "</ul>")
    parts.extend(["</body>", "</html>"])
    return "\n".join(parts) + "\n"
