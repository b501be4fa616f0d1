"""Reconciliation with published meta-analyses: results/validation.{md,html,json}.

For each analysis (its pooled.json), the closest published estimate (inputs.published): the same
measure and outcome, an agent and a comparator class that the analysis' trials have, and the
closest time point (the smallest distance between the published time point and one of the
analysis' trials' time points; an unstated time point is close only to an unstated one; ties: more
of the analysis' agents, fewer comparator classes the analysis lacks, the larger k, then file order). Beside the two estimates: the trials pooled in one but not the other.

The two estimates differ when their 95% CIs do not overlap, or when they are further apart than
RATIO_TOLERANCE (ratio measures: the larger over the smaller estimate) or DIFFERENCE_TOLERANCE
(difference measures: the absolute difference). A difference is flagged unless the trial lists
differ (then they may explain it): with the same trials, or when the published review does not
list its trials, nothing on the page explains it.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from typing import Sequence

from metapool.engine.subgroups import pooled_across
from metapool.inputs.published import Published
from metapool.measures import registry

RATIO_TOLERANCE = 1.25
DIFFERENCE_TOLERANCE = 0.05
FAR = 10**6  # the distance between a stated and an unstated time point
TITLE = "Reconciliation with published meta-analyses"


@dataclass(frozen=True)
class Review:
    """What the reconciliation reads of one pooled.json."""

    analysis: str
    title: str
    measure: str
    outcome: str | None
    agents: frozenset
    comparator_classes: frozenset
    timepoints: frozenset  # stated days; None for an unstated one
    k: int
    est: float | None
    ci_lb: float | None
    ci_ub: float | None
    trials: tuple[str, ...]  # the pooled trials (names as in data/raw)

    @classmethod
    def from_pooled(cls, pooled: dict) -> "Review":
        studies = pooled.get("studies") or []
        pooled_studies = [s for s in studies if s.get("weight_random") is not None
                          or s.get("weight_fixed") is not None]
        basis = pooled_studies or studies
        agents = {a.strip() for s in studies for a in str(s.get("agent") or "").split(" / ") if a.strip()}
        random = pooled.get("random") or {}
        # the analysis' declared interval (engine.conclusion), as in the SoF and the summary pages
        natural = ((pooled.get("conclusion") if random else None) or random).get("natural") or {}
        outcomes = {s.get("outcome") for s in studies}
        return cls(analysis=pooled.get("analysis") or "", title=pooled.get("title") or "",
                   measure=pooled.get("measure") or "", outcome=outcomes.pop() if len(outcomes) == 1 else None,
                   agents=frozenset(agents), comparator_classes=frozenset(s.get("comparator_class") for s in studies),
                   timepoints=frozenset(s.get("timepoint_days") for s in basis), k=pooled.get("k") or 0,
                   est=natural.get("est"), ci_lb=natural.get("ci_lb"), ci_ub=natural.get("ci_ub"),
                   trials=tuple(sorted({str(s.get("trial") or s.get("study")) for s in pooled_studies})))


def oriented(p: Published) -> tuple[float, float, float]:
    """(estimate, lower, upper) as the agent vs its comparator: a reversed source inverted."""
    if not p.reversed:
        return p.estimate, p.ci_lower, p.ci_upper
    if registry.get(p.measure).log_scale:
        return 1 / p.estimate, 1 / p.ci_upper, 1 / p.ci_lower
    return -p.estimate, -p.ci_upper, -p.ci_lower


def candidates(review: Review, published: Sequence[Published]) -> list[Published]:
    """The published estimates comparable with the analysis: measure, outcome, agent and comparator."""
    return [p for p in published if p.measure == review.measure and p.outcome == review.outcome
            and review.agents & set(p.agents) and review.comparator_classes & set(p.comparator_classes)]


def distance(review: Review, p: Published) -> int:
    """Days between the published time point and the nearest of the analysis' time points."""
    gaps = [0 if p.timepoint_days is None and t is None
            else abs(p.timepoint_days - t) if p.timepoint_days is not None and t is not None else FAR
            for t in review.timepoints]
    return min(gaps, default=FAR)


def closest(review: Review, published: Sequence[Published]) -> Published | None:
    """The closest comparable published estimate (module docstring), or None."""
    found = candidates(review, published)
    return min(found, key=lambda p: (distance(review, p), -len(review.agents & set(p.agents)),
                                     len(set(p.comparator_classes) - review.comparator_classes), -(p.k or 0),
                                     p.entry)) if found else None


def differs(review: Review, p: Published) -> list[str]:
    """Why the two estimates differ (empty: they agree within the stated tolerance)."""
    est, lo, hi = oriented(p)
    reasons = []
    if review.ci_ub < lo or hi < review.ci_lb:
        reasons.append("the 95% CIs do not overlap")
    if registry.get(p.measure).log_scale:
        ratio = math.exp(abs(math.log(review.est / est)))
        if ratio > RATIO_TOLERANCE:
            reasons.append(f"the estimates differ by a factor of {ratio:.2f} (> {RATIO_TOLERANCE:g})")
    elif abs(review.est - est) > DIFFERENCE_TOLERANCE:
        reasons.append(f"the estimates differ by {abs(review.est - est):.3f} (> {DIFFERENCE_TOLERANCE:g})")
    return reasons


def compare(review: Review, published: Sequence[Published], pooled_across: bool = True) -> dict:
    """One analysis' row of the page (the JSON form): the review's estimate, the closest published
    one, the trials in one only, whether they differ and whether that is flagged. An analysis that
    does not pool across its subgroups (plot `overall: false`) has no estimate to compare."""
    p = closest(review, published)
    row = {"analysis": review.analysis, "title": review.title, "measure": review.measure,
           "review": {"k": review.k, "est": review.est, "ci_lb": review.ci_lb, "ci_ub": review.ci_ub,
                      "trials": list(review.trials)},
           "published": None, "only_review": None, "only_published": None, "differences": [],
           "flag": False, "pooled_across": pooled_across,
           "verdict": "no comparable published estimate is recorded"}
    if p is None:
        return row
    est, lo, hi = oriented(p)
    row["published"] = {"id": p.id, "review": p.review, "agent": " or ".join(p.agents), "comparator": p.comparator,
                        "timepoint_days": p.timepoint_days, "k": p.k, "est": est, "ci_lb": lo, "ci_ub": hi,
                        "reversed": p.reversed, "trials": None if p.trials is None else list(p.trials),
                        "quote": p.quote, "source": p.source, "note": p.note}
    if p.trials is not None:
        row["only_review"] = sorted(set(review.trials) - set(p.trials))
        row["only_published"] = sorted(set(p.trials) - set(review.trials))
    if not pooled_across:
        row["verdict"] = "the review does not pool across its subgroups here: no single estimate to compare"
        return row
    if review.est is None:
        row["verdict"] = "nothing is pooled in the review yet"
        return row
    reasons = differs(review, p)
    row["differences"] = reasons
    if not reasons:
        row["verdict"] = "consistent"
    elif p.trials is None:
        row["flag"] = True
        row["verdict"] = "differs; the published review does not list its trials, so the trial lists cannot explain it"
    elif row["only_review"] or row["only_published"]:
        row["verdict"] = "differs; the trial lists differ, which may explain it"
    else:
        row["flag"] = True
        row["verdict"] = "differs with the same trials: not explained by the trial lists"
    return row


def reconcile(pooled: Sequence[dict], published: Sequence[Published]) -> list[dict]:
    """compare() for each pooled.json, in the order given (config order), as its own plan has it:
    pooled across its subgroups or not (engine.subgroups.pooled_across)."""
    return [compare(Review.from_pooled(p), published, pooled_across(p)) for p in pooled]


# ---- rendering -----------------------------------------------------------------------------------

RULE = (f"Closest published estimate: same measure and outcome, an agent and comparator class of the "
        f"analysis' trials, the nearest time point. Two estimates differ when their 95% CIs do not overlap or "
        f"they are more than a factor {RATIO_TOLERANCE:g} apart (ratio measures; {DIFFERENCE_TOLERANCE:g} for "
        f"differences). A difference is flagged (FLAG) unless the trial lists differ. The review's estimate is "
        f"its declared estimate and interval (the random-effects CI, or with 2 to 4 trials the Bayesian "
        f"credible interval), as in its Summary of findings; a published estimate reported as comparator vs agent is inverted.")


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def _est(block: dict | None, measure: str) -> str:
    if not block or block.get("est") is None:
        return "-"
    text = f"{measure} {_num(block['est'])} ({_num(block['ci_lb'])} to {_num(block['ci_ub'])})"
    return f"{text}, {block['agent']} vs {block['comparator']}" if "comparator" in block else text


def _review(row: dict) -> str:
    if not row["pooled_across"]:
        return f"not pooled across subgroups (k = {row['review']['k']})"
    return f"{_est(row['review'], row['measure'])} (k = {row['review']['k']})"


def _trials(names: list[str] | None) -> str:
    if names is None:
        return "not listed by the source"
    return ", ".join(names) if names else "none"


def _md(text: str) -> str:
    """Markdown-safe text from data: punctuation that Markdown or HTML would read is escaped."""
    out = str(text).replace("\r", " ").replace("\n", " ")
    for ch in "\\`*_{}[]<>|~&":
        out = out.replace(ch, "\\" + ch)
    return out


def to_markdown(rows: Sequence[dict]) -> str:
    flagged = sum(r["flag"] for r in rows)
    lines = [f"# {TITLE}", "", _md(RULE), "",
             f"{len(rows)} analyses; {sum(r['published'] is not None for r in rows)} with a published estimate; "
             f"{flagged} flagged.", "",
             "| Analysis | This review | Published | Source review | Only in this review | Only in the published | Verdict |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        p = r["published"]
        source = "-" if p is None else f"{_md(p['review'])} (k = {p['k'] if p['k'] is not None else 'not stated'}" \
                                       f", {_timepoint(p['timepoint_days'])})"
        verdict = ("**FLAG**: " if r["flag"] else "") + _md(r["verdict"])
        if r["differences"]:
            verdict += " (" + _md("; ".join(r["differences"])) + ")"
        lines.append("| " + " | ".join([
            _md(r["title"] or r["analysis"]), _md(_review(r)),
            _md(_est(p, r["measure"])), source,
            "-" if p is None else _md(_trials(r["only_review"])),
            "-" if p is None else _md(_trials(r["only_published"])), verdict]) + " |")
    lines += ["", "## Sources", ""]
    for p in dict((r["published"]["id"], r["published"]) for r in rows if r["published"]).values():
        turned = " Reported as comparator vs agent; inverted here." if p["reversed"] else ""
        note = f" {_md(p['note'])}" if p.get("note") else ""
        lines.append(f"- {_md(p['review'])}: {_md(p['quote'])} <{_md_url(p['source'])}>{_md(turned)}{note}")
    return "\n".join(lines) + "\n"


def _md_url(url: str) -> str:
    return url.replace(">", "%3E").replace("<", "%3C").replace(" ", "%20")


def _timepoint(days: int | None) -> str:
    return "time point not stated" if days is None else f"{days} days"


STYLE = ("body{font-family:sans-serif;margin:1em;max-width:80em}table{border-collapse:collapse}"
         "th,td{border:1px solid #999;padding:.3em;vertical-align:top;text-align:left}"
         ".flag{background:#fde2e1}.notes{font-size:90%}")


def to_html(rows: Sequence[dict]) -> str:
    """A self-contained HTML page (no scripts, no remote resources); every text from data escaped."""
    e = lambda text: html.escape(str(text), quote=True)  # noqa: E731
    head = ("<tr><th>Analysis</th><th>This review</th><th>Published</th><th>Source review</th>"
            "<th>Only in this review</th><th>Only in the published</th><th>Verdict</th></tr>")
    body = []
    for r in rows:
        p = r["published"]
        verdict = ("<strong>FLAG</strong>: " if r["flag"] else "") + e(r["verdict"])
        if r["differences"]:
            verdict += " (" + e("; ".join(r["differences"])) + ")"
        source = "-" if p is None else (f'<a href="{e(p["source"])}">{e(p["review"])}</a> (k = '
                                        f'{e(p["k"] if p["k"] is not None else "not stated")}, '
                                        f'{e(_timepoint(p["timepoint_days"]))})')
        cells = [e(r["title"] or r["analysis"]), e(_review(r)),
                 e(_est(p, r["measure"])), source,
                 "-" if p is None else e(_trials(r["only_review"])),
                 "-" if p is None else e(_trials(r["only_published"])), verdict]
        cls = ' class="flag"' if r["flag"] else ""
        body.append(f"<tr{cls}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    quotes = [f"<li>{e(p['review'])}: {e(p['quote'])} <a href=\"{e(p['source'])}\">{e(p['source'])}</a></li>"
              for p in dict((r["published"]["id"], r["published"]) for r in rows if r["published"]).values()]
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{e(TITLE)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>", f"<h1>{e(TITLE)}</h1>",
             f'<p class="notes">{e(RULE)}</p>', "<table>", f"<thead>{head}</thead>", "<tbody>", *body,
             "</tbody>", "</table>", "<h2>Sources</h2>", '<ul class="notes">', *quotes, "</ul>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def to_json(rows: Sequence[dict]) -> str:
    return json.dumps({"rule": RULE, "analyses": list(rows)}, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
