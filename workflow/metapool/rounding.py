"""The one rounding path of every printed number (forest plots, SoF, summary pages).

Why one path: a one-study subtotal's Wald limit is est + qnorm(0.975) se = 1.99499999018, the
study's own row est + 1.959964 se (RevMan's constant, which gives back the reported CI) = 1.995;
the 1.5e-8 se between the two constants put the same limit either side of a rounding boundary
('1.99' vs '2.00'). A number is therefore first read to GUARD more decimals than it prints (noise
below 1e-7 is gone), then rounded half away from zero (Decimal ROUND_HALF_UP): 1.995 and
1.99499999018 -> '2.00', -0.495 -> '-0.50'. Python's f"{x:.2f}" rounds the binary value instead.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal

GUARD = 5  # extra decimals read before rounding: absorbs noise below 10^-(places + 5)


def _round(x: float, places: int) -> Decimal:
    d = Decimal(repr(float(x)))
    # enough digits for the integer part too (a prediction limit of 1e40 on a log axis)
    ctx = Context(prec=max(28, d.adjusted() + places + GUARD + 2))
    guarded = d.quantize(Decimal(1).scaleb(-(places + GUARD)), rounding=ROUND_HALF_EVEN, context=ctx)
    q = guarded.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=ctx)
    return abs(q) if q == 0 else q


def decimals(x: float, places: int) -> str:
    """``x`` with ``places`` decimals, rounded half away from zero; never '-0.00'; 'inf' / '-inf'
    for an infinite value (a prediction limit that overflows the people's scale)."""
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{_round(x, places):f}"


def whole(x: float) -> int:
    """``x`` rounded half away from zero to a whole number (per-1,000 figures)."""
    return int(_round(x, 0))
