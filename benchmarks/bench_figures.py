"""Drawing cost per analysis and per figure, in one process (CPU time, so other load on the
machine counts less): the forest plot as SVG, 200-dpi PNG and PDF, and the four living-review
figures, the versions figure and the three risk-of-bias figures as SVG (the workflow's default
formats), for N synthetic k = 6 analyses like bench_workflow.py's. Not a test: it prints.

Usage: python benchmarks/bench_figures.py [N] [--profile]
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def analyses(n: int) -> list[tuple[dict, dict]]:
    from examples import synthetic_studies
    from metapool.engine.pool import pool_studies
    from metapool.living import run_living

    out = []
    for i in range(n):
        studies = synthetic_studies(6, seed=i, awkward=False)
        for s in studies:
            s["study"] = s["label"]
        pooled = pool_studies(studies)
        pooled.update(title=f"Synthetic analysis {i}", analysis=f"a{i:04d}")
        out.append((json.loads(json.dumps(pooled)), json.loads(json.dumps(run_living(studies)))))
    return out


def run(data) -> dict[str, float]:
    from metapool.plotting import canvas as cv
    from metapool.plotting.forest_plot import build_layout, render
    from metapool.plotting.living_figures import FIGURES
    from metapool.plotting.rob_figures import FIGURES as ROB_FIGURES
    from metapool.plotting.versions_plot import versions_figure
    from metapool.versions.state import analysis_state

    times: dict[str, float] = defaultdict(float)

    def lap(key: str, t0: float) -> float:
        now = time.process_time()
        times[key] += now - t0
        return now

    for pooled, sens in data:
        t0 = time.process_time()
        forest = render(build_layout(pooled, {}))
        t0 = lap("forest: layout", t0)
        cv.to_svg(forest)
        t0 = lap("forest: svg", t0)
        cv.to_png(forest)
        t0 = lap("forest: png (200 dpi)", t0)
        cv.to_pdf(forest)
        t0 = lap("forest: pdf", t0)
        for name, draw in FIGURES.items():
            cv.to_svg(draw(pooled, sens, {}))
            t0 = lap(f"{name}: layout + svg", t0)
        state = analysis_state(pooled, sens)
        cv.to_svg(versions_figure(pooled["analysis"], [], state))
        t0 = lap("versions: layout + svg", t0)
        for name, draw in ROB_FIGURES.items():
            cv.to_svg(draw(pooled, pooled["title"]))
            t0 = lap(f"{name}: layout + svg", t0)
    return times


def main(argv: list[str]) -> None:
    n = int(next((a for a in argv if a.isdigit()), 50))
    data = analyses(n)
    run(data[:1])  # warm caches (glyphs, font subsets) as a batch job does after its first analysis
    if "--profile" in argv:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        times = run(data)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    else:
        times = run(data)
    for key, value in times.items():
        print(f"{key:34s} {1000 * value / n:7.1f} ms")
    print(f"{'total per analysis':34s} {1000 * sum(times.values()) / n:7.1f} ms (CPU, N = {n})")


if __name__ == "__main__":
    main(sys.argv[1:])
