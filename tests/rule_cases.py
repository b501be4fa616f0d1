"""The rules of metapool.measures.datakinds as bad cells, shared by the tests of both readers.

Each case is the outcome cells of one row (every other outcome cell blank), the column the
problem must name and the rule its message must state. tests/test_trials_bad_inputs.py reads
them through load_trials (a raw trial table) and tests/test_studytable.py through
read_study_table (the CLI's study table): one set of rules, two readers.
"""

from __future__ import annotations

import pytest

from metapool.measures import datakinds as rules

# STRESS-L day 28 (data/raw/stress-l.csv): 23/62 vs 16/63
COUNTS = {"events_trt": "23", "total_trt": "62", "events_ctl": "16", "total_ctl": "63"}
# a continuous outcome (e.g. days in ICU) summarised by mean and SD per arm
MEANS = {"n_trt": "62", "mean_trt": "10.2", "sd_trt": "4.1", "n_ctl": "63", "mean_ctl": "11", "sd_ctl": "5"}
# ... or by median, IQR and range per arm
MEDIANS = {"n_trt": "62", "median_trt": "9", "q1_trt": "6", "q3_trt": "14", "min_trt": "1", "max_trt": "28",
           "n_ctl": "63", "median_ctl": "10", "q1_ctl": "7", "q3_ctl": "15", "min_ctl": "2", "max_ctl": "30"}
# a reported risk ratio (the RR of the STRESS-L counts, 1.46 (0.85 to 2.5))
EFFECT = {"effect_measure": "RR", "effect": "1.46", "effect_lower": "0.85", "effect_upper": "2.5"}


def blank(**cells: str) -> dict[str, str]:
    """Every outcome column of measures.datakinds blank, then ``cells``."""
    return {**dict.fromkeys(rules.DATA_COLUMNS, ""), **cells}


def case(name: str, cells: dict, column: str, rule: str):
    return pytest.param(cells, column, rule, id=name)


ARM_SUMMARIES = [
    # issue 24 item 18: n for one arm only was accepted and the row silently became "no data"
    case("n-one-arm", {**MEANS, "n_trt": ""}, "n_trt", "blank while n_ctl is given; give n for both arms or neither"),
    case("sd-negative", {**MEANS, "sd_trt": "-4.1"}, "sd_trt", "-4.1 is not positive; an SD must be > 0"),
    case("sd-zero", {**MEANS, "sd_ctl": "0"}, "sd_ctl", "0 is not positive; an SD must be > 0"),
    case("mean-without-sd", {**MEANS, "sd_ctl": ""}, "sd_ctl",
         "blank while mean_ctl is given; a mean needs its SD (and an SD its mean)"),
    case("sd-without-mean", {**MEANS, "mean_trt": ""}, "mean_trt",
         "blank while sd_trt is given; a mean needs its SD"),
    case("n-zero", {**MEANS, "n_trt": "0"}, "n_trt", "n is 0; an arm needs at least 1 patient"),
    case("q1-above-median", {**MEDIANS, "q1_trt": "9.5"}, "median_trt",
         "median (9) lies outside [q1_trt, q3_trt] = [9.5, 14]"),
    case("median-above-q3", {**MEDIANS, "median_ctl": "16", "max_ctl": "30"}, "median_ctl",
         "median (16) lies outside [q1_ctl, q3_ctl] = [7, 15]"),
    case("q3-not-above-q1", {**MEDIANS, "q1_trt": "14", "q3_trt": "6", "median_trt": "9"}, "q3_trt",
         "q3_trt (6) must exceed q1_trt (14)"),
    case("median-outside-range", {**blank(), "n_trt": "62", "median_trt": "29", "min_trt": "1", "max_trt": "28",
                                  "n_ctl": "63", "median_ctl": "10", "min_ctl": "2", "max_ctl": "30"},
         "median_trt", "median (29) lies outside [min_trt, max_trt] = [1, 28]"),
    case("max-not-above-min", {**MEDIANS, "min_ctl": "30", "max_ctl": "2"}, "max_ctl",
         "max_ctl (2) must exceed min_ctl (30)"),
    case("iqr-below-range", {**MEDIANS, "min_trt": "7"}, "q1_trt",
         "the IQR [6, 14] must lie within the range [7, 28]"),
    case("iqr-above-range", {**MEDIANS, "max_ctl": "14.5", "median_ctl": "10"}, "q1_ctl",
         "the IQR [7, 15] must lie within the range [2, 14.5]"),
    case("q1-without-q3", {**MEDIANS, "q3_trt": ""}, "q3_trt",
         "blank while q1_trt is given; give q1_trt and q3_trt together"),
    case("q3-without-q1", {**MEDIANS, "q1_ctl": ""}, "q1_ctl",
         "blank while q3_ctl is given; give q1_ctl and q3_ctl together"),
    case("min-without-max", {**MEDIANS, "max_trt": ""}, "max_trt",
         "blank while min_trt is given; give min_trt and max_trt together"),
    case("quantiles-without-median", {**MEDIANS, "median_trt": ""}, "median_trt",
         "blank while q1_trt/q3_trt are given; quantiles need the median"),
    case("range-without-median", {**blank(), "n_trt": "62", "min_trt": "1", "max_trt": "28",
                                  "n_ctl": "63", "median_ctl": "10", "min_ctl": "2", "max_ctl": "30"},
         "median_trt", "blank while min_trt/max_trt are given; quantiles need the median"),
    case("median-without-iqr-or-range", {**blank(), "n_trt": "62", "median_trt": "9",
                                         "n_ctl": "63", "median_ctl": "10", "q1_ctl": "7", "q3_ctl": "15"},
         "median_trt", "a median needs its IQR (q1, q3) and/or its range (min, max)"),
    case("control-arm-not-summarised", {"n_trt": "62", "mean_trt": "10.2", "sd_trt": "4.1", "n_ctl": "63"},
         "mean_ctl", "no summary for the ctl arm while the trt arm has one; give both arms or neither"),
    case("agent-arm-not-summarised", {"n_ctl": "63", "median_ctl": "10", "q1_ctl": "7", "q3_ctl": "15"},
         "mean_trt", "no summary for the trt arm while the ctl arm has one; give both arms or neither"),
]
"""Arm summaries: SD > 0, mean with SD, quantile order, median inside IQR and range, IQR inside the
range, quantiles in pairs and with the median, a median with a spread, both arms or neither, n >= 1."""

OUTCOME_TYPE = [
    case("counts-and-arm-summaries", {**COUNTS, **MEANS}, "n_trt",
         "a row holds 2x2 counts (a binary outcome) or arm summaries (a continuous outcome), not both"),
    case("counts-and-a-median", {**COUNTS, **MEDIANS}, "n_trt", "not both"),
    case("binary-measure-on-arm-summaries", {**MEANS, **EFFECT}, "effect_measure",
         "RR is a binary-outcome measure on a row with arm summaries"),
    case("rd-on-medians", {**MEDIANS, "effect_measure": "RD", "effect": "-0.04", "effect_lower": "-0.1",
                           "effect_upper": "0.02"}, "effect_measure",
         "RD is a binary-outcome measure on a row with arm summaries"),
    case("continuous-measure-on-counts", {**COUNTS, "effect_measure": "MD", "effect": "-1.2",
                                          "effect_lower": "-2.5", "effect_upper": "0.1"}, "effect_measure",
         "MD is a continuous-outcome measure on a row with 2x2 counts"),
    case("smd-on-counts", {**COUNTS, "effect_measure": "smd", "effect": "0.2", "effect_lower": "-0.1",
                           "effect_upper": "0.5"}, "effect_measure",
         "SMD is a continuous-outcome measure on a row with 2x2 counts"),
]
"""One outcome type per row: counts or arm summaries, and a reported effect of that type."""

REPORTED = [
    # issue 24 item 4: an RD in percentage points was pooled with a weight of 0.009%
    case("rd-in-percentage-points", {"effect_measure": "RD", "effect": "3.6", "effect_lower": "-1.2",
                                     "effect_upper": "8.4"}, "effect", "3.6 is outside [-1, 1]"),
    case("rd-bound-beyond-1", {"effect_measure": "RD", "effect": "0.5", "effect_lower": "0.1",
                               "effect_upper": "1.2"}, "effect_upper", "1.2 is outside [-1, 1]"),
    case("effect-without-bounds", {"effect_measure": "RR", "effect": "1.46"}, "effect_lower",
         "blank while effect given; give the effect with both 95% CI bounds or none of the three"),
    case("effect-without-upper", {**EFFECT, "effect_upper": ""}, "effect_upper",
         "blank while effect, effect_lower given; give the effect with both 95% CI bounds"),
    case("bounds-without-effect", {**EFFECT, "effect": ""}, "effect",
         "blank while effect_lower, effect_upper given"),
    case("lower-above-effect", {**EFFECT, "effect": "1.1", "effect_lower": "1.2", "effect_upper": "1.4"},
         "effect_lower", "effect_lower (1.2) is above effect (1.1): the CI excludes its estimate"),
    case("upper-below-effect", {**EFFECT, "effect": "1.5", "effect_lower": "0.9", "effect_upper": "1.4"},
         "effect_upper", "effect_upper (1.4) is below effect (1.5): the CI excludes its estimate"),
    case("rd-lower-above-effect", {"effect_measure": "RD", "effect": "-0.05", "effect_lower": "-0.01",
                                   "effect_upper": "0.02"},
         "effect_lower", "effect_lower (-0.01) is above effect (-0.05): the CI excludes its estimate"),
    case("zero-width-ci", {**EFFECT, "effect": "1.1", "effect_lower": "1.1", "effect_upper": "1.1"},
         "effect_upper", "effect_upper equals effect_lower (1.1); a zero-width CI has no variance"),
    case("md-zero-width-ci", {"effect_measure": "MD", "effect": "0", "effect_lower": "0", "effect_upper": "0"},
         "effect_upper", "effect_upper equals effect_lower (0); a zero-width CI has no variance"),
    *[case(f"{m.lower()}-zero", {"effect_measure": m, "effect": "0", "effect_lower": "0", "effect_upper": "2"},
           "effect", f"0 is not positive; {name} and its bounds must be > 0")
      for m, name in (("RR", "a risk ratio"), ("OR", "an odds ratio"), ("PETO", "a peto odds ratio"),
                      ("ROM", "a ratio of means"), ("HR", "a hazard ratio"))],
    case("rr-negative-lower", {**EFFECT, "effect_lower": "-0.5"}, "effect_lower",
         "-0.5 is not positive; a risk ratio and its bounds must be > 0"),
    case("hr-negative-upper", {"effect_measure": "HR", "effect": "-0.8", "effect_lower": "-1.2",
                               "effect_upper": "-0.3"}, "effect",
         "-0.8 is not positive; a hazard ratio and its bounds must be > 0"),
    case("unknown-measure", {**EFFECT, "effect_measure": "RRR"}, "effect_measure",
         "'RRR' is not a measure; one of RR, OR, RD, PETO, IRR, MD, SMD, ROM, HR"),
    case("unknown-measure-lower-case", {**EFFECT, "effect_measure": "ird"}, "effect_measure",
         "'IRD' is not a measure"),
    case("effect-without-measure", {**EFFECT, "effect_measure": ""}, "effect_measure",
         "blank while an effect is given; name its measure"),
    case("adjusted-not-yes-no", {**EFFECT, "effect_adjusted": "partly"}, "effect_adjusted",
         "is not yes or no"),
    case("adjusted-true", {**EFFECT, "effect_adjusted": "true"}, "effect_adjusted", "'TRUE' is not yes or no"),
    case("measure-without-effect", {"effect_measure": "RR"}, "effect_measure",
         "given without an effect; give effect, effect_lower and effect_upper"),
    case("adjusted-without-effect", {**COUNTS, "effect_adjusted": "no"}, "effect_adjusted",
         "given without an effect"),
]
"""The reported effect: effect and both bounds together, lower <= effect <= upper, lower < upper,
ratio measures > 0, a known measure named, adjusted yes/no, measure and adjusted only with an effect."""

RULES = ARM_SUMMARIES + OUTCOME_TYPE + REPORTED

VALID = [
    pytest.param(COUNTS, ("counts",), id="counts"),
    pytest.param({**COUNTS, **EFFECT, "effect_adjusted": "no"}, ("counts", "reported"), id="counts-and-rr"),
    pytest.param({**COUNTS, "effect_measure": "OR", "effect": "1.73", "effect_lower": "0.81",
                  "effect_upper": "3.7", "effect_adjusted": "Yes"}, ("counts", "reported"), id="counts-and-or"),
    pytest.param({"events_trt": "48", "events_ctl": "47", **EFFECT}, ("reported",), id="events-without-totals"),
    pytest.param(EFFECT, ("reported",), id="rr-only"),
    pytest.param({"effect_measure": "rd", "effect": "-0.036", "effect_lower": "-0.09", "effect_upper": "0.02"},
                 ("reported",), id="rd-negative"),
    pytest.param({"effect_measure": "HR", "effect": "0.8", "effect_lower": "0.8", "effect_upper": "1.1"},
                 ("reported",), id="hr-at-its-lower-bound"),
    pytest.param(MEANS, ("means",), id="means"),
    pytest.param({**MEANS, "effect_measure": "MD", "effect": "-0.8", "effect_lower": "-2.4",
                  "effect_upper": "0.8"}, ("means", "reported"), id="means-and-md"),
    pytest.param(MEDIANS, ("medians",), id="medians-iqr-and-range"),
    pytest.param({k: v for k, v in MEDIANS.items() if not k.startswith(("min", "max"))}, ("medians",),
                 id="medians-iqr"),
    pytest.param({k: v for k, v in MEDIANS.items() if not k.startswith(("q1", "q3"))}, ("medians",),
                 id="medians-range"),
    pytest.param({**MEDIANS, "median_trt": "6", "q1_trt": "6"}, ("medians",), id="median-on-q1"),
    pytest.param({**{k: v for k, v in MEANS.items() if k.endswith("trt")},
                  **{k: v for k, v in MEDIANS.items() if k.endswith("ctl")}}, ("medians",), id="means-vs-medians"),
    pytest.param({"events_trt": "48", "events_ctl": "47"}, (), id="events-only"),
    pytest.param({**MEANS, "n_trt": "", "n_ctl": ""}, (), id="means-without-any-n"),
]
"""Rows every rule accepts, with their rules.kinds."""
