"""Masked 2-D arrays: many meta-analyses at once, one per row.

The fixed- and random-effects models work on arrays of shape (m, K): row i holds meta-analysis
i, ``mask[i, j]`` says whether study j belongs to it. A single fit is the case m = 1, so a batch
(``pool_many``) and a single fit run the same code and give the same digits. The iterative parts
(tau^2, its Q-profile CI) run row by row on each row's members (``engine.linear.intercepts``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metapool.errors import MetapoolError


@dataclass(frozen=True)
class Batch:
    """Effect sizes ``y``, sampling variances ``v`` and membership ``mask``, all (m, K).

    A cell is a member where y and v are finite (and ``mask`` allows); a member's v must be > 0.
    """

    y: np.ndarray
    v: np.ndarray
    mask: np.ndarray

    @classmethod
    def from_arrays(cls, yi, vi, mask=None) -> "Batch":
        y = np.atleast_2d(np.asarray(yi, dtype=float))
        v = np.atleast_2d(np.asarray(vi, dtype=float))
        if y.shape != v.shape:
            raise ValueError(f"yi and vi differ in shape: {y.shape} vs {v.shape}")
        m = np.isfinite(y) & np.isfinite(v)
        if mask is not None:
            m &= np.atleast_2d(np.asarray(mask, dtype=bool))
        if np.any(m & (v <= 0)):
            raise MetapoolError("a sampling variance is zero or negative; every study needs vi > 0")
        # neutral values where masked out, so arithmetic stays finite
        return cls(np.where(m, y, 0.0), np.where(m, v, 1.0), m)

    @property
    def k(self) -> np.ndarray:
        return self.mask.sum(axis=1)

    def rows(self, idx: np.ndarray) -> "Batch":
        """The rows ``idx`` (sorted, unique); the batch itself when that is every row."""
        if len(idx) == len(self.mask):
            return self
        return Batch(self.y[idx], self.v[idx], self.mask[idx])

    def weights(self, tau2) -> np.ndarray:
        """w_ij = 1 / (v_ij + tau2_i) for members, 0 otherwise."""
        t = np.asarray(tau2, dtype=float).reshape(-1, 1)
        return np.where(self.mask, 1.0 / (self.v + t), 0.0)


def rowsum(a: np.ndarray) -> np.ndarray:
    """Row sums accumulated column by column, left to right.

    Unlike ``a.sum(axis=1)`` (pairwise, unrolled), the rounding does not depend on the row width,
    so a study padded with zero weight changes nothing and a batch row equals the single fit bit
    for bit. ``cumsum`` adds sequentially, ((a_0 + a_1) + a_2) + ...; the final + 0.0 gives the
    sum started from 0 (0 + a_0 differs from a_0 only for a_0 = -0, and the result only in the sign
    of an all -0 row).
    """
    a = np.asarray(a, dtype=float)
    if a.shape[1] == 0:
        return np.zeros(a.shape[0])
    return np.cumsum(a, axis=1)[:, -1] + 0.0


def wmean(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted mean per row: sum(w y) / sum(w)."""
    return rowsum(w * y) / rowsum(w)


def rss(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted residual sum of squares about the weighted mean: y'Py = sum w (y - ybar_w)^2."""
    mu = wmean(y, w)
    return rowsum(w * (y - mu[:, None]) ** 2)
