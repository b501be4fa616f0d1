"""forestplot's global side effects (warnings filters, numpy errors, rcParams, pyplot figures)
are undone: after import and after drawing, the process is as it was."""

import os
import subprocess
from pathlib import Path

# the subprocess imports this checkout's metapool (workflow/), not an installed one
CODE_PATH = os.pathsep.join(str(Path(__file__).resolve().parents[i] / d)
                            for i, d in ((0, ""), (1, "workflow")))
import sys
import textwrap

from metapool.plotting.summary_forest import summary_frame, unique_labels

CHECK = textwrap.dedent("""
    import sys, warnings
    import numpy as np
    import matplotlib
    warnings.simplefilter("default")
    warnings.filterwarnings("error", category=DeprecationWarning)
    np.seterr(all="raise")
    matplotlib.rcParams["font.size"] = 11.5

    def state():
        return (list(warnings.filters), np.geterr(), dict(matplotlib.rcParams))

    # the engine (scipy) is imported first: it adds warnings filters of its own
    from examples import example_result
    from metapool.plotting.summary_forest import draw_summary
    from metapool.pipeline.summary_rows import summary_row
    rows = [summary_row(example_result(k, seed=k)) for k in (1, 4, 7)]

    before = state()
    assert "forestplot" not in sys.modules
    from metapool.plotting import forestplot_guard
    fp = forestplot_guard.load()
    assert "forestplot" in sys.modules and fp.forestplot
    after_import = state()

    draw_summary(rows, {"png": sys.argv[1]}, title="Guard check")
    after_draw = state()
    import matplotlib.pyplot as plt
    figures = plt.get_fignums()

    for name, got in (("import", after_import), ("draw", after_draw)):
        assert got[0] == before[0], (name, "warnings filters", got[0][:3])
        assert got[1] == before[1], (name, "numpy errors", got[1])
        changed = {k for k in before[2] if before[2][k] != got[2][k]}
        assert not changed, (name, "rcParams", changed)
    assert figures == [], figures
    print("ok")
""")


def test_import_and_draw_leave_global_state_unchanged(tmp_path):
    out = subprocess.run([sys.executable, "-c", CHECK, str(tmp_path / "s.png")],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": CODE_PATH})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
    assert (tmp_path / "s.png").stat().st_size > 0


def test_plain_forestplot_import_does_change_state():
    """The guard is needed: importing forestplot bare silences warnings and numpy errors."""
    code = ("import warnings, numpy as np; before = list(warnings.filters); np.seterr(all='raise'); "
            "import forestplot; assert warnings.filters != before; "
            "assert np.geterr()['divide'] == 'ignore'; print('changed')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "changed", out.stderr


def test_labels_made_unique():
    labels = unique_labels(["A", "B", "A", "A", "A"], ["d28", "d28", "d90", "d90", "d28"])
    assert labels == ["A", "B", "A [d90]", "A [d90] (2)", "A [d28]"]
    assert len(set(labels)) == len(labels)


def test_summary_frame_groups_rows_by_outcome_and_timepoint():
    rows = [{"title": "X", "outcome": "all-cause mortality", "timepoint_days": d, "k": k, "I2": i2,
             "measure": "RR", "effect": est, "effect_ci_lb": lo, "effect_ci_ub": hi,
             "effect_pi_lb": pl, "effect_pi_ub": ph}
            for d, k, i2, est, lo, hi, pl, ph in [
                (90, 3, 12.3, 0.9, 0.7, 1.2, 0.5, 1.6),
                (28, 1, None, 1.1, 0.8, 1.5, None, None),
                (90, 0, None, None, None, None, None, None)]]
    frame, order = summary_frame(rows)
    assert order == ["All-cause mortality, day 90", "All-cause mortality, day 28"]
    assert list(frame["label"]) == ["X", "X [All-cause mortality, day 90]",
                                    "X [All-cause mortality, day 28]"]
    assert list(frame["effect_ci"]) == ["0.90 [0.70, 1.20]", "no poolable study", "1.10 [0.80, 1.50]"]
    assert list(frame["pi"]) == ["[0.50, 1.60]", "", ""]
    assert list(frame["i2"]) == ["12%", "", ""]


def test_summary_rows_need_their_keys():
    import pytest

    with pytest.raises(ValueError, match="lacks effect, effect_ci_lb, effect_ci_ub"):
        summary_frame([{"title": "X", "k": 2, "est": 1.0, "ci_lb": 0.5, "ci_ub": 2.0}])
