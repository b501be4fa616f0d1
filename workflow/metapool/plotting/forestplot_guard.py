"""Using the `forestplot` package (LSYS/forestplot 0.4.1) without its global side effects.

Importing forestplot runs `warnings.filterwarnings("ignore")` (every warning of the process
silenced), `np.seterr(all="ignore")`, and rewrites rcParams["font.monospace"]; while drawing
it asks pyplot for the current figure (`plt.gcf()`, which would create a pyplot-managed
figure) and triggers matplotlib's "set_ticklabels() should only be used with a fixed number
of ticks" UserWarning. `load()` imports it with warnings filters, numpy error handling and
rcParams saved and restored; `drawing(fig)` does the same around a call and points
`plt.gcf` at our own figure for its duration.
"""

from __future__ import annotations

import contextlib
import warnings
from types import ModuleType

import matplotlib
import numpy as np

# Known warning forestplot triggers inside matplotlib (categorical y tick labels).
KNOWN_WARNING = r"set_ticklabels\(\) should only be used with a fixed number of ticks"


@contextlib.contextmanager
def preserved_globals():
    """Restore warnings filters, numpy error handling and rcParams on exit."""
    with warnings.catch_warnings(), np.errstate(), matplotlib.rc_context():
        yield


def load() -> ModuleType:
    """The forestplot module, imported with the process's global state left as it was."""
    with preserved_globals():
        import forestplot
    return forestplot


@contextlib.contextmanager
def drawing(fig):
    """Context for forestplot calls drawing on `fig` (an object-API Figure)."""
    with preserved_globals():
        import matplotlib.pyplot as plt

        warnings.filterwarnings("ignore", message=KNOWN_WARNING, category=UserWarning)
        saved_gcf = plt.gcf
        plt.gcf = lambda: fig
        try:
            yield
        finally:
            plt.gcf = saved_gcf
