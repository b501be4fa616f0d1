"""R's ``nlminb`` without a gradient: R nlminb (PORT library, Gay 1990), portsrc.f.

A statement-by-statement port of the routines of R's src/library/stats/src/portsrc.f (and the C
driver ``port_nlminb`` of port.c) that ``nlminb(start, objective)`` runs for an unconstrained
problem without gradient: DRMNF (finite-difference driver) -> DRMNG (double-dogleg / BFGS
iterations) with DS7GRD (Stewart's forward / central differences), DD7DOG, DA7SST, DW7ZBF,
DL7UPD, the small linear-algebra helpers and the defaults of DV7DFL / R's Rf_divset (eval.max
200, iter.max 150, rel.tol 1e-10, x.tol 1.5e-8, xf.tol 2.2e-14, step.min = step.max = 1,
sing.tol = rel.tol, abs.tol 0). The reverse-communication state lives in the integer and double
work vectors ``iv`` and ``v`` exactly as in the Fortran (1-based: index 0 unused), so that the
sequence of points at which the objective is evaluated is R's, not merely its minimum: metafor's
``rma.mv`` reports where ``nlminb`` stops, which differs from the exact optimum in the last
digits that a reference comparison sees.

Arrays are passed to the helpers as (list, offset): element i (1-based) of the Fortran dummy
argument is ``list[offset + i]``, so aliasing (e.g. DL7UPD's L and LPLUS) behaves as in Fortran.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

MACHEP = sys.float_info.epsilon  # R's d1mach(4) = DBL_EPSILON, PORT's DR7MDC(3)
SQTEPS = math.sqrt(MACHEP)  # DR7MDC(4)

# iv subscripts
IV_TOOBIG, IV_VNEED, IV_MODEL, IV_NFCALL, IV_NFGCAL, IV_RADINC, IV_RESTOR = 2, 4, 5, 6, 7, 8, 9
IV_STAGE, IV_STGLIM, IV_SWITCH, IV_XIRC, IV_DTYPE, IV_MXFCAL, IV_MXITER, IV_OUTLEV = 10, 11, 12, 13, 16, 17, 18, 19
IV_INITH, IV_G, IV_IRC, IV_NGCALL, IV_NITER, IV_MLSTGD, IV_KAGQT, IV_NWTSTP = 25, 28, 29, 30, 31, 32, 33, 34
IV_MODE, IV_DG, IV_STEP, IV_STLSTG, IV_LMAT, IV_X0, IV_LASTIV, IV_LASTV = 35, 37, 40, 41, 42, 43, 44, 45
IV_NEXTV, IV_G0, IV_ALGSAV, IV_CNVCOD, IV_SGIRC, IV_PERM = 47, 48, 51, 55, 57, 58
# v subscripts
DGNORM, DSTNRM, DST0, GTSTEP, STPPAR, NREDUC, PREDUC, RADIUS, RAD0 = 1, 2, 3, 4, 5, 6, 7, 8, 9
F, FDIF, FLSTGD, F0, GTSLST, PLSTGD, RADFAC, RELDX, DSTSAV = 10, 11, 12, 13, 14, 15, 16, 17, 18
EPSLON, PHMNFC, PHMXFC, DECFAC, INCFAC, RDFCMN, RDFCMX = 19, 20, 21, 22, 23, 24, 25
TUNER1, TUNER2, TUNER3, TUNER4, TUNER5, AFCTOL, RFCTOL, XCTOL, XFTOL = 26, 27, 28, 29, 30, 31, 32, 33, 34
LMAX0, LMAXS, SCTOL, DINIT, DTINIT, D0INIT, DFAC, ETA0, BIAS, GTHG, GRDFAC, NWTFAC = (
    35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46)

CONTROL = {"eval_max": ("iv", 17), "iter_max": ("iv", 18), "abs_tol": ("v", 31), "rel_tol": ("v", 32),
           "x_tol": ("v", 33), "xf_tol": ("v", 34), "step_min": ("v", 35), "step_max": ("v", 36),
           "sing_tol": ("v", 37), "scale_init": ("v", 38), "diff_g": ("v", 42)}
"""R's port_cpos: nlminb's control names (dots as underscores) and their place in iv or v."""

MESSAGES = {3: "X-convergence (3)", 4: "relative convergence (4)",
            5: "both X-convergence and relative convergence (5)", 6: "absolute function convergence (6)",
            7: "singular convergence (7)", 8: "false convergence (8)",
            9: "function evaluation limit reached without convergence (9)",
            10: "iteration limit reached without convergence (10)",
            63: "fn cannot be computed at initial par (63)"}


# ---- BLAS-like helpers (port.c's C replacements; reference BLAS ddot / dnrm2) ------------------

def dd7tpr(p: int, x: list, xo: int, y: list, yo: int) -> float:
    """Inner product (reference BLAS ddot: left-to-right accumulation)."""
    t = 0.0
    for i in range(1, p + 1):
        t = t + x[xo + i] * y[yo + i]
    return t


def dv2nrm(n: int, x: list, xo: int) -> float:
    """2-norm (reference BLAS 3.10+ dnrm2, Blue's algorithm; mid-range values: sqrt of the
    left-to-right sum of squares)."""
    tsml, tbig = 2.0 ** -511, 2.0 ** 486
    ssml, sbig = 2.0 ** 537, 2.0 ** -538
    asml = amed = abig = 0.0
    notbig = True
    for i in range(1, n + 1):
        ax = abs(x[xo + i])
        if ax > tbig:
            abig += (ax * sbig) ** 2
            notbig = False
        elif ax < tsml:
            if notbig:
                asml += (ax * ssml) ** 2
        else:
            amed += ax * ax
    if abig > 0.0:
        if amed > 0.0 or amed != amed:
            abig += (amed * sbig) * sbig
        scl, sumsq = 1.0 / sbig, abig
    elif asml > 0.0:
        if amed > 0.0 or amed != amed:
            amed = math.sqrt(amed)
            asml = math.sqrt(asml) / ssml
            ymin, ymax = (asml, amed) if asml <= amed else (amed, asml)
            scl, sumsq = 1.0, ymax ** 2 * (1.0 + (ymin / ymax) ** 2)
        else:
            scl, sumsq = 1.0 / ssml, asml
    else:
        scl, sumsq = 1.0, amed
    return scl * math.sqrt(sumsq)


def dv2axy(n: int, w: list, wo: int, a: float, x: list, xo: int, y: list, yo: int) -> None:
    for i in range(1, n + 1):
        w[wo + i] = a * x[xo + i] + y[yo + i]


def dv7cpy(n: int, dst: list, do: int, src: list, so: int) -> None:
    tmp = [src[so + i] for i in range(1, n + 1)]  # memmove
    for i in range(1, n + 1):
        dst[do + i] = tmp[i - 1]


def dv7scp(n: int, dst: list, do: int, c: float) -> None:
    for i in range(1, n + 1):
        dst[do + i] = c


def dv7vmp(n: int, x: list, xo: int, y: list, yo: int, z: list, zo: int, k: int) -> None:
    """x = y * z**sign(k) componentwise."""
    if k < 0:
        for i in range(1, n + 1):
            x[xo + i] = y[yo + i] / z[zo + i]
    else:
        for i in range(1, n + 1):
            x[xo + i] = y[yo + i] * z[zo + i]


def dl7ivm(n: int, x: list, xo: int, L: list, lo: int, y: list, yo: int) -> None:
    """Solve L x = y (L lower triangular stored compactly by rows)."""
    k = 1
    while k <= n:
        if y[yo + k] != 0.0:
            break
        x[xo + k] = 0.0
        k += 1
    else:
        return
    j = k * (k + 1) // 2
    x[xo + k] = y[yo + k] / L[lo + j]
    if k >= n:
        return
    k = k + 1
    for i in range(k, n + 1):
        t = dd7tpr(i - 1, L, lo + j, x, xo)
        j = j + i
        x[xo + i] = (y[yo + i] - t) / L[lo + j]


def dl7itv(n: int, x: list, xo: int, L: list, lo: int, y: list, yo: int) -> None:
    """Solve L' x = y."""
    for i in range(1, n + 1):
        x[xo + i] = y[yo + i]
    i0 = n * (n + 1) // 2
    for ii in range(1, n + 1):
        i = n + 1 - ii
        xi = x[xo + i] / L[lo + i0]
        x[xo + i] = xi
        if i <= 1:
            return
        i0 = i0 - i
        if xi == 0.0:
            continue
        for j in range(1, i):
            x[xo + j] = x[xo + j] - xi * L[lo + i0 + j]


def dl7tvm(n: int, x: list, xo: int, L: list, lo: int, y: list, yo: int) -> None:
    """x = L' y."""
    i0 = 0
    for i in range(1, n + 1):
        yi = y[yo + i]
        x[xo + i] = 0.0
        for j in range(1, i + 1):
            x[xo + j] = x[xo + j] + yi * L[lo + i0 + j]
        i0 = i0 + i


def dl7vml(n: int, x: list, xo: int, L: list, lo: int, y: list, yo: int) -> None:
    """x = L y."""
    i0 = n * (n + 1) // 2
    for ii in range(1, n + 1):
        i = n + 1 - ii
        i0 = i0 - i
        t = 0.0
        for j in range(1, i + 1):
            t = t + L[lo + i0 + j] * y[yo + j]
        x[xo + i] = t


def drldst(p: int, d: list, do: int, x: list, xo: int, x0: list, x0o: int) -> float:
    """Relative difference between x and x0."""
    emax = xmax = 0.0
    for i in range(1, p + 1):
        t = abs(d[do + i] * (x[xo + i] - x0[x0o + i]))
        if emax < t:
            emax = t
        t = d[do + i] * (abs(x[xo + i]) + abs(x0[x0o + i]))
        if xmax < t:
            xmax = t
    return emax / xmax if xmax > 0.0 else 0.0


# ---- defaults -------------------------------------------------------------------------------

def dv7dfl(v: list, vo: int) -> None:
    """DV7DFL for ALG = 2 (general optimisation)."""
    V = lambda k, val: v.__setitem__(vo + k, val)  # noqa: E731
    V(AFCTOL, MACHEP ** 2 if MACHEP > 1e-10 else 1e-20)
    V(DECFAC, 0.5)
    mepcrt = MACHEP ** (1.0 / 3.0)
    V(DFAC, 0.6)
    V(DTINIT, 1e-6)
    V(D0INIT, 1.0)
    V(EPSLON, 0.1)
    V(INCFAC, 2.0)
    V(LMAX0, 1.0)
    V(LMAXS, 1.0)
    V(PHMNFC, -0.1)
    V(PHMXFC, 0.1)
    V(RDFCMN, 0.1)
    V(RDFCMX, 4.0)
    V(RFCTOL, max(1e-10, mepcrt ** 2))
    V(SCTOL, v[vo + RFCTOL])
    V(TUNER1, 0.1)
    V(TUNER2, 1e-4)
    V(TUNER3, 0.75)
    V(TUNER4, 0.5)
    V(TUNER5, 0.75)
    V(XCTOL, SQTEPS)
    V(XFTOL, 1e2 * MACHEP)
    V(BIAS, 0.8)
    V(DINIT, -1.0)
    V(ETA0, 1.0e3 * MACHEP)


def divset(iv: list, v: list) -> None:
    """R's Rf_divset(2, ...): the defaults ``nlminb`` starts from (port.c)."""
    miv, mv = 59, 71
    iv[21] = 0  # PRUNIT
    iv[IV_ALGSAV] = 2
    dv7dfl(v, 0)
    iv[1] = 12
    iv[3] = 0  # IVNEED
    iv[IV_LASTIV] = miv
    iv[IV_LASTV] = mv
    iv[IV_LMAT] = mv + 1
    iv[IV_MXFCAL] = 200
    iv[IV_MXITER] = 150
    iv[IV_OUTLEV] = 0
    iv[20] = 1  # PARPRT
    iv[IV_PERM] = miv + 1
    iv[22] = 0  # SOLPRT
    iv[23] = 0  # STATPR
    iv[IV_VNEED] = 0
    iv[24] = 1  # X0PRT
    iv[IV_DTYPE] = 0
    iv[25] = 1  # INITS
    iv[52] = 0  # NFCOV
    iv[53] = 0  # NGCOV
    iv[50] = 25  # NVDFLT
    iv[49] = 47  # PARSAV
    v[AFCTOL] = 0.0


def dparck(iv: list, v: list, n: int) -> None:
    """The storage bookkeeping of DPARCK(2, ...) (its checks of the input values are omitted:
    the values here are R's defaults or checked by the caller)."""
    iv1 = iv[1]
    if iv1 in (12, 13):
        iv[3] = 0
        iv[IV_LASTV] = max(iv[IV_VNEED], 0) + iv[IV_LMAT] - 1
        iv[IV_VNEED] = 0
    if 12 <= iv1 <= 14:
        if iv1 != 14:
            iv[46] = iv[IV_PERM]  # NEXTIV
            iv[IV_NEXTV] = iv[IV_LMAT]


# ---- the algorithm --------------------------------------------------------------------------

def ds7grd(alpha: list, ao: int, d: list, do: int, eta0: float, fx: float, g: list, go: int, irc: int,
           n: int, w: list, wo: int, x: list, xo: int) -> tuple[float, int]:
    """Finite-difference gradient by Stewart's scheme (reverse communication): returns (fx, irc)."""
    FH, FX0, HSAVE, XISAVE = 3, 4, 5, 6
    c2000, four, hmax0, hmin0, one, p002, three, two = 2.0e3, 4.0, 0.02, 5.0e1, 1.0, 0.002, 3.0, 2.0
    i = 0
    h = 0.0
    if irc < 0:
        lab = 140
    elif irc > 0:
        lab = 210
    else:
        w[wo + 1] = MACHEP
        w[wo + 2] = math.sqrt(w[wo + 1])
        w[wo + FX0] = fx
        lab = 110
    while True:
        if lab == 110:
            i = abs(irc) + 1
            if i > n:
                fx = w[wo + FX0]
                irc = 0
                return fx, irc
            irc = i
            afx = abs(w[wo + FX0])
            machep = w[wo + 1]
            h0 = w[wo + 2]
            hmin = hmin0 * machep
            w[wo + XISAVE] = x[xo + i]
            axi = abs(x[xo + i])
            axibar = max(axi, one / d[do + i])
            gi = g[go + i]
            agi = abs(gi)
            eta = abs(eta0)
            if afx > 0.0:
                eta = max(eta, agi * axi * machep / afx)
            alphai = alpha[ao + i]
            if alphai == 0.0:
                h = axibar  # 170
                lab = 200
                continue
            if gi == 0.0 or fx == 0.0:
                h = h0 * axibar  # 180
                lab = 200
                continue
            afxeta = afx * eta
            aai = abs(alphai)
            if gi ** 2 <= afxeta * aai:
                h = two * (afxeta * agi) ** (one / three) * aai ** (-two / three)  # 120
                h = h * (one - two * agi / (three * aai * h + four * agi))
            else:
                h = two * math.sqrt(afxeta / aai)
                h = h * (one - aai * h / (three * aai * h + four * agi))
            h = max(h, hmin * axibar)  # 130
            if aai * h <= p002 * agi:
                if h >= hmax0 * axibar:  # 160
                    h = h0 * axibar
                if alphai * gi < 0.0:
                    h = -h
                lab = 200
                continue
            discon = c2000 * afxeta
            h = discon / (agi + math.sqrt(gi ** 2 + aai * discon))
            h = max(h, hmin * axibar)
            if h >= hmax0 * axibar:
                h = axibar * h0 ** (two / three)
            irc = -i
            lab = 200
        elif lab == 140:
            h = -w[wo + HSAVE]
            i = abs(irc)
            if h > 0.0:
                g[go + i] = (w[wo + FH] - fx) / (two * h)  # 150
                x[xo + i] = w[wo + XISAVE]
                lab = 110
                continue
            w[wo + FH] = fx
            lab = 200
        elif lab == 200:
            x[xo + i] = w[wo + XISAVE] + h
            w[wo + HSAVE] = h
            return fx, irc
        elif lab == 210:
            g[go + irc] = (fx - w[wo + FX0]) / w[wo + HSAVE]
            x[xo + irc] = w[wo + XISAVE]
            lab = 110


def dd7dog(dig: list, dgo: int, n: int, nwtstp: list, no: int, step: list, so: int, v: list) -> None:
    """Double-dogleg step."""
    half, one, two = 0.5, 1.0, 2.0
    nwtnrm = v[DST0]
    rlambd = one
    if nwtnrm > 0.0:
        rlambd = v[RADIUS] / nwtnrm
    gnorm = v[DGNORM]
    ghinvg = two * v[NREDUC]
    v[GRDFAC] = 0.0
    v[NWTFAC] = 0.0
    if not rlambd < one:
        v[STPPAR] = 0.0
        v[DSTNRM] = nwtnrm
        v[GTSTEP] = -ghinvg
        v[PREDUC] = v[NREDUC]
        v[NWTFAC] = -one
        for i in range(1, n + 1):
            step[so + i] = -nwtstp[no + i]
        return
    v[DSTNRM] = v[RADIUS]
    cfact = (gnorm / v[GTHG]) ** 2
    cnorm = gnorm * cfact
    relax = one - v[BIAS] * (one - gnorm * cnorm / ghinvg)
    if not rlambd < relax:
        v[STPPAR] = one - (rlambd - relax) / (one - relax)
        t = -rlambd
        v[GTSTEP] = t * ghinvg
        v[PREDUC] = rlambd * (one - half * rlambd) * ghinvg
        v[NWTFAC] = t
        for i in range(1, n + 1):
            step[so + i] = t * nwtstp[no + i]
        return
    if not cnorm < v[RADIUS]:
        t = -v[RADIUS] / gnorm
        v[GRDFAC] = t
        v[STPPAR] = one + cnorm / v[RADIUS]
        v[GTSTEP] = -v[RADIUS] * gnorm
        v[PREDUC] = v[RADIUS] * (gnorm - half * v[RADIUS] * (v[GTHG] / gnorm) ** 2)
        for i in range(1, n + 1):
            step[so + i] = t * dig[dgo + i]
        return
    ctrnwt = cfact * relax * ghinvg / gnorm
    t1 = ctrnwt - gnorm * cfact ** 2
    t2 = v[RADIUS] * (v[RADIUS] / gnorm) - gnorm * cfact ** 2
    t = relax * nwtnrm
    femnsq = (t / gnorm) * t - ctrnwt - t1
    t = t2 / (t1 + math.sqrt(t1 ** 2 + femnsq * t2))
    t1 = (t - one) * cfact
    v[GRDFAC] = t1
    t2 = -t * relax
    v[NWTFAC] = t2
    v[STPPAR] = two - t
    v[GTSTEP] = t1 * gnorm ** 2 + t2 * ghinvg
    v[PREDUC] = (-t1 * gnorm * ((t2 + one) * gnorm)
                 - t2 * (one + half * t2) * ghinvg
                 - half * (v[GTHG] * t1) ** 2)
    for i in range(1, n + 1):
        step[so + i] = t1 * dig[dgo + i] + t2 * nwtstp[no + i]


def da7sst(iv: list, v: list) -> None:
    """Assess the candidate step: accept or reject, set the trust radius factor, test convergence."""
    half, one, onep2, two = 0.5, 1.0, 1.2, 2.0
    nfc = iv[IV_NFCALL]
    iv[IV_SWITCH] = 0
    iv[IV_RESTOR] = 0
    rfac1 = one
    goodx = True
    i = iv[IV_IRC]
    if 1 <= i <= 12:
        lab = {1: 20, 2: 30, 3: 10, 4: 10, 5: 40, 6: 280, 12: 170}.get(i, 220)
    else:
        iv[IV_IRC] = 13
        return
    while True:
        if lab == 10:
            iv[IV_STAGE] = 1
            iv[IV_RADINC] = 0
            v[FLSTGD] = v[F0]
            if iv[IV_TOOBIG] == 0:
                lab = 110
                continue
            iv[IV_STAGE] = -1
            iv[IV_XIRC] = i
            lab = 60
        elif lab == 20:
            if iv[IV_MODEL] != iv[IV_MLSTGD]:
                lab = 30
                continue
            iv[IV_STAGE] = iv[IV_STGLIM]
            iv[IV_RADINC] = -1
            lab = 110
        elif lab == 30:
            iv[IV_STAGE] = iv[IV_STAGE] + 1
            lab = 40
        elif lab == 40:
            if iv[IV_STAGE] > 0:
                lab = 50
                continue
            if iv[IV_TOOBIG] != 0:
                lab = 60
                continue
            iv[IV_STAGE] = -iv[IV_STAGE]
            i = iv[IV_XIRC]
            lab = {1: 20, 2: 30, 3: 110, 4: 110, 5: 70}.get(i, 50)
        elif lab == 50:
            if iv[IV_TOOBIG] == 0:
                lab = 70
                continue
            iv[IV_TOOBIG] = 0
            if iv[IV_RADINC] > 0:
                lab = 80
                continue
            iv[IV_STAGE] = -iv[IV_STAGE]
            iv[IV_XIRC] = iv[IV_IRC]
            lab = 60
        elif lab == 60:
            iv[IV_TOOBIG] = 0
            v[RADFAC] = v[DECFAC]
            iv[IV_RADINC] = iv[IV_RADINC] - 1
            iv[IV_IRC] = 5
            iv[IV_RESTOR] = 1
            v[F] = v[FLSTGD]
            return
        elif lab == 70:
            if v[F] < v[FLSTGD]:
                lab = 110
                continue
            if iv[IV_MODEL] != iv[IV_MLSTGD]:
                iv[IV_MODEL] = iv[IV_MLSTGD]
                iv[IV_SWITCH] = 1
            lab = 80
        elif lab == 80:
            if v[FLSTGD] >= v[F0]:
                lab = 110
                continue
            if iv[IV_STAGE] < iv[IV_STGLIM]:
                goodx = False
            elif nfc < iv[IV_NFGCAL] + iv[IV_STGLIM] + 2:
                goodx = False
            elif iv[IV_SWITCH] != 0:
                goodx = False
            iv[IV_RESTOR] = 3
            v[F] = v[FLSTGD]
            v[PREDUC] = v[PLSTGD]
            v[GTSTEP] = v[GTSLST]
            if iv[IV_SWITCH] == 0:
                rfac1 = v[DSTNRM] / v[DSTSAV]
            v[DSTNRM] = v[DSTSAV]
            if goodx:
                v[FDIF] = v[F0] - v[F]
                iv[IV_IRC] = 4
                v[RADFAC] = rfac1
                return
            nfc = iv[IV_NFGCAL]
            lab = 110
        elif lab == 110:
            v[FDIF] = v[F0] - v[F]
            if v[FDIF] > v[TUNER2] * v[PREDUC] or iv[IV_RADINC] > 0:
                lab = 140
                continue
            if v[F] < v[F0]:
                iv[IV_NFGCAL] = nfc  # 120
            else:
                iv[IV_MLSTGD] = iv[IV_MODEL]
                v[FLSTGD] = v[F]
                v[F] = v[F0]
                iv[IV_RESTOR] = 1
            iv[IV_IRC] = 1  # 130
            if iv[IV_STAGE] >= iv[IV_STGLIM]:
                iv[IV_IRC] = 5
                iv[IV_RADINC] = iv[IV_RADINC] - 1
            lab = 160
        elif lab == 140:
            iv[IV_NFGCAL] = nfc
            rfac1 = one
            v[DSTSAV] = v[DSTNRM]
            if v[FDIF] > v[PREDUC] * v[TUNER1]:
                lab = 190
                continue
            if iv[IV_STAGE] >= iv[IV_STGLIM]:
                iv[IV_IRC] = 4  # 150
            else:
                iv[IV_IRC] = 2
            lab = 160
        elif lab == 160:
            iv[IV_XIRC] = iv[IV_IRC]
            emax = v[GTSTEP] + v[FDIF]
            v[RADFAC] = half * rfac1
            if emax < v[GTSTEP]:
                v[RADFAC] = rfac1 * max(v[RDFCMN], half * v[GTSTEP] / emax)
            lab = 170
        elif lab == 170:
            if v[RELDX] <= v[XFTOL]:
                iv[IV_IRC] = 12  # 180
                lab = 240
                continue
            iv[IV_IRC] = iv[IV_XIRC]
            lab = 200 if v[F] < v[F0] else 230
        elif lab == 190:
            if (v[FDIF] < -v[TUNER3] * v[GTSTEP] or iv[IV_RADINC] < 0 or iv[IV_RESTOR] == 1
                    or iv[IV_RESTOR] == 3):
                v[RADFAC] = one  # 210
                iv[IV_IRC] = 3
                lab = 230
                continue
            v[RADFAC] = v[RDFCMX]
            gts = v[GTSTEP]
            if v[FDIF] < (half / v[RADFAC] - one) * gts:
                v[RADFAC] = max(v[INCFAC], half * gts / (gts + v[FDIF]))
            iv[IV_IRC] = 4
            if v[STPPAR] == 0.0:
                lab = 230
                continue
            if v[DST0] >= 0.0 and (v[DST0] < two * v[DSTNRM] or v[NREDUC] < onep2 * v[FDIF]):
                lab = 230
                continue
            iv[IV_IRC] = 5
            iv[IV_RADINC] = iv[IV_RADINC] + 1
            lab = 200
        elif lab == 200:
            v[FLSTGD] = v[F]
            iv[IV_MLSTGD] = iv[IV_MODEL]
            if iv[IV_RESTOR] == 0:
                iv[IV_RESTOR] = 2
            v[DSTSAV] = v[DSTNRM]
            iv[IV_NFGCAL] = nfc
            v[PLSTGD] = v[PREDUC]
            v[GTSLST] = v[GTSTEP]
            lab = 230
        elif lab == 220:
            iv[IV_IRC] = iv[IV_XIRC]
            if v[DSTSAV] < 0.0:
                iv[IV_IRC] = 12
            lab = 240
        elif lab == 230:
            iv[IV_XIRC] = iv[IV_IRC]
            lab = 240
        elif lab == 240:
            if iv[IV_RESTOR] == 1 and v[FLSTGD] < v[F0]:
                iv[IV_RESTOR] = 3
            if abs(v[F]) < v[AFCTOL]:
                iv[IV_IRC] = 10
            if half * v[FDIF] > v[PREDUC]:
                return
            emax = v[RFCTOL] * abs(v[F0])
            emaxs = v[SCTOL] * abs(v[F0])
            if v[PREDUC] <= emaxs and (v[DSTNRM] > v[LMAXS] or v[STPPAR] == 0.0):
                iv[IV_IRC] = 11
            if not v[DST0] < 0.0:
                i = 0
                if (v[NREDUC] > 0.0 and v[NREDUC] <= emax) or (v[NREDUC] == 0.0 and v[PREDUC] == 0.0):
                    i = 2
                if v[STPPAR] == 0.0 and v[RELDX] <= v[XCTOL] and goodx:
                    i = i + 1
                if i > 0:
                    iv[IV_IRC] = i + 6
            # 250
            if iv[IV_IRC] > 5 and iv[IV_IRC] != 12:
                return
            if v[STPPAR] == 0.0:
                return
            if v[DSTNRM] > v[LMAXS]:
                if half * v[DSTNRM] <= v[LMAXS]:  # 260
                    return
                xmax = v[LMAXS] / v[DSTNRM]
                if xmax * (two - xmax) * v[PREDUC] >= emaxs:
                    return
            else:
                if v[PREDUC] >= emaxs:
                    return
                if v[DST0] > 0.0 and half * v[DST0] <= v[LMAXS]:
                    return
            lab = 270
        elif lab == 270:
            if v[NREDUC] < 0.0:
                lab = 290
                continue
            v[GTSLST] = v[GTSTEP]
            v[DSTSAV] = v[DSTNRM]
            if iv[IV_IRC] == 12:
                v[DSTSAV] = -v[DSTSAV]
            v[PLSTGD] = v[PREDUC]
            i = iv[IV_RESTOR]
            iv[IV_RESTOR] = 2
            if i == 3:
                iv[IV_RESTOR] = 0
            iv[IV_IRC] = 6
            return
        elif lab == 280:
            v[GTSTEP] = v[GTSLST]
            v[DSTNRM] = abs(v[DSTSAV])
            iv[IV_IRC] = iv[IV_XIRC]
            if v[DSTSAV] <= 0.0:
                iv[IV_IRC] = 12
            v[NREDUC] = -v[PREDUC]
            v[PREDUC] = v[PLSTGD]
            iv[IV_RESTOR] = 3
            lab = 290
        elif lab == 290:
            if -v[NREDUC] <= v[SCTOL] * abs(v[F0]):
                iv[IV_IRC] = 11
            return


def dw7zbf(L: list, lo: int, n: int, s: list, so: int, w: list, wo: int, y: list, yo: int,
           z: list, zo: int) -> None:
    """w and z of the BFGS update L+ L+' = L (I + z w') (I + w z') L'."""
    eps, one = 0.1, 1.0
    dl7tvm(n, w, wo, L, lo, s, so)
    shs = dd7tpr(n, w, wo, w, wo)
    ys = dd7tpr(n, y, yo, s, so)
    if ys >= eps * shs:
        cy = one / (math.sqrt(ys) * math.sqrt(shs))
        cs = one / shs
    else:
        theta = (one - eps) * shs / (shs - ys)
        epsrt = math.sqrt(eps)
        cy = theta / (shs * epsrt)
        cs = (one + (theta - one) / epsrt) / shs
    dl7ivm(n, z, zo, L, lo, y, yo)
    for i in range(1, n + 1):
        z[zo + i] = cy * z[zo + i] - cs * w[wo + i]


def dl7upd(beta: list, bo: int, gamma: list, go: int, L: list, lo: int, lam: list, lmo: int,
           lplus: list, lpo: int, n: int, w: list, wo: int, z: list, zo: int) -> None:
    """Goldfarb's recurrence for the Cholesky factor of the secant update."""
    one = 1.0
    nu = one
    eta = 0.0
    if n > 1:
        nm1 = n - 1
        s = 0.0
        for i in range(1, nm1 + 1):
            j = n - i
            s = s + w[wo + j + 1] ** 2
            lam[lmo + j] = s
        for j in range(1, nm1 + 1):
            wj = w[wo + j]
            a = nu * z[zo + j] - eta * wj
            theta = one + a * wj
            s = a * lam[lmo + j]
            lj = math.sqrt(theta ** 2 + a * s)
            if theta > 0.0:
                lj = -lj
            lam[lmo + j] = lj
            b = theta * wj + s
            gamma[go + j] = b * nu / lj
            beta[bo + j] = (a - b * eta) / lj
            nu = -nu / lj
            eta = -(eta + (a ** 2) / (theta - lj)) / lj
    lam[lmo + n] = one + (nu * z[zo + n] - eta * w[wo + n]) * w[wo + n]
    np1 = n + 1
    jj = n * (n + 1) // 2
    for k in range(1, n + 1):
        j = np1 - k
        lj = lam[lmo + j]
        ljj = L[lo + jj]
        lplus[lpo + jj] = lj * ljj
        wj = w[wo + j]
        w[wo + j] = ljj * wj
        zj = z[zo + j]
        z[zo + j] = ljj * zj
        if k != 1:
            bj = beta[bo + j]
            gj = gamma[go + j]
            ij = jj + j
            for i in range(j + 1, n + 1):
                lij = L[lo + ij]
                lplus[lpo + ij] = lj * lij + bj * w[wo + i] + gj * z[zo + i]
                w[wo + i] = w[wo + i] + lij * wj
                z[zo + i] = z[zo + i] + lij * zj
                ij = ij + i
        jj = jj - j


def drmng(d: list, do: int, fx: float, g: list, go: int, iv: list, n: int, v: list, x: list, xo: int) -> None:
    """DRMNG: reverse-communication double-dogleg / BFGS iterations (gradient supplied by DRMNF)."""
    half, negone, one, onep2 = 0.5, -1.0, 1.0, 1.2
    rstrst = 0
    i = iv[1]
    if i == 1:
        lab = 50
    elif i == 2:
        lab = 60
    else:
        if iv[1] in (12, 13):
            iv[IV_VNEED] = iv[IV_VNEED] + n * (n + 13) // 2
        dparck(iv, v, n)
        i = iv[1] - 2
        if i > 12:
            return
        if 1 <= i <= 6:
            lab = 190
        elif i in (7, 9):
            lab = 120
        elif i == 8:
            lab = 90
        elif i in (10, 11):
            lab = 10
        elif i == 12:
            lab = 20
        else:
            lab = 10
    while True:
        if lab == 10:
            L = iv[IV_LMAT]
            iv[IV_X0] = L + n * (n + 1) // 2
            iv[IV_STEP] = iv[IV_X0] + n
            iv[IV_STLSTG] = iv[IV_STEP] + n
            iv[IV_G0] = iv[IV_STLSTG] + n
            iv[IV_NWTSTP] = iv[IV_G0] + n
            iv[IV_DG] = iv[IV_NWTSTP] + n
            iv[IV_NEXTV] = iv[IV_DG] + n
            if iv[1] != 13:
                lab = 20
                continue
            iv[1] = 14
            return
        elif lab == 20:
            iv[IV_NITER] = 0
            iv[IV_NFCALL] = 1
            iv[IV_NGCALL] = 1
            iv[IV_NFGCAL] = 1
            iv[IV_MODE] = -1
            iv[IV_MODEL] = 1
            iv[IV_STGLIM] = 1
            iv[IV_TOOBIG] = 0
            iv[IV_CNVCOD] = 0
            iv[IV_RADINC] = 0
            v[RAD0] = 0.0
            if v[DINIT] >= 0.0:
                dv7scp(n, d, do, v[DINIT])
            if iv[IV_INITH] == 1:
                L = iv[IV_LMAT]
                dv7scp(n * (n + 1) // 2, v, L - 1, 0.0)
                k = L - 1
                for ii in range(1, n + 1):
                    k = k + ii
                    t = d[do + ii]
                    if t <= 0.0:
                        t = one
                    v[k] = t
            iv[1] = 1  # 40
            return
        elif lab == 50:
            v[F] = fx
            if iv[IV_MODE] >= 0:
                lab = 190
                continue
            v[F0] = fx
            iv[1] = 2
            if iv[IV_TOOBIG] == 0:
                return
            iv[1] = 63
            lab = 350
        elif lab == 60:
            if iv[IV_TOOBIG] != 0:
                iv[1] = 65
                lab = 350
                continue
            dg1 = iv[IV_DG]  # 70
            dv7vmp(n, v, dg1 - 1, g, go, d, do, -1)
            v[DGNORM] = dv2nrm(n, v, dg1 - 1)
            if iv[IV_CNVCOD] != 0:
                lab = 340
                continue
            if iv[IV_MODE] == 0:
                lab = 300
                continue
            v[RADIUS] = v[LMAX0]
            iv[IV_MODE] = 0
            lab = 80
        elif lab == 80:
            lab = 90  # DITSUM: no output
        elif lab == 90:
            k = iv[IV_NITER]
            if k >= iv[IV_MXITER]:
                iv[1] = 10
                lab = 350
                continue
            lab = 100
        elif lab == 100:
            iv[IV_NITER] = k + 1
            if k > 0:
                v[RADIUS] = v[RADFAC] * v[DSTNRM]
            g01 = iv[IV_G0]
            x01 = iv[IV_X0]
            v[F0] = v[F]
            iv[IV_IRC] = 4
            iv[IV_KAGQT] = -1
            dv7cpy(n, v, x01 - 1, x, xo)
            dv7cpy(n, v, g01 - 1, g, go)
            lab = 130  # 110: STOPX() is false
        elif lab == 110:
            lab = 130
        elif lab == 120:
            if v[F] >= v[F0]:
                lab = 130
                continue
            v[RADFAC] = one
            k = iv[IV_NITER]
            lab = 100
        elif lab == 130:
            if iv[IV_NFCALL] < iv[IV_MXFCAL]:
                lab = 150
                continue
            iv[1] = 9
            if v[F] >= v[F0]:  # 140
                lab = 350
                continue
            iv[IV_CNVCOD] = iv[1]
            lab = 290
        elif lab == 150:
            step1 = iv[IV_STEP]
            dg1 = iv[IV_DG]
            nwtst1 = iv[IV_NWTSTP]
            if iv[IV_KAGQT] < 0:
                L = iv[IV_LMAT]
                dl7ivm(n, v, nwtst1 - 1, v, L - 1, g, go)
                v[NREDUC] = half * dd7tpr(n, v, nwtst1 - 1, v, nwtst1 - 1)
                dl7itv(n, v, nwtst1 - 1, v, L - 1, v, nwtst1 - 1)
                dv7vmp(n, v, step1 - 1, v, nwtst1 - 1, d, do, 1)
                v[DST0] = dv2nrm(n, v, step1 - 1)
                dv7vmp(n, v, dg1 - 1, v, dg1 - 1, d, do, -1)
                dl7tvm(n, v, step1 - 1, v, L - 1, v, dg1 - 1)
                v[GTHG] = dv2nrm(n, v, step1 - 1)
                iv[IV_KAGQT] = 0
            dd7dog(v, dg1 - 1, n, v, nwtst1 - 1, v, step1 - 1, v)  # 160
            if iv[IV_IRC] == 6:
                if iv[IV_RESTOR] != 2:
                    lab = 190
                    continue
                rstrst = 2
                lab = 200
                continue
            iv[IV_TOOBIG] = 0  # 170
            if v[DSTNRM] <= 0.0:
                lab = 190
                continue
            if iv[IV_IRC] == 5 and v[RADFAC] > one and not v[PREDUC] > onep2 * v[FDIF]:
                if iv[IV_RESTOR] != 2:
                    lab = 190
                    continue
                rstrst = 0
                lab = 200
                continue
            x01 = iv[IV_X0]  # 180
            step1 = iv[IV_STEP]
            dv2axy(n, x, xo, one, v, step1 - 1, v, x01 - 1)
            iv[IV_NFCALL] = iv[IV_NFCALL] + 1
            iv[1] = 1
            return
        elif lab == 190:
            rstrst = 3
            lab = 200
        elif lab == 200:
            x01 = iv[IV_X0]
            v[RELDX] = drldst(n, d, do, x, xo, v, x01 - 1)
            da7sst(iv, v)
            step1 = iv[IV_STEP]
            lstgst = iv[IV_STLSTG]
            i = iv[IV_RESTOR] + 1
            if i == 2:
                dv7cpy(n, x, xo, v, x01 - 1)  # 210
            elif i == 3:
                dv7cpy(n, v, lstgst - 1, v, step1 - 1)  # 220
            elif i == 4:
                dv7cpy(n, v, step1 - 1, v, lstgst - 1)  # 230
                dv2axy(n, x, xo, one, v, step1 - 1, v, x01 - 1)
                v[RELDX] = drldst(n, d, do, x, xo, v, x01 - 1)
                iv[IV_RESTOR] = rstrst
            k = iv[IV_IRC]  # 240
            if k in (1, 5):
                v[RADIUS] = v[RADFAC] * v[DSTNRM]  # 250
                lab = 110
            elif k in (2, 3, 4):
                lab = 280
            elif k == 6:
                v[RADIUS] = v[LMAXS]  # 260
                lab = 150
            elif 7 <= k <= 12:
                iv[IV_CNVCOD] = k - 4  # 270
                if v[F] >= v[F0]:
                    lab = 340
                elif iv[IV_XIRC] == 14:
                    lab = 340
                else:
                    iv[IV_XIRC] = 14
                    lab = 280
            elif k == 13:
                iv[1] = 64  # 330
                lab = 350
            elif k == 14:
                lab = 300
            else:  # a computed GO TO out of range falls through to 250
                v[RADIUS] = v[RADFAC] * v[DSTNRM]
                lab = 110
        elif lab == 280:
            if iv[IV_IRC] == 3:
                step1 = iv[IV_STEP]
                temp1 = iv[IV_STLSTG]
                L = iv[IV_LMAT]
                dl7tvm(n, v, temp1 - 1, v, L - 1, v, step1 - 1)
                dl7vml(n, v, temp1 - 1, v, L - 1, v, temp1 - 1)
            lab = 290
        elif lab == 290:
            iv[IV_NGCALL] = iv[IV_NGCALL] + 1
            iv[1] = 2
            return
        elif lab == 300:
            g01 = iv[IV_G0]
            dv2axy(n, v, g01 - 1, negone, v, g01 - 1, g, go)
            step1 = iv[IV_STEP]
            temp1 = iv[IV_STLSTG]
            if iv[IV_IRC] == 3:
                dv2axy(n, v, temp1 - 1, negone, v, g01 - 1, v, temp1 - 1)
                dv7vmp(n, v, temp1 - 1, v, temp1 - 1, d, do, -1)
                if (dv2nrm(n, v, temp1 - 1) <= v[DGNORM] * v[TUNER4]
                        or not dd7tpr(n, g, go, v, step1 - 1) >= v[GTSTEP] * v[TUNER5]):
                    v[RADFAC] = v[INCFAC]  # 310
            w = iv[IV_NWTSTP]  # 320
            z = iv[IV_X0]
            L = iv[IV_LMAT]
            dw7zbf(v, L - 1, n, v, step1 - 1, v, w - 1, v, g01 - 1, v, z - 1)
            dl7upd(v, temp1 - 1, v, step1 - 1, v, L - 1, v, g01 - 1, v, L - 1, n, v, w - 1, v, z - 1)
            iv[1] = 2
            lab = 80
        elif lab == 340:
            iv[1] = iv[IV_CNVCOD]
            iv[IV_CNVCOD] = 0
            lab = 350
        elif lab == 350:
            return  # DITSUM: no output
        else:  # pragma: no cover
            raise AssertionError(f"drmng: no label {lab}")


def drmnf(d: list, fx: float, iv: list, n: int, v: list, x: list) -> float:
    """DRMNF: DRMNG with DS7GRD's finite-difference gradients. d and x are 0-based lists; returns
    fx as DRMNF leaves it (the caller overwrites it with the next evaluation anyway)."""
    do = xo = -1
    iv1 = iv[1]
    if iv1 == 1:
        lab = 10
    elif iv1 == 2:
        lab = 50
    else:
        if iv[1] == 0:
            divset(iv, v)
        iv1 = iv[1]
        if iv1 in (12, 13):
            iv[IV_VNEED] = iv[IV_VNEED] + 2 * n + 6
        if iv1 == 14 or 2 < iv1 < 12:
            lab = 10
        else:
            g1 = 1
            if iv1 == 12:
                iv[1] = 13
            lab = 20
    while True:
        if lab == 10:
            g1 = iv[IV_G]
            lab = 20
        elif lab == 20:
            drmng(d, do, fx, v, g1 - 1, iv, n, v, x, xo)
            if iv[1] < 2:
                return fx
            if iv[1] > 2:
                lab = 70
                continue
            if iv[IV_NITER] == 0:
                dv7scp(n, v, g1 - 1, 0.0)
            j = iv[IV_LMAT]
            k = g1 - n
            for i in range(1, n + 1):
                v[k] = dd7tpr(i, v, j - 1, v, j - 1)
                k = k + 1
                j = j + i
            iv[IV_NGCALL] = iv[IV_NGCALL] - 1
            iv[IV_SGIRC] = 0
            fx = v[F]
            lab = 60
        elif lab == 50:
            if iv[IV_TOOBIG] != 0:
                lab = 10
                continue
            lab = 60
        elif lab == 60:
            g1 = iv[IV_G]
            alpha = g1 - n
            w = alpha - 6
            fx, iv[IV_SGIRC] = ds7grd(v, alpha - 1, d, do, v[ETA0], fx, v, g1 - 1, iv[IV_SGIRC], n,
                                      v, w - 1, x, xo)
            if iv[IV_SGIRC] == 0:
                lab = 10
                continue
            iv[IV_NGCALL] = iv[IV_NGCALL] + 1
            return fx
        elif lab == 70:
            if iv[1] != 14:
                return fx
            iv[IV_G] = iv[IV_NEXTV] + n + 6
            iv[IV_NEXTV] = iv[IV_G] + n
            if iv1 != 13:
                lab = 10
                continue
            return fx


@dataclass(frozen=True)
class Result:
    """As R's nlminb value: par, objective (v[F]), convergence (0 when iv[1] is 3-6), iterations,
    evaluations (function, gradient), message; and every point at which f was evaluated."""

    par: list[float]
    objective: float
    convergence: int
    iterations: int
    evaluations: tuple[int, int]
    message: str
    trace: list[tuple[list[float], float]]


def nlminb(start: Sequence[float], objective: Callable[[list[float]], float], scale: float | Sequence[float] = 1.0,
           **control: float) -> Result:
    """Minimise ``objective`` from ``start`` as R's ``nlminb(start, objective, scale=, control=)``
    without gradient or bounds (port.c's port_nlminb loop over DRMNF). control: eval_max, iter_max,
    abs_tol, rel_tol, x_tol, xf_tol, step_min, step_max, sing_tol, scale_init, diff_g. NaN values of
    the objective count as +Inf, as in R."""
    x = [float(s) for s in start]
    n = len(x)
    if n < 1:
        raise ValueError("'start' must be a nonempty numeric vector")
    d = [float(scale)] * n if isinstance(scale, (int, float)) else [float(s) for s in scale]
    if len(d) != n:
        raise ValueError("'scale' must have the length of 'start'")
    iv = [0] * (78 + 3 * n + 1)
    v = [0.0] * (130 + (n * (n + 27)) // 2 + 1)
    divset(iv, v)
    for name, value in control.items():
        if name not in CONTROL:
            raise ValueError(f"unknown nlminb control {name!r}")
        where, k = CONTROL[name]
        if where == "iv":
            iv[k] = int(value)
        else:
            v[k] = float(value)
    fx = math.inf
    trace: list[tuple[list[float], float]] = []
    while True:
        fx = drmnf(d, fx, iv, n, v, x)
        fx = float(objective(list(x)))
        if math.isnan(fx):
            fx = math.inf
        trace.append((list(x), fx))
        if iv[1] >= 3:
            break
    code = iv[1]
    return Result(par=x, objective=v[F], convergence=0 if 3 <= code <= 6 else 1, iterations=iv[IV_NITER],
                  evaluations=(iv[IV_NFCALL], iv[IV_NGCALL]),
                  message=MESSAGES.get(code, f"See PORT documentation.  Code ({code})"), trace=trace)
