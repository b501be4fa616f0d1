"""changes.md as a self-contained HTML page for the Snakemake report (the subset of Markdown that
versions.report writes: headings, paragraphs, two-level lists, tables, **bold**, `code`)."""

from __future__ import annotations

import html
import re

VIEWPORT = "width=device-width, initial-scale=1"  # phones lay the page out at their own width
# Tables scroll sideways in their own box (.table-scroll); long words and code wrap on a phone.
STYLE = ("body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;"
         "line-height:1.4;overflow-wrap:anywhere}"
         ".table-scroll{overflow-x:auto;max-width:100%}"
         "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #999;padding:.2em .6em;"
         "text-align:left;overflow-wrap:normal}th{background:#eee}code{background:#f3f3f3;padding:0 .2em}")


_ESCAPED = re.compile(r"\\([\\`*<>|\]])")  # what safetext.md_text escapes
_SLOT = re.compile("\x00([0-9]+)\x00")


def inline(text: str) -> str:
    """Escape, then **bold** and `code`; a backslash-escaped character (data text,
    safetext.md_text) is that character, HTML-escaped, never markup."""
    out = _ESCAPED.sub(lambda m: f"\x00{ord(m[1])}\x00", text)
    out = html.escape(out, quote=False)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    return _SLOT.sub(lambda m: html.escape(chr(int(m[1]))), out)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def to_html(markdown: str, title: str = "What changed") -> str:
    """The page: one pass over the lines, closing open lists and tables at each block change."""
    body: list[str] = []
    open_list = 0
    table: list[list[str]] = []

    def close() -> None:
        nonlocal open_list, table
        body.extend(["</ul>"] * open_list)
        open_list = 0
        if table:
            head, rows = table[0], [r for r in table[1:] if not set("".join(r)) <= set("-: ")]
            body.append('<div class="table-scroll"><table><tr>' + "".join(f"<th>{inline(c)}</th>" for c in head) + "</tr>")
            body.extend("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in r) + "</tr>" for r in rows)
            body.append("</table></div>")
            table = []

    for line in markdown.splitlines():
        heading = re.match(r"(#{1,3}) (.*)", line)
        item = re.match(r"( *)- (.*)", line)
        if line.startswith("|"):
            body.extend(["</ul>"] * open_list)
            open_list = 0
            table.append(_cells(line))
        elif item:
            if table:
                close()
            depth = len(item.group(1)) // 2 + 1
            while open_list < depth:
                body.append("<ul>")
                open_list += 1
            while open_list > depth:
                body.append("</ul>")
                open_list -= 1
            body.append(f"<li>{inline(item.group(2))}</li>")
        else:
            close()
            if heading:
                level = len(heading.group(1))
                body.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
            elif line.strip():
                body.append(f"<p>{inline(line)}</p>")
    close()
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta name="viewport" content="{VIEWPORT}"><title>' + html.escape(title)
            + f"</title><style>{STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
