"""The one interval an analysis' conclusions rest on (the `conclusion` block of pooled.json), and
the Bayesian block's additions for the workflow (prior sensitivity, probabilities beyond the MIDs).

Declared interval: with ``bayes_shown`` (2 to 4 trials by default) the Bayesian 95% credible
interval of mu and its posterior median; otherwise the random-effects estimate and CI of the
analysis' CI method (one trial: that trial's own Wald interval). It is never narrower than the
fixed-effect interval (Mantel-Haenszel or Peto where computed, else inverse variance): where it
would not contain it, it is widened to, and the sentence says so. SoF, GRADE imprecision, the
`changes` flags and the summary pages read this block and nothing else.
"""

from __future__ import annotations

from metapool.engine.bayes import Posterior, Prior, bayes_random
from metapool.engine.methods import CI_METHODS, TAU2_METHODS
from metapool.measures import registry

FIXED_ORDER = ("fixed_mh", "fixed_peto", "fixed_iv")


def _fixed(result: dict) -> tuple[str, dict] | tuple[None, None]:
    for key in FIXED_ORDER:
        if result.get(key):
            return key, result[key]
    return None, None


FIXED_NAMES = {"fixed_mh": "Mantel-Haenszel", "fixed_peto": "Peto", "fixed_iv": "inverse-variance"}


def _fmt(measure: registry.Measure, x: float) -> str:
    y = measure.to_people(x)
    return f"{y:.2g}" if 0 < abs(y) < 0.01 else f"{y:.2f}"


def method_label(result: dict, source: str) -> str:
    """'Bayesian 95% credible interval (half-normal(0.5) prior on tau)' or 'random-effects 95% CI
    (REML, Hartung-Knapp-Sidik-Jonkman, ad hoc correction (Knapp & Hartung 2003))'."""
    if source == "bayes":
        p = result["bayes"]["prior"]
        return f"Bayesian 95% credible interval ({p['family']}({p['scale']:g}) prior on tau)"
    r = result["random"]
    if r["k"] == 1:
        return "single trial's own 95% CI (Wald z)"
    return (f"random-effects 95% CI ({TAU2_METHODS.get(r['tau2_method'], r['tau2_method'])}, "
            f"{CI_METHODS.get(r['ci_method'], r['ci_method'])})")


def declared_interval(result: dict, bayes_shown: bool) -> dict | None:
    """The `conclusion` block: source (bayes | random), method, est, ci_lb, ci_ub (analysis scale),
    natural, widened, fixed (the fixed-effect block's name and limits) and a sentence. None when
    nothing is pooled."""
    random = result.get("random")
    if not random:
        return None
    measure = registry.get(result["measure"])
    bayes = result.get("bayes")
    if bayes_shown and bayes and random["k"] > 1:
        source, est, lb, ub = "bayes", bayes["mu_median"], bayes["mu_lb"], bayes["mu_ub"]
    else:
        source, est, lb, ub = "random", random["est"], random["ci_lb"], random["ci_ub"]
    fixed_key, fixed = _fixed(result)
    widened = False
    if fixed is not None and fixed.get("ci_lb") is not None and (fixed["ci_lb"] < lb or fixed["ci_ub"] > ub):
        widened = True
        lb, ub = min(lb, fixed["ci_lb"]), max(ub, fixed["ci_ub"])
    label = method_label(result, source)
    short = measure.short
    sentence = (f"Conclusions rest on the {label}: {short} {_fmt(measure, est)} ({_fmt(measure, lb)} to "
                f"{_fmt(measure, ub)})")
    if widened:
        sentence += (f", widened to contain the fixed-effect ({FIXED_NAMES[fixed_key]}) interval "
                     f"({_fmt(measure, fixed['ci_lb'])} to {_fmt(measure, fixed['ci_ub'])}), which it was "
                     "narrower than")
    return {
        "source": source, "method": label, "est": est, "ci_lb": lb, "ci_ub": ub,
        "natural": {"est": measure.to_people(est), "ci_lb": measure.to_people(lb), "ci_ub": measure.to_people(ub)},
        "widened": widened,
        "fixed": {"block": fixed_key, "ci_lb": fixed["ci_lb"], "ci_ub": fixed["ci_ub"]} if fixed else None,
        "sentence": sentence + ".",
    }


def bayes_extras(measure: registry.Measure, yi, vi, other: Prior, mid: tuple[float, float] | None,
                 prior: Prior) -> dict:
    """The workflow's additions to the `bayes` block: `sensitivity` (the same model under the other
    prior scale: mu_median, mu_lb, mu_ub, p_mu_below_0, natural) and `mid` (the minimal important
    differences on the people's scale with P(effect below the lower one) and P(above the upper
    one), or None when the analysis has none)."""
    alt = bayes_random(yi, vi, other)
    keep = ("mu_median", "mu_lb", "mu_ub")
    sensitivity = {"prior": other.to_dict(), **{k: alt[k] for k in keep + ("p_mu_below_0",)},
                   "natural": {k: measure.to_people(alt[k]) for k in keep}}
    mid_block = None
    if mid is not None:
        post = Posterior(yi, vi, prior)
        lower, upper = mid
        mid_block = {"lower": lower, "upper": upper,
                     "p_below_lower": post.mu_cdf(measure.from_people(lower)),
                     "p_above_upper": 1 - post.mu_cdf(measure.from_people(upper))}
    return {"sensitivity": sensitivity, "mid": mid_block}
