"""Command line: ``metapool pool`` and ``metapool sensitivity``."""

from __future__ import annotations

import argparse
import sys

from .errors import ConvergenceError, InputError, MetapoolError
from .tau2 import METHODS

DESCRIPTION = """\
Risk-ratio meta-analysis whose numbers are those of R metafor.

Input: a CSV with a `study` column and, per row, either the 2x2 counts
`events_trt,total_trt,events_ctl,total_ctl` or a reported `rr,rr_lower,rr_upper`
(95% CI); both kinds may appear in one file, other columns are carried through.
Counts win when all four are given. A zero cell adds 0.5 to the study's four cells;
zero events in both arms makes a study "not estimable" (reported, never dropped
silently); a reported RR enters by generic inverse variance on the log scale.

Defaults follow current Cochrane guidance: REML tau^2, Hartung-Knapp-Sidik-Jonkman
CI, prediction interval when k >= 3.

Exit status: 0 success, 2 invalid input (every problem is listed, with file, row and
column), 3 an iterative estimator did not converge.
"""

POOL_HELP = """\
Output (--format json): one object {"measure", "k", "k_total", "settings", "studies":
[{"study", "yi", "vi", "se", "ci_lb", "ci_ub", "weight_fixed", "weight_random",
"status", "rr", ...}], "fixed_iv", "fixed_mh", "random": {"tau2_method", "ci_method",
"est", "se", "ci_lb", "ci_ub", "pval", "tau2", "tau2_ci_lb", "tau2_ci_ub", "I2",
"I2_ci_lb", "I2_ci_ub", "H2", "Q", "Qp", "pi_lb", "pi_ub", "rr"}, "subgroups", "notes"}.
Effects are on the log scale; each block's "rr" gives exp(est), exp(ci), exp(pi).
Weights are percentages. Missing values are null, never NaN. Study status is one of
counts, counts_corrected, reported_rr, not_estimable, no_data.
--format tsv prints the same as a table, one row per study and per pooled block.
"""


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="CSV with a study column and counts and/or rr, rr_lower, rr_upper")
    p.add_argument("--tau2", default="REML", type=str.upper, choices=METHODS,
                   help="between-study variance estimator (default REML)")
    p.add_argument("--ci", default="hksj", type=str.lower, choices=("hksj", "z"),
                   help="CI for the mean: Hartung-Knapp-Sidik-Jonkman t (default) or Wald z")
    p.add_argument("--format", default="json", choices=("json", "tsv"), help="output format (default json)")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="metapool", description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    pool = sub.add_parser("pool", help="pool risk ratios", description=POOL_HELP,
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(pool)
    pool.add_argument("--by", metavar="COLUMN", help="subgroup column: a separate tau^2 per subgroup "
                      "and the test for subgroup differences")
    sens = sub.add_parser("sensitivity", help="cumulative, leave-one-out, influence, small-study "
                          "effects, trim-and-fill, absolute effects, trial sequential analysis",
                          description="Same input as `pool`. Prints {cumulative, leave1out, influence, "
                          "egger_rma, egger_lm, harbord, trimfill, absolute, tsa}; a block is null "
                          "with a reason where k is too small.")
    _common(sens)
    return p


def run(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from .formats import to_json, to_tsv
    from .studytable import read_study_table

    try:
        studies = read_study_table(args.file)
        if args.command == "pool":
            from .pool import pool_studies

            if args.by and studies and args.by not in studies[0]:
                raise InputError([_no_column(args.file, args.by)])
            result = pool_studies(studies, args.tau2, args.ci, by=args.by)
            out = to_json(result) if args.format == "json" else to_tsv(result)
        else:
            from .sensitivity import run_sensitivity, sensitivity_to_tsv

            result = run_sensitivity(studies, tau2_method=args.tau2, ci_method=args.ci)
            out = to_json(result) if args.format == "json" else sensitivity_to_tsv(result)
    except InputError as e:
        print(f"metapool: error: {e}", file=sys.stderr)
        return 2
    except ConvergenceError as e:
        print(f"metapool: error: {e}; try another --tau2 estimator", file=sys.stderr)
        return 3
    except MetapoolError as e:
        print(f"metapool: error: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(out)
    return 0


def _no_column(path: str, column: str):
    from .errors import Problem

    return Problem(str(path), 1, column, f"--by names a column that the file does not have")


def main() -> None:
    sys.exit(run())
