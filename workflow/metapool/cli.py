"""Command line: ``metapool pool``, ``metapool living``, ``metapool network``, ``metapool publish`` and
``metapool changes``."""

from __future__ import annotations

import argparse
import sys

from metapool.errors import ConvergenceError, InputError, MetapoolError, Problem
from metapool.engine.model import CI_METHODS
from metapool.engine.tau2 import DEFAULT, METHODS, NAMES, Control
from metapool.measures import registry

EXIT_OK, EXIT_INPUT, EXIT_CONVERGENCE = 0, 2, 3
EXIT_CONCLUSION_CHANGED, EXIT_STALE = 4, 5

ESTIMATORS = "\n".join(f"                {m:<5} {NAMES[m]}" for m in METHODS)

DESCRIPTION = """\
Meta-analysis of any standard effect measure whose numbers are those of R metafor
at its defaults.

  metapool pool FILE.csv [--measure RR|OR|RD|PETO|IRR|MD|SMD|ROM|HR] [--bayes FAMILY:SCALE]
                         [--tau2 REML|DL|PM|ML|SJ|HE|EB] [--ci hksj|hksj_adhoc|z]
                         [--control NAME=VALUE,...] [--by COLUMN] [--format json|tsv]
  metapool living FILE.csv [--measure ...] [--tau2 ...] [--ci ...] [--format json|tsv]
  metapool network ARMS.csv --measure RR|OR|MD --reference T [--order T1,T2,...]
                   [--small-values good|bad] [--format json]
  metapool publish --date YYYY-MM-DD [--label TEXT] [--results results]
                   [--versions data/versions] [--no-check]
  metapool changes [--results results] [--versions data/versions]
                   [--format md|json] [--check]

Input: a CSV (UTF-8; a BOM and Windows line endings are fine) with a `study`
column and, per row, any of:
  2x2 counts        events_trt,total_trt,events_ctl,total_ctl  (RR, OR, RD, PETO)
  rates             events_trt,ptime_trt,events_ctl,ptime_ctl (person-time; IRR)
  arm summaries     n_trt,mean_trt,sd_trt,n_ctl,mean_ctl,sd_ctl (MD, SMD, ROM), or
                    per arm a median with q1,q3 and/or min,max: median_trt,q1_trt,
                    q3_trt,min_trt,max_trt (likewise _ctl), converted to a mean and SD
                    (Luo et al. 2018, Wan et al. 2014)
  a reported effect effect_measure,effect,effect_lower,effect_upper (95% CI) and
                    optionally effect_adjusted (yes/no)
Other columns are carried through (e.g. a subgroup column for --by). Counts or
arm summaries win over a reported effect; a reported effect enters only an
analysis of its own measure (ratio measures on the log scale,
se = (ln upper - ln lower) / (2 x 1.959964); differences on the raw scale). A
zero cell adds 0.5 to that table's four cells; no events (or only events) in
both arms makes a study "not estimable" for RR, OR and PETO (listed, never
dropped silently); it is estimable for RD.

Options of `pool` (and `living`):
  --measure M   effect measure (default RR): RR risk ratio, OR odds ratio, RD risk
                difference, PETO Peto odds ratio, IRR incidence rate ratio
                (metafor escalc "IRR"), MD mean difference, SMD
                standardised mean difference (Hedges' g), ROM ratio of means, HR
                hazard ratio (reported effects only)
  --tau2 M      between-study variance estimator (default REML):
{estimators}
  --ci M        CI and test for the mean: hksj Hartung-Knapp-Sidik-Jonkman t on
                k-1 df (default; metafor test="knha"), hksj_adhoc the same with
                the ad hoc correction: scale factor max(1, q), never narrower
                than the Wald interval on the same t quantile (test="adhoc";
                Knapp & Hartung 2003; prediction interval as metafor predict():
                t on k-1 df), or z Wald z
  --control S   iteration settings as metafor's control=list(...), e.g.
                --control stepadj=0.5,maxiter=1000 (keys: threshold, maxiter,
                stepadj; defaults are metafor's: threshold=1e-5, maxiter=100,
                stepadj=1), for Fisher scoring (ML, REML, EB) and Paule-Mandel
  --exclude-adjusted  reported effects marked adjusted do not enter
  --include-skewed    convert median-reported arms that the skewness test (Shi et
                al. 2023) flags (by default such a study is not pooled)
  --by COLUMN   (pool only) a separate model and tau^2 per value of COLUMN, and
                the test for subgroup differences
  --bayes F:S   (pool only) adds a "bayes" block: Bayesian random effects, the
                normal-normal model with a uniform prior on mu and a half-normal
                or half-Cauchy prior of scale S on tau (analysis scale), e.g.
                half-normal:0.5, computed exactly by quadrature over tau
                (Rover 2020, bayesmeta): mu_median, mu_lb, mu_ub (equal-tailed
                95%), mu_mean, mu_sd, tau_median, tau_lb, tau_ub, pred_lb,
                pred_ub (a new study), p_mu_below_0, prior, k, natural
  --format F    json (default; for programs) or tsv (a table for people)

Defaults follow current Cochrane guidance: REML tau^2, HKSJ CI, prediction
interval when k >= 3; every number is what metafor's rma() prints at its defaults.
Fixed effects: inverse variance, Mantel-Haenszel (RR, OR, RD; rma.mh) when every
pooled study has counts, Peto's method for PETO (rma.peto).

{output}
{network}
{versions}
Exit status: 0 success; 2 invalid input (every problem is listed on stderr with
file, row and column; nothing is printed on stdout); 3 an iterative estimator
did not converge (the message names it; try another --tau2); 4 (`changes
--check` only) a conclusion changed since the last published version; 5
(`publish` only) results/ is stale: Snakemake would rerun jobs, nothing was
published.
"""

OUTPUT = """\
Output of `pool --format json`: one object
  {"measure", "measure_name", "log_scale", "k", "k_total", "settings",
   "studies": [{"study", "yi", "vi", "se", "ci_lb", "ci_ub", "natural",
   "weight_fixed", "weight_random", "status", "reported", "converted", the
   input's data and carried-through columns}], "fixed_iv", "fixed_mh",
   "fixed_peto", "random": {"tau2_method", "ci_method", "k", "est", "se",
   "se_wald", "stat", "df", "ci_lb", "ci_ub", "pval", "tau2", "tau2_ci_lb",
   "tau2_ci_ub", "I2", "I2_ci_lb", "I2_ci_ub", "H2", "Q", "Qp", "pi_lb",
   "pi_ub", "natural"}, "subgroups", "notes"}
yi, est, ci and pi are on the analysis scale (log for RR, OR, PETO, ROM, HR);
each block's "natural" gives them on the people's scale (est, ci_lb, ci_ub, and
pi_lb, pi_ub). Weights are percentages. Missing values are null, never NaN:
e.g. tau2, I2, H2 for one study, the prediction interval for k < 3, "fixed_mh"
when a study has only a reported effect, "random" when nothing can be pooled;
"notes" say why. Study status: counts, counts_corrected, rates, rates_corrected, means, medians,
reported, not_estimable, skewed, other_measure, adjusted_excluded, no_data.
`--format tsv` prints the same as a table: one row per study, per pooled
block, per subgroup, the subgroup test, and each note.
"""


NETWORK = """\
Network meta-analysis (`metapool network`): an arm-level CSV, one row per arm, with
columns study, treatment, events, total (RR, OR) or study, treatment, n, mean, sd
(MD). The contrast-based consistency model of metafor rma.mv: each study's arms
vs its baseline arm (the arm whose treatment comes first in --order; default: the
reference, then the others as they first appear); 0.5 added to the events and
non-events of every arm of a study with a zero cell; a study with no events (or
only events) in every arm left out. Fixed effect by generalised least squares;
random effects with one tau^2 by REML and correlation 1/2 between a multi-arm
study's contrasts; Wald z intervals. Prints {"fixed": {...}, "random": {...}},
each with "d" (every treatment vs --reference: est, se, ci_lb, ci_ub), "league"
(every ordered pair "A|B", A vs B), "pscore" (Rucker & Schwarzer 2015;
--small-values good (default) when lower values are better, bad otherwise),
"QE", "QEp", "QE_df"; "random" adds "tau2". Estimates are on the analysis scale
(log OR, log RR). A disconnected network is an input error naming its parts.
--consistency adds "consistency": {"design_by_treatment": {"designs", "fixed":
{Q_total, df_total, p_total, Q_within, ..., Q_between, df_between, p_between},
"random": {tau2_within, Q_between, df_between, p_between}}, "node_split":
{"fixed"|"random": {"A|B": {k_direct, network, direct, indirect (est, se,
ci_lb, ci_ub), prop_direct, difference (+ z, p)}}}} (Higgins et al. 2012;
back-calculation, Dias et al. 2010), for every comparison with direct and
indirect evidence.
"""

VERSIONS = """\
Published versions (run in the workflow's folder, after `snakemake`):
  publish   records the current state of every analysis (results/<analysis>/
            pooled.json and living.json, analyses in config/config.yaml order)
            as a new version in data/versions/versions.json and adds an entry to
            data/versions/CHANGELOG.md. --date is required (never the clock).
            Refused (exit 5) when Snakemake's dry run would rerun anything;
            --no-check skips that check.
  changes   what changed since the last published version: per analysis
            changed | unchanged | added | removed, trials added, removed and
            edited (old -> new), before and after, and every conclusion that
            changed (the 95% CI or prediction interval now excludes the null or
            no longer does, the estimate changed side, the TSA crossed a
            boundary or reached its information size, the certainty changed).
            --format md (default; for people) or json. --check: exit 4 when any
            conclusion changed, else 0.
"""


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="CSV with a study column and counts, arm summaries and/or a reported effect")
    p.add_argument("--measure", default=registry.DEFAULT, type=str.upper, choices=registry.CODES,
                   help="effect measure (default RR)")
    p.add_argument("--exclude-adjusted", action="store_true", help="reported effects marked adjusted do not enter")
    p.add_argument("--include-skewed", action="store_true",
                   help="convert median-reported arms that the skewness test flags")
    p.add_argument("--tau2", default="REML", type=str.upper, choices=METHODS,
                   help="between-study variance estimator (default REML)")
    p.add_argument("--ci", default="hksj", type=str.lower, choices=CI_METHODS,
                   help="CI for the mean: Hartung-Knapp-Sidik-Jonkman t (default), the same with the "
                        "ad hoc correction max(1, q) (hksj_adhoc), or Wald z")
    p.add_argument("--control", default=DEFAULT, type=_control, metavar="NAME=VALUE,...",
                   help="iteration settings, e.g. stepadj=0.5,maxiter=1000 (metafor's control=list(...); "
                        "default: metafor's threshold=1e-5, maxiter=100, stepadj=1)")
    p.add_argument("--format", default="json", choices=("json", "tsv"), help="output format (default json)")


def _prior(text: str):
    from metapool.engine.bayes import Prior

    try:
        return Prior.parse(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _control(text: str) -> Control:
    try:
        return Control.parse(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def parser() -> argparse.ArgumentParser:
    """The ``metapool`` argument parser; ``metapool --help`` documents every command and option."""
    p = argparse.ArgumentParser(prog="metapool",
                                description=DESCRIPTION.format(estimators=ESTIMATORS, output=OUTPUT,
                                                               network=NETWORK, versions=VERSIONS),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True, metavar="{pool,living,network,publish,changes}")
    pool = sub.add_parser("pool", help="pool an effect measure", description=OUTPUT,
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(pool)
    pool.add_argument("--bayes", metavar="FAMILY:SCALE", type=_prior,
                      help="also Bayesian random effects (normal-normal model, uniform prior on mu) with "
                           "this prior on tau: half-normal:0.5 or half-cauchy:SCALE (analysis scale)")
    pool.add_argument("--by", metavar="COLUMN", help="subgroup column: a separate tau^2 per subgroup "
                      "and the test for subgroup differences")
    sens = sub.add_parser("living", help="cumulative, leave-one-out, influence, small-study "
                          "effects, trim-and-fill, absolute effects, trial sequential analysis",
                          description="Same input as `pool`. Prints {cumulative, leave1out, influence, "
                          "egger_rma, egger_lm, harbord, trimfill, absolute, tsa}; a block is null "
                          "with a reason where k is too small.")
    _common(sens)
    _network_parser(sub)
    _versions_parsers(sub)
    return p


def _network_parser(sub) -> None:
    """The `network` subcommand."""
    net = sub.add_parser("network", help="network meta-analysis of an arm-level table (metafor rma.mv)",
                         description=NETWORK, formatter_class=argparse.RawDescriptionHelpFormatter)
    net.add_argument("file", help="CSV: study, treatment, events, total (RR, OR) or study, treatment, n, mean, sd (MD)")
    net.add_argument("--measure", required=True, type=str.upper, choices=("RR", "OR", "MD"),
                     help="effect measure: RR, OR (log scale) or MD")
    net.add_argument("--reference", required=True, help="the reference treatment")
    net.add_argument("--order", type=lambda text: [t.strip() for t in text.split(",")], metavar="T1,T2,...",
                     help="every treatment, in order (a study's baseline is its first); "
                          "default: the reference, then the others as they first appear")
    net.add_argument("--small-values", default="good", choices=("good", "bad"),
                     help="good (default): lower values are better, for the P-scores")
    net.add_argument("--consistency", action="store_true",
                     help="add the design-by-treatment interaction test and node splitting")
    net.add_argument("--format", default="json", choices=("json",), help="output format (json)")


def _network(args: argparse.Namespace) -> str:
    from metapool.engine.render import to_json
    from metapool.inputs.armtable import read_arm_table, treatment_order
    from metapool.network.analysis import blocks, consistency, fit_network, prepare

    arms = read_arm_table(args.file, args.measure)
    order = treatment_order(str(args.file), arms, args.reference, args.order)
    fitted = fit_network(prepare(arms, args.measure, args.reference, order))
    result = blocks(fitted, args.small_values == "good")
    if args.consistency:
        result["consistency"] = consistency(fitted)
    return to_json(result)


def _render(args: argparse.Namespace) -> str:
    """Read the file, run the command, and return the text to print (raises MetapoolError)."""
    from metapool.engine.render import to_json, to_tsv

    if args.command == "network":
        return _network(args)
    from metapool.inputs.studytable import read_study_table

    studies = read_study_table(args.file)  # checked by measures.datakinds as it is read: validated=True below
    if args.command == "pool":
        from metapool.engine.pool import pool_studies

        if args.by and args.by not in {key for s in studies for key in s}:
            raise InputError([Problem(str(args.file), 1, args.by,
                                      "--by names a column that the file does not have")])
        result = pool_studies(studies, args.tau2, args.ci, by=args.by, control=args.control, measure=args.measure,
                              include_adjusted=not args.exclude_adjusted, include_skewed=args.include_skewed,
                              bayes=args.bayes, validated=True)
        return to_json(result) if args.format == "json" else to_tsv(result)
    from metapool.living import run_living, living_to_tsv

    result = run_living(studies, tau2_method=args.tau2, ci_method=args.ci, control=args.control, measure=args.measure,
                        include_adjusted=not args.exclude_adjusted, include_skewed=args.include_skewed,
                        validated=True)
    return to_json(result) if args.format == "json" else living_to_tsv(result)


def run(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status. Output goes to stdout only on success."""
    args = parser().parse_args(argv)
    if args.command in VERSION_COMMANDS:
        return _run_versions(args)
    try:
        out = _render(args)
    except ConvergenceError as e:
        print(f"metapool: error: {e}; try another --tau2 estimator", file=sys.stderr)
        return EXIT_CONVERGENCE
    except MetapoolError as e:
        print(f"metapool: error: {e}", file=sys.stderr)
        return EXIT_INPUT
    sys.stdout.write(out)
    return EXIT_OK


# --- published versions: `metapool publish` and `metapool changes` ----------------------------------

VERSION_COMMANDS = ("publish", "changes")


def _versions_parsers(sub) -> None:
    """The `publish` and `changes` subcommands."""
    fmt = argparse.RawDescriptionHelpFormatter
    pub = sub.add_parser("publish", help="record the current results as a new published version",
                         description=VERSIONS, formatter_class=fmt)
    pub.add_argument("--date", required=True, help="the version's date, YYYY-MM-DD")
    pub.add_argument("--label", help="a short label, e.g. 'VANCS III added'")
    pub.add_argument("--no-check", action="store_true",
                     help="publish without checking that results/ is up to date (tests)")
    chg = sub.add_parser("changes", help="what changed since the last published version",
                         description=VERSIONS, formatter_class=fmt)
    chg.add_argument("--format", default="md", choices=("md", "json"), help="md (default) or json")
    chg.add_argument("--check", action="store_true",
                     help=f"exit {EXIT_CONCLUSION_CHANGED} when any conclusion changed, else 0")
    for p in (pub, chg):
        p.add_argument("--results", default="results", help="the results folder (default results)")
        p.add_argument("--versions", default="data/versions",
                       help="folder of versions.json and CHANGELOG.md (default data/versions)")
        p.add_argument("--config", default="config/config.yaml",
                       help="the workflow config, for the analyses and their order (default "
                            "config/config.yaml; without it, every results/*/pooled.json)")


def _config_networks(path: str) -> list[str] | None:
    """Network names in config order; None when there is no config file (then every network.json)."""
    from pathlib import Path

    import yaml

    if not Path(path).is_file():
        return None
    with open(path, encoding="utf-8") as fh:
        config = yaml.safe_load(fh)
    return list((config or {}).get("networks") or {}) if isinstance(config, dict) else None


def _config_analyses(path: str) -> list[str] | None:
    """Analysis names in config order; None when there is no config file."""
    from pathlib import Path

    from metapool.inputs.yamlread import load_yaml

    if not Path(path).is_file():
        return None
    config = load_yaml(path)  # a syntax error or a key given twice names the file and line
    if not isinstance(config, dict) or not isinstance(config.get("analyses"), dict):
        raise InputError([Problem(path, None, "analyses", "the config has no 'analyses' mapping")])
    return list(config["analyses"])


def _run_versions(args: argparse.Namespace) -> int:
    """`publish` or `changes`; the exit status."""
    from metapool.versions.publish import StaleResultsError

    try:
        if args.command == "publish":
            return _publish(args)
        return _changes(args)
    except StaleResultsError as e:
        print(f"metapool: error: {e}", file=sys.stderr)
        return EXIT_STALE
    except MetapoolError as e:
        print(f"metapool: error: {e}", file=sys.stderr)
        return EXIT_INPUT


def _publish(args: argparse.Namespace) -> int:
    from metapool.versions.publish import publish

    version = publish(args.results, args.versions, args.date, args.label,
                      analyses=_config_analyses(args.config), check=not args.no_check,
                      networks=_config_networks(args.config))
    print(f"published version {version['version']} ({version['date']}): "
          f"{len(version['analyses'])} analyses in {args.versions}", file=sys.stderr)
    return EXIT_OK


def _changes(args: argparse.Namespace) -> int:
    from pathlib import Path

    from metapool.versions import report
    from metapool.versions.job import changes_report
    from metapool.versions.store import VERSIONS_FILE, current_states

    from metapool.versions.networks import current_network_states

    current = current_states(args.results, _config_analyses(args.config))
    networks = current_network_states(args.results, _config_networks(args.config))
    changes = changes_report(current, Path(args.versions) / VERSIONS_FILE, networks)
    sys.stdout.write(report.to_json(changes) if args.format == "json" else report.to_markdown(changes))
    return EXIT_CONCLUSION_CHANGED if args.check and changes["conclusion_changed"] else EXIT_OK


def main() -> None:
    sys.exit(run())
