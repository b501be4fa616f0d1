"""Reading results/ and the committed versions file, with errors that name the file and the problem.

``data/versions/versions.json`` is a JSON list, oldest first, of
``{"version": 1, 2, ..., "date": "YYYY-MM-DD", "label": str | null, "analyses": {name: state}}``
(states as :func:`metapool.versions.state.analysis_state` makes them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from pathlib import Path

from metapool.errors import InputError, Problem
from metapool.measures import registry
from metapool.versions.state import analysis_state

VERSIONS_FILE = "versions.json"
CHANGELOG_FILE = "CHANGELOG.md"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
STATE_KEYS = ("measure", "k", "est", "ci_lb", "ci_ub", "trials")
NUMBER_KEYS = ("est", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "tau2", "I2")


def record_digest(version: dict) -> str:
    """SHA-256 of a version record's canonical JSON (sorted keys, no spaces, UTF-8), the "digest"
    key itself left out: what `publish` stores in the record and every reader verifies."""
    body = {k: v for k, v in version.items() if k != "digest"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def with_digest(version: dict) -> dict:
    """The record with its "digest" (record_digest) set."""
    return {**{k: v for k, v in version.items() if k != "digest"}, "digest": record_digest(version)}


def _not_finite(name: str):
    raise ValueError(f"{name} is not a finite number (JSON has no NaN or Infinity; write null)")


def _unique_keys(pairs: list) -> dict:
    """A JSON object whose keys are each given once (json keeps the last of two silently)."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise ValueError(f"key {twice!r} is given twice in one object; the second would silently replace the first")
    return out


def dump_json(obj) -> str:
    """Sorted keys, two-space indent, UTF-8 as is, newline-terminated: the same object, the same bytes."""
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def read_json(path: str | Path):
    """The parsed file; InputError naming it when it is missing or not valid JSON (NaN, Infinity
    and a key given twice in one object included)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([Problem(str(path), None, None, "file not found")]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError([Problem(str(path), None, None, f"cannot be read: {e}")]) from None
    try:
        return json.loads(text, parse_constant=_not_finite, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as e:
        problem = Problem(str(path), e.lineno, None, f"not valid JSON: {e.msg} (column {e.colno}); "
                          "a truncated or hand-edited file? restore it with `git checkout` on it")
        raise InputError([problem]) from None
    except ValueError as e:
        raise InputError([Problem(str(path), None, None, f"not valid JSON: {e}")]) from None


def check_date(date: str, where: str = "--date") -> str:
    """``date`` when it is a real calendar date written YYYY-MM-DD; else ValueError saying so."""
    if not isinstance(date, str) or not DATE.match(date):
        raise ValueError(f"{where}: {date!r} is not a date written YYYY-MM-DD")
    try:
        dt.date.fromisoformat(date)
    except ValueError:
        raise ValueError(f"{where}: {date!r} is not a calendar date") from None
    return date


def load_versions(path: str | Path) -> list[dict]:
    """The published versions, oldest first; [] when the file does not exist yet."""
    path = Path(path)
    if not path.exists():
        return []
    versions = read_json(path)
    problems = version_problems(versions, str(path))
    if problems:
        raise InputError(problems)
    return versions


def version_problems(versions, file: str) -> list[Problem]:
    """Every way ``versions`` is not a valid versions list (numbered 1, 2, ..., dates in order)."""
    if not isinstance(versions, list):
        return [Problem(file, None, None, "must be a JSON list of versions, oldest first")]
    problems = []
    previous = None
    for i, v in enumerate(versions):
        where = f"[{i}]"
        if not isinstance(v, dict):
            problems.append(Problem(file, None, where, "a version must be an object"))
            continue
        if v.get("version") != i + 1 or isinstance(v.get("version"), bool):
            problems.append(Problem(file, None, f"{where}.version", f"must be {i + 1} (versions count 1, 2, ...)"))
        try:
            date = check_date(v.get("date"), "date")
            if previous and date < previous:
                problems.append(Problem(file, None, f"{where}.date",
                                        f"{date} is earlier than the version before ({previous})"))
            previous = date
        except ValueError as e:
            problems.append(Problem(file, None, f"{where}.date", str(e)))
        if v.get("label") is not None and not isinstance(v.get("label"), str):
            problems.append(Problem(file, None, f"{where}.label", "must be text or null"))
        problems += _analyses_problems(v.get("analyses"), file, f"{where}.analyses")
        problems += _digest_problems(v, file, where)
    return problems


def _digest_problems(version: dict, file: str, where: str) -> list[Problem]:
    """A record whose content is not what `publish` wrote (its digest) is an error, never a baseline."""
    digest = version.get("digest")
    if digest is None:
        return [Problem(file, None, f"{where}.digest", "missing: every version record carries the SHA-256 "
                        "of its content (metapool publish writes it); the record cannot be verified")]
    if digest != record_digest(version):
        return [Problem(file, None, f"{where}.digest", f"version {version.get('version')} does not match its "
                        "digest: the record was edited after `metapool publish` wrote it; restore it with "
                        "`git checkout` on the file (a published version is never edited by hand)")]
    return []


def _analyses_problems(analyses, file: str, where: str) -> list[Problem]:
    if not isinstance(analyses, dict):
        return [Problem(file, None, where, "must be an object: analysis name -> state")]
    problems = []
    for name, state in analyses.items():
        at = f"{where}.{name}"
        if not isinstance(state, dict):
            problems.append(Problem(file, None, at, "a state must be an object"))
            continue
        missing = [key for key in STATE_KEYS if key not in state]
        if missing:
            problems.append(Problem(file, None, at, f"state lacks {', '.join(missing)}"))
        elif not isinstance(state["trials"], dict):
            problems.append(Problem(file, None, f"{at}.trials", "must be an object: trial -> fields"))
        else:
            problems += _state_problems(state, file, at)
    return problems


def _state_problems(state: dict, file: str, at: str) -> list[Problem]:
    """k a whole number no larger than the stored trials; numbers finite; est inside its CI."""
    problems = []
    k = state["k"]
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        problems.append(Problem(file, None, f"{at}.k", f"{k!r} is not a whole number >= 0"))
    elif k > len(state["trials"]):
        problems.append(Problem(file, None, f"{at}.k", f"k = {k} but the state stores "
                                f"{len(state['trials'])} trial(s); k counts pooled trials"))
    numbers = {}
    for key in NUMBER_KEYS:
        x = state.get(key)
        if x is None:
            continue
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            problems.append(Problem(file, None, f"{at}.{key}", f"{x!r} is not a finite number or null"))
        else:
            numbers[key] = x
    if all(key in numbers for key in ("est", "ci_lb", "ci_ub")) and \
            not numbers["ci_lb"] <= numbers["est"] <= numbers["ci_ub"]:
        problems.append(Problem(file, None, f"{at}.est", f"estimate {numbers['est']:g} lies outside its own "
                                f"CI [{numbers['ci_lb']:g}, {numbers['ci_ub']:g}]"))
    return problems


def baseline(versions: list[dict]) -> tuple[dict | None, dict | None]:
    """The last published version's ({version, date, label}, states); (None, None) before the first."""
    if not versions:
        return None, None
    last = versions[-1]
    return {key: last.get(key) for key in ("version", "date", "label")}, last["analyses"]


def analysis_names(results_dir: str | Path) -> list[str]:
    """The analyses with a pooled.json under ``results_dir``, by name."""
    return sorted(p.parent.name for p in Path(results_dir).glob("*/pooled.json"))


def state_from_files(pooled_file: str | Path, living_file: str | Path) -> dict:
    """The state of one analysis from its two result files (InputError naming a bad one)."""
    pooled, living = read_json(pooled_file), read_json(living_file)
    for path, obj in ((pooled_file, pooled), (living_file, living)):
        if not isinstance(obj, dict):
            raise InputError([Problem(str(path), None, None, "must be a JSON object (a metapool result)")])
    if not isinstance(pooled.get("studies"), list) or "random" not in pooled:
        raise InputError([Problem(str(pooled_file), None, None,
                                  "not a pooled result: it needs 'studies' and 'random'")])
    try:
        registry.get(pooled.get("measure") or registry.DEFAULT)
    except ValueError as e:
        raise InputError([Problem(str(pooled_file), None, "measure", str(e))]) from None
    return analysis_state(pooled, living)


def states_from_files(pooled_files: list, living_files: list) -> dict[str, dict]:
    """Analysis name -> state, in the order given (pooled and living files pair by position)."""
    if len(pooled_files) != len(living_files):
        raise ValueError(f"{len(pooled_files)} pooled files but {len(living_files)} living files")
    out: dict[str, dict] = {}
    for pooled_file, living_file in zip(pooled_files, living_files):
        state = state_from_files(pooled_file, living_file)
        name = state["analysis"] = state["analysis"] or Path(pooled_file).parent.name
        if name in out:
            raise InputError([Problem(str(pooled_file), None, "analysis", f"analysis {name!r} is given twice")])
        out[name] = state
    return out


def current_states(results_dir: str | Path, names: list[str] | None = None) -> dict[str, dict]:
    """The current state of each analysis in ``names`` (default: every pooled.json under results_dir)."""
    root = Path(results_dir)
    names = analysis_names(root) if names is None else list(names)
    missing = [Problem(str(p), None, None, "file not found: run snakemake to compute the results first")
               for n in names for p in (root / n / "pooled.json", root / n / "living.json") if not p.is_file()]
    if missing:
        raise InputError(missing)
    return states_from_files([root / n / "pooled.json" for n in names], [root / n / "living.json" for n in names])
