"""Published versions of the review and what changed since the last one.

``state`` reduces one analysis' results to what a reviewer compares (numbers, TSA, certainty,
each trial's inputs); ``store`` reads results/ and the committed ``data/versions/versions.json``;
``compare`` and ``conclusions`` diff a published state with the current one; ``report`` writes
``changes.json`` and ``changes.md``; ``publish`` records a new version (and refuses a stale
results/); ``job`` is the workflow's entry point.
"""
