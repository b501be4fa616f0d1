"""Tab-separated rendering of ``run_living``'s result, one section per block, effects on the
people's scale (the measure named in the settings: RR, OR, RD, MD, ...)."""

from __future__ import annotations

from metapool.measures import registry
from metapool.safetext import tsv_cell

_PER_STUDY = {
    "cumulative": ("k", "est", "ci_lb", "ci_ub", "pval", "tau2", "I2"),
    "leave1out": ("est", "ci_lb", "ci_ub", "pval", "tau2", "I2", "Q"),
    "influence": ("rstudent", "dffits", "cooks_d", "covratio", "hat", "weight", "dfbetas", "influential"),
    "tsa": ("accrued", "information_fraction", "z", "efficacy", "futility"),
}
_LOG_SCALE = ("est", "ci_lb", "ci_ub")


def _fmt(x) -> str:
    if x is None:
        return ""
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:.4g}"
    return tsv_cell(str(x))


def _people(m: registry.Measure, block: dict, i: int | None = None) -> list[str]:
    vals = [block.get(f) if i is None else block[f][i] for f in _LOG_SCALE]
    return [_fmt(m.to_people(v)) if v is not None else "" for v in vals]


def _per_study(name: str, block: dict, m: registry.Measure) -> list[str]:
    fields = _PER_STUDY[name]
    effect = name in ("cumulative", "leave1out")
    head = ["study"] + ([m.code, f"{m.code}_lower", f"{m.code}_upper"] if effect else []) + list(fields)
    lines = ["\t".join(head)]
    for i, label in enumerate(block["study"]):
        row = [_fmt(label)] + (_people(m, block, i) if effect else []) + [_fmt(block[f][i]) for f in fields]
        lines.append("\t".join(row))
    return lines


def _scalars(name: str, block: dict, m: registry.Measure) -> list[str]:
    lines = ["field\tvalue"]
    if name == "trimfill":
        lines += [f"{m.code}{suffix}\t{v}" for suffix, v in zip(("", "_lower", "_upper"), _people(m, block))]
    for key, value in block.items():
        if isinstance(value, (list, dict)) or key == "study":
            continue
        lines.append(f"{key}\t{_fmt(value)}")
    return lines


def living_to_tsv(result: dict) -> str:
    """One '# block' section per analysis: a per-study table or field/value rows; reasons where absent."""
    out: list[str] = []
    reasons = result.get("reasons", {})
    m = registry.get((result.get("settings") or {}).get("measure") or registry.DEFAULT)
    for name, block in result.items():
        if name in ("settings", "reasons", "subgroups"):
            continue
        out.append(f"# {name}")
        if block is None:
            out.append(f"not computed\t{_fmt(reasons.get(name, ''))}")
        else:
            if name == "tsa":
                out += _scalars(name, block, m)
                out.append("")
                out.append(f"# {name} looks")
            out += _per_study(name, block, m) if name in _PER_STUDY else _scalars(name, block, m)
        out.append("")
    for part in result.get("subgroups") or ():  # an analysis kept apart by subgroup (pipeline.jobs)
        out.append(f"## subgroup: {part['group']}")
        out.append(living_to_tsv({k: v for k, v in part.items() if k != "group"}))
    return "\n".join(out)
