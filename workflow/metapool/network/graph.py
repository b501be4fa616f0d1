"""The network's graph: which treatments the studies connect (union-find over study arms)."""

from __future__ import annotations


def components(treatments: list[str], studies: list[tuple[str, ...]]) -> list[list[str]]:
    """Connected components (each in treatment order; components ordered by their first
    treatment). studies: each study's treatments."""
    parent = {t: t for t in treatments}

    def find(t: str) -> str:
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    for arms in studies:
        for other in arms[1:]:
            a, b = find(arms[0]), find(other)
            if a != b:
                parent[b] = a
    groups: dict[str, list[str]] = {}
    for t in treatments:
        groups.setdefault(find(t), []).append(t)
    return list(groups.values())
