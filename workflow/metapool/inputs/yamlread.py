"""Reading a YAML input strictly: a key given twice, or a syntax error, names the file and line.

PyYAML (and Snakemake's config reader) keep the last of two equal keys without a word, so a
second ``iloprost_vs_placebo_28d:`` pasted under ``analyses:`` silently replaces the first.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from metapool.errors import InputError, Problem

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictLoader(_Base):
    """SafeLoader that refuses a mapping with a repeated key (its duplicates are collected)."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node.start_mark.line + 1)
            except TypeError:  # an unhashable key: PyYAML reports it itself
                continue
            if first != key_node.start_mark.line + 1:
                self.duplicates.append((key, first, key_node.start_mark.line + 1))
        return super().construct_mapping(node, deep=deep)


def load_yaml(path: str | Path):
    """The parsed file; InputError (file, line) on a syntax error or a key given twice in a mapping."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([Problem(file, None, None, "file not found")]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError([Problem(file, None, None, f"cannot be read: {e}")]) from None
    loader = StrictLoader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        what = getattr(e, "problem", None) or str(e)
        context = getattr(e, "context", None)
        at = f"line {line}: " if line else ""
        raise InputError([Problem(file, None, None, f"{at}not valid YAML: {what}"
                                  + (f" ({context})" if context else "")
                                  + "; check the indentation (spaces, not tabs) and the quotes")]) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise InputError([Problem(file, None, None, f"line {line}: key '{key}' is given twice (first on line {first}); the "
                                  "second would silently replace the first: rename or remove one")
                          for key, first, line in loader.duplicates])
    return data
