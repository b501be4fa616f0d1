"""Group-sequential boundaries by alpha (and beta) spending at arbitrary information fractions.

Lan & DeMets (1983 Biometrika 70:659) spending with the O'Brien-Fleming-type function
    a*(t) = 2 - 2 Phi(z_{1-a/2} / sqrt(t)),   0 < t <= 1,   a*(1) = a,
boundaries by the recursive numerical integration of Armitage, McPherson & Rowe (1969 JRSS A
132:235) as in Reboussin, DeMets, Kim & Lan (2000 Control Clin Trials 21:190; R ``ldbounds``).

On the score (B-value) scale S(t) = Z(t) sqrt(t) the statistic is Brownian motion with drift
theta: S(t_k) = S(t_{k-1}) + N(theta D_k, D_k), D_k = t_k - t_{k-1}. The sub-density of S_k on
the continuation region (no boundary crossed before) is carried from look to look:
    f_k(s) = integral f_{k-1}(u) phi((s - u - theta D_k) / sqrt(D_k)) / sqrt(D_k) du,
with f_{k-1} quadratic through each panel of three grid points and each panel's integral against the Gaussian kernel
(and against its tail, for crossing probabilities) taken in closed form, so a small increment D_k
next to a wide grid spacing loses nothing. Boundary k solves P(cross at k, not before) = spent(t_k)
- spent(t_{k-1}) by Brent's method. Where the cumulative spend is below 1e-10 the earlier looks can
hardly have stopped, and the first-look closed form z_{1-a/2} / sqrt(t_k) is used.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr, ndtri

NEGLIGIBLE = 1e-10  # cumulative spend below which the first-look closed form is used
_SD_WINDOW = 9.0  # the grid covers the unconditional mean +- 9 sd of S_k
_PHI0 = 1 / math.sqrt(2 * math.pi)
_BOTH = np.array([1.0, -1.0])  # tail signs: above the first point, below the second
_LOWER = np.array([-1.0])
# points per block of the grid's density: its (point, panel) temporaries (32 x 151 doubles) stay
# small and are reused by the allocator; with 64 the analysis job's pooling ran 40% slower
# (page faults)
_BLOCK = 32


def _phi(z):
    return _PHI0 * np.exp(-0.5 * z * z)


def obf_spending(t, level: float) -> np.ndarray:
    """Lan-DeMets O'Brien-Fleming-type spending: 2 - 2 Phi(z_{1-level/2} / sqrt(t)), = level at t >= 1."""
    t = np.asarray(t, dtype=float)
    z = ndtri(1 - level / 2)
    with np.errstate(divide="ignore"):
        return np.where(t >= 1, level, 2 * ndtr(-z / np.sqrt(np.minimum(t, 1.0))))


def _interval_mass(z: np.ndarray) -> np.ndarray:
    """P(z_j < Z < z_j+1) for neighbouring columns of z (increasing along rows): the difference of
    upper tails where z_j > 0, of lower tails otherwise (no cancellation); one Phi per column."""
    tail = ndtr(-np.abs(z))  # the smaller tail: Phi(z) for z <= 0, Phi(-z) for z > 0
    z0, z1, t0, t1 = z[:, :-1], z[:, 1:], tail[:, :-1], tail[:, 1:]
    right = z0 > 0
    mass = np.where(right, t0 - t1, t1 - t0)
    across = ~right & (z1 > 0)  # the panel containing 0: Phi(z1) - Phi(z0)
    mass[across] = ndtr(z1[across]) - t0[across]
    return mass


def _density(z, phi, a, b, c) -> np.ndarray:
    """Per point, the sum over panels of the integral of (a + b z + c z^2) phi(z) between the edges:
    a [Phi] - b [phi] + c [Phi - z phi]."""
    zphi = z * phi
    return np.sum((a + c) * _interval_mass(z) + b * (phi[:, :-1] - phi[:, 1:]) + c * (zphi[:, :-1] - zphi[:, 1:]),
                  axis=1)


def _antiderivative_terms(z, s, phi):
    """Per (sign, point, edge), with g = Phi(s z) and p = s phi(z): the antiderivatives of Phi(s z),
    z Phi(s z) and z^2 Phi(s z) times 1, 2 and 3: z g + p, (z^2 - 1) g + z p, z^3 g + (z^2 + 2) p."""
    g = ndtr(s * z)
    p = s * phi
    z2 = z * z
    return z * g + p, (z2 - 1) * g + z * p, z**3 * g + (z2 + 2) * p


def _panel_integrals(terms, a, b, c) -> np.ndarray:
    """Per (sign, point, panel), the integral of (a + b z + c z^2) Phi(s z) between its edges."""
    t1, t2, t3 = terms

    def at(edge):
        return a * t1[..., edge] + b * t2[..., edge] / 2 + c * t3[..., edge] / 3

    return at(slice(1, None)) - at(slice(None, -1))


class _State:
    """The sub-density of S at the last look: a point mass at 0 (start), or on a grid of an odd
    number of points, quadratic through each panel of three (Simpson's interpolant)
    f = fm + p (u - um) + q (u - um)^2, its coefficients and masses computed once per look."""

    def __init__(self, x: np.ndarray | None = None, f: np.ndarray | None = None):
        self.x, self.f = x, f
        if x is not None and len(x) >= 3:
            u0, um = x[:-2:2], x[1:-1:2]
            f0, fm, f1 = f[:-2:2], f[1:-1:2], f[2::2]
            h = um - u0
            self.edges, self.um, self.fm = x[::2], um, fm
            self.p = (f1 - f0) / (2 * h)
            self.q = (f1 - 2 * fm + f0) / (2 * h * h)
            self.mass = h * (f0 + 4 * fm + f1) / 3

    @property
    def empty(self) -> bool:
        return self.x is not None and len(self.x) < 3

    def _panels(self, centre: np.ndarray, sigma: float):
        """Per (point, edge): z = (edge - centre) / sigma and phi(z); per (point, panel): f = a + b z + c z^2."""
        centre = np.asarray(centre, dtype=float)[:, None]
        d = centre - self.um  # u - um = d + sigma z
        z = (self.edges - centre) / sigma
        return (z, _phi(z), self.fm + self.p * d + self.q * d * d, (self.p + 2 * self.q * d) * sigma,
                self.q * sigma * sigma)

    def density(self, s: np.ndarray, shift: float, sigma: float) -> np.ndarray:
        """f_k at points s: the convolution with N(shift, sigma^2)."""
        if self.x is None:
            return _phi((s - shift) / sigma) / sigma
        if self.empty:
            return np.zeros(len(s))
        centre = s - shift
        return np.concatenate([_density(*self._panels(centre[i:i + _BLOCK], sigma))
                               for i in range(0, len(centre), _BLOCK)])

    def tail(self, x: np.ndarray, shift: float, sigma: float, sign: np.ndarray) -> np.ndarray:
        """P(S_k > x) where sign is 1, P(S_k < x) where it is -1, jointly with no earlier crossing."""
        if self.x is None:
            return ndtr(-sign * ((x - shift) / sigma))
        if self.empty:
            return np.zeros(len(x))
        return self._tail(self._panels(x - shift, sigma), sigma, sign)

    def tail_density(self, x: np.ndarray, shift: float, sigma: float, sign: np.ndarray):
        """``tail`` and ``density`` at the points x from one set of panel terms (Newton's method);
        the state has a grid."""
        panels = self._panels(x - shift, sigma)
        return self._tail(panels, sigma, sign), _density(*panels)

    def _tail(self, panels, sigma: float, sign: np.ndarray) -> np.ndarray:
        # P = sigma * integral (a + b z + c z^2) G(z) dz with G(z) = Phi(sign z), per panel in the
        # form without cancellation: directly where G is small, via the complement where G ~ 1
        z, phi, a, b, c = panels
        s = sign[:, None]
        small = s * (z[:, :-1] + z[:, 1:]) <= 0
        both = _panel_integrals(_antiderivative_terms(z, np.stack([s, -s]), phi), a, b, c)  # G, 1 - G
        return sigma * np.sum(np.where(small, both[0], self.mass / sigma - both[1]), axis=1)


def _solve(fdf, f, x0: float, lo: float, hi: float) -> float:
    """Root of the monotone f in [lo, hi]: Newton from x0 (f is convex or concave in the tail, so
    the iterates settle from one side in a few steps; fdf(x) = f(x), f'(x)), Brent's method if
    Newton strays."""
    x = x0
    for _ in range(30):
        value, slope = fdf(x)
        if not slope or not math.isfinite(slope):
            break
        step = float(value) / slope  # Python floats: a vanishing slope gives inf, not a warning
        x -= step
        if not lo <= x <= hi or not math.isfinite(x):
            break
        if abs(step) <= 1e-11 * max(1.0, abs(x)):
            return x
    from scipy.optimize import brentq  # rarely needed; scipy.optimize is slow to import

    return brentq(f, lo, hi, xtol=1e-12, rtol=1e-12)


def _grid(lo: float, hi: float, n: int) -> np.ndarray:
    """n points (made odd) from lo to hi; empty when the interval is."""
    return np.linspace(lo, hi, n | 1) if hi > lo else np.empty(0)


def _window(t: float, drift: float) -> tuple[float, float]:
    sd = math.sqrt(t)
    return drift * t - _SD_WINDOW * sd, drift * t + _SD_WINDOW * sd


def efficacy_boundaries(t, alpha: float = 0.05, n_grid: int = 301) -> np.ndarray:
    """Two-sided symmetric boundaries c_k (reject when |Z_k| >= c_k) at fractions 0 < t_1 < ... <= 1."""
    t = np.asarray(t, dtype=float)
    if np.any(t <= 0) or np.any(np.diff(t) <= 0) or np.any(t > 1):
        raise ValueError("information fractions must increase strictly within (0, 1]")
    spent = obf_spending(t, alpha)
    z = ndtri(1 - alpha / 2)
    out = np.empty(len(t))
    state, prev_t, prev_spent = _State(), 0.0, 0.0
    for k, tk in enumerate(t):
        d = tk - prev_t
        sigma, root_t = math.sqrt(d), math.sqrt(tk)
        inc = spent[k] - prev_spent
        if spent[k] < NEGLIGIBLE or state.x is None:
            c = z / root_t
        else:
            def excess(c):
                up, low = state.tail(np.array([c, -c]) * root_t, 0.0, sigma, _BOTH)
                return up + low - inc

            def excess_slope(c):  # slope -sqrt(t) (f(c sqrt t) + f(-c sqrt t)), f the density of S_k
                (up, low), dens = state.tail_density(np.array([c, -c]) * root_t, 0.0, sigma, _BOTH)
                return up + low - inc, -root_t * float(np.sum(dens))
            # start where no earlier look could have stopped: P(|Z_k| > c) = inc
            c = _solve(excess_slope, excess, float(ndtri(1 - inc / 2)), 0.0, 60.0)
        out[k] = c
        if k == len(t) - 1:
            break
        lo, hi = _window(tk, 0.0)
        x = _grid(max(lo, -c * root_t), min(hi, c * root_t), n_grid)
        state = _State(x, state.density(x, 0.0, sigma)) if len(x) else _State(x, x)
        prev_t, prev_spent = tk, spent[k]
    return out


def futility_boundaries(t, efficacy, beta: float = 0.2, drift: float | None = None,
                        alpha: float = 0.05, n_grid: int = 301) -> np.ndarray:
    """Inner-wedge (futility) boundaries b_k by beta spending under the design alternative.

    In the direction of the anticipated effect the statistic has drift theta (default
    z_{1-alpha/2} + z_{1-beta}: E Z = theta at t = 1, the fixed-sample design); b_k solves
    P_theta(b_j < Z_j < c_j for j < k, Z_k <= b_k) = b*(t_k) - b*(t_{k-1}) with the O'Brien-Fleming-type
    function at level beta. Non-binding: the efficacy boundaries c_k are computed without them.
    Capped at c_k: once the wedge closes, later looks have b_k = c_k.
    """
    t = np.asarray(t, dtype=float)
    c = np.asarray(efficacy, dtype=float)
    theta = ndtri(1 - alpha / 2) + ndtri(1 - beta) if drift is None else drift
    spent = obf_spending(t, beta)
    out = np.empty(len(t))
    state, prev_t, prev_spent, closed = _State(), 0.0, 0.0, False
    for k, tk in enumerate(t):
        if closed:
            out[k] = c[k]
            continue
        d = tk - prev_t
        sigma, root_t = math.sqrt(d), math.sqrt(tk)
        shift = theta * d
        inc = spent[k] - prev_spent
        if spent[k] < NEGLIGIBLE or state.x is None:
            b = theta * root_t + ndtri(spent[k]) if spent[k] > 0 else -math.inf
        else:
            def excess(b):
                return state.tail(np.array([b * root_t]), shift, sigma, _LOWER)[0] - inc

            def excess_slope(b):
                low, dens = state.tail_density(np.array([b * root_t]), shift, sigma, _LOWER)
                return low[0] - inc, root_t * float(dens[0])
            if excess(c[k]) <= 0:
                b = c[k]
            else:
                b = _solve(excess_slope, excess, theta * root_t + float(ndtri(inc)), -60.0, c[k])
        b = min(b, c[k])
        out[k] = b
        closed = b >= c[k]
        if k == len(t) - 1:
            break
        lo, hi = _window(tk, theta)
        x = _grid(max(lo, b * root_t, -c[k] * root_t), min(hi, c[k] * root_t), n_grid)
        state = _State(x, state.density(x, shift, sigma)) if len(x) else _State(x, x)
        prev_t, prev_spent = tk, spent[k]
    return out


def exit_probabilities(t, upper, lower, drift: float = 0.0, n_grid: int = 301) -> tuple[np.ndarray, np.ndarray]:
    """P(first exit above upper_k at look k) and P(first exit below lower_k at look k) (Z scale)."""
    t = np.asarray(t, dtype=float)
    up = np.zeros(len(t))
    low = np.zeros(len(t))
    state, prev_t = _State(), 0.0
    for k, tk in enumerate(t):
        d = tk - prev_t
        sigma, root_t = math.sqrt(d), math.sqrt(tk)
        shift = drift * d
        up[k], low[k] = state.tail(np.array([upper[k], lower[k]]) * root_t, shift, sigma, _BOTH)
        if k == len(t) - 1:
            break
        lo, hi = _window(tk, drift)
        x = _grid(max(lo, lower[k] * root_t), min(hi, upper[k] * root_t), n_grid)
        state = _State(x, state.density(x, shift, sigma)) if len(x) else _State(x, x)
        prev_t = tk
    return up, low
