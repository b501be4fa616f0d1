"""The package's layers (docs/design.md), held by import-linter's contracts in pyproject.toml:
every package and top-level module of metapool is in a layer, `lint-imports` keeps the contracts
on the real package, and breaks them on a copy given one import against the layers."""

import pkgutil
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import metapool

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def layers() -> list[list[str]]:
    """The layers contract of pyproject.toml, top first; each layer a list of its modules."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    return [[m.strip().removeprefix("metapool.") for m in layer.split("|")] for layer in contract["layers"]]


def top_level() -> set[str]:
    """metapool's packages and top-level modules."""
    return {m.name for m in pkgutil.iter_modules(metapool.__path__)}


def lint(cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True)


def test_every_package_and_module_is_in_one_layer():
    named = [m for layer in layers() for m in layer]
    assert sorted(named) == sorted(set(named)), "a module in two layers"
    assert set(named) == top_level()


def test_design_md_has_a_row_for_every_package_in_the_contracts_order():
    """The layer table of docs/design.md lists the contract's modules, lowest layer first."""
    text = (ROOT / "docs" / "design.md").read_text()
    rows = re.findall(r"^\| (\d+) \| ([^|]+) \|", text, flags=re.M)
    table = {name.strip("` /").removesuffix(".py"): int(n) for n, cell in rows for name in cell.split(",")}
    expected = {m: len(layers()) - i for i, layer in enumerate(layers()) for m in layer}
    assert table == expected


def test_the_contracts_hold():
    out = lint(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def test_an_import_against_the_layers_breaks_the_contract(tmp_path):
    """The engine importing a figure module (a layer above it) on a copy of the package."""
    shutil.copytree(ROOT / "workflow" / "metapool", tmp_path / "metapool",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "metapool" / "engine" / "upward.py").write_text("from metapool.plotting import wording\n")
    out = lint(tmp_path, env={"PYTHONPATH": str(tmp_path), "PATH": ""})
    assert out.returncode != 0
    assert "metapool.engine.upward -> metapool.plotting.wording" in out.stdout
