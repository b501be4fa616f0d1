"""How numbers and model descriptions are written on the figures (RevMan / R meta conventions)."""

from __future__ import annotations

import math

from metapool.engine.methods import CI_METHODS, TAU2_METHODS  # noqa: F401 (re-exported)
from metapool.measures.text import DASH, ratio  # noqa: F401 (re-exported)
from metapool.rounding import decimals

FIXED_METHODS = {"iv": "inverse variance", "mh": "Mantel-Haenszel", "peto": "Peto"}
# RevMan's abbreviations of the methods in a forest plot's effect heading
HEADING_METHODS = {"iv": "IV", "mh": "M-H", "peto": "Peto"}


def ratio_ci(est: float | None, lo: float | None, hi: float | None) -> str:
    """'1.08 [0.80, 1.50]'; without an estimate '[0.80, 1.50]' (prediction intervals)."""
    interval = f"[{ratio(lo)}, {ratio(hi)}]"
    return interval if est is None else f"{ratio(est)} {interval}"


def difference(x: float | None) -> str:
    """A difference (RD as a proportion, MD in the outcome's units, SMD): two decimals,
    '-3.60'; never '-0.00' (metapool.rounding)."""
    if x is None:
        return DASH
    return decimals(x, 2)


def effect(x: float | None, log_scale: bool) -> str:
    """An effect on the people's scale: a ratio (`ratio`) or a difference (`difference`)."""
    return ratio(x) if log_scale else difference(x)


def effect_ci(est: float | None, lo: float | None, hi: float | None, log_scale: bool) -> str:
    """'0.85 [0.69, 1.07]' for ratios, '-3.60 [-11.70, 4.50]' for differences; without an
    estimate '[lo, hi]' (prediction intervals)."""
    interval = f"[{effect(lo, log_scale)}, {effect(hi, log_scale)}]"
    return interval if est is None else f"{effect(est, log_scale)} {interval}"


def number(x: float | None) -> str:
    """An arm statistic (mean, SD) as given, at most two decimals: '85.3', '12', '-0.25'."""
    if x is None:
        return DASH
    text = decimals(x, 2).rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def mean_sd(mean: float | None, sd: float | None) -> str:
    """'85.3 (12.1)'; '-' when either is missing."""
    return DASH if mean is None or sd is None else f"{number(mean)} ({number(sd)})"


def count(x: int | float | None) -> str:
    """An event count or arm size; '-' when not reported."""
    return DASH if x is None else f"{int(x)}"


def percent(x: float | None) -> str:
    """A percent weight with one decimal: '41.2%'."""
    return "" if x is None else f"{decimals(x, 1)}%"


def p_value(p: float | None) -> str:
    """'P = 0.21', 'P = 0.004', 'P < 0.001'."""
    if p is None:
        return "P = NA"
    if p < 0.001:
        return "P < 0.001"
    if p < 0.01:
        return f"P = {decimals(p, 3)}"
    return f"P = {decimals(p, 2)}"


def tau2(x: float) -> str:
    """'Tau² = 0.0213' (four decimals), 'Tau² = 0', or 'Tau² < 0.0001' for tiny positive values."""
    if x == 0:
        return "Tau\u00b2 = 0"
    if x < 0.0001:
        return "Tau\u00b2 < 0.0001"
    return f"Tau\u00b2 = {decimals(x, 4)}"


def df(x: float) -> str:
    """Degrees of freedom: integer when whole, else two decimals."""
    return f"{int(round(x))}" if math.isclose(x, round(x)) else decimals(x, 2)


def heterogeneity(fit: dict | None) -> str:
    """'Heterogeneity: Tau² = 0.0213; Q = 5.87, df = 4 (P = 0.21); I² = 32%' (Q on k - 1 df)."""
    if not fit or fit.get("k") is None or fit["k"] < 2 or fit.get("Q") is None:
        return "Heterogeneity: not applicable"
    parts = []
    if fit.get("tau2") is not None:
        parts.append(f"{tau2(fit['tau2'])}; ")
    parts.append(f"Q = {decimals(fit['Q'], 2)}, df = {fit['k'] - 1} ({p_value(fit.get('Qp'))})")
    if fit.get("I2") is not None:
        parts.append(f"; I\u00b2 = {decimals(fit['I2'], 0)}%")
    return "Heterogeneity: " + "".join(parts)


def overall_effect(fit: dict | None) -> str | None:
    """'Test for overall effect: t = 0.89 (df = 4), P = 0.42' or 'Z = 1.23, P = 0.22'."""
    if not fit:
        return None
    if fit.get("stat") is None:  # a fixed-effect block: Wald z = est / se
        if fit.get("est") is None or not fit.get("se"):
            return None
        fit = {**fit, "stat": fit["est"] / fit["se"], "df": None}
    if fit.get("df") is not None:
        test = f"t = {decimals(fit['stat'], 2)} (df = {df(fit['df'])})"
    else:
        test = f"Z = {decimals(fit['stat'], 2)}"
    return f"Test for overall effect: {test}, {p_value(fit.get('pval'))}"


def subgroup_differences(test: dict | None) -> str | None:
    """'Test for subgroup differences: Q = 2.31, df = 2 (P = 0.32), I² = 13%' (RevMan; the I² of
    engine.subgroups.subgroup_i2)."""
    if not test or test.get("Q_between") is None:
        return None
    i2 = f", I\u00b2 = {decimals(test['I2'], 0)}%" if test.get("I2") is not None else ""
    return (f"Test for subgroup differences: Q = {decimals(test['Q_between'], 2)}, "
            f"df = {df(test['df'])} ({p_value(test.get('p'))}){i2}")


def random_method(fit: dict, level: float = 95) -> str:
    """'Random effects, REML; 95% CI by Hartung-Knapp-Sidik-Jonkman' for the fit's methods.

    With one study there is no tau^2 and the interval is the study's own Wald interval.
    """
    if fit.get("k") == 1:
        return f"One study: the total is that study's estimate and {level:g}% CI (Wald z)"
    tau2_method, ci_method = fit.get("tau2_method", "REML"), fit.get("ci_method", "hksj")
    return (f"Random effects, {TAU2_METHODS.get(tau2_method, tau2_method)}; "
            f"{level:g}% CI by {CI_METHODS.get(ci_method, ci_method)}")


def effect_heading(fixed_method: str | None, level: float = 95) -> str:
    """RevMan's method line under a forest plot's effect heading: 'IV, Random, 95% CI' for the
    random-effects model, 'Peto, Fixed, 95% CI' when a fixed-effect method is the model."""
    if fixed_method is None:
        return f"IV, Random, {level:g}% CI"
    return f"{HEADING_METHODS[fixed_method]}, Fixed, {level:g}% CI"


PROPER_NAMES = ("Peto",)  # measure names that start with a person's name


def in_sentence(name: str) -> str:
    """A measure name inside a sentence: 'odds ratio', 'std. mean difference', but 'Peto odds
    ratio'."""
    if name.split(" ")[0] in PROPER_NAMES:
        return name
    return name[:1].lower() + name[1:]


def capitalised(name: str) -> str:
    """First letter upper case, the rest untouched ('angiotensin II' -> 'Angiotensin II')."""
    return name[:1].upper() + name[1:]
