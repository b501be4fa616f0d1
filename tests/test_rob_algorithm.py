"""RoB 2's overall algorithm over every combination of the five domain judgments (3^5 = 243)."""

from __future__ import annotations

import itertools

import pytest

from metapool.appraisal import rob2

COMBINATIONS = list(itertools.product(rob2.JUDGMENTS, repeat=5))


def expected_allowed(domains: tuple[str, ...]) -> set[str]:
    """The rule as the brief and Sterne et al. 2019 state it, written independently."""
    allowed = set()
    if all(d == "low" for d in domains):
        allowed.add("low")
    if "high" in domains or domains.count("some concerns") >= 2:
        allowed.add("high")
    if "some concerns" in domains and "high" not in domains:
        allowed.add("some concerns")
    return allowed


def test_there_are_243_combinations():
    assert len(COMBINATIONS) == 3 ** 5 == len(set(COMBINATIONS))


@pytest.mark.parametrize("domains", COMBINATIONS)
def test_overall_from_domains(domains):
    got = rob2.overall_from_domains(domains)
    if "high" in domains:
        assert got == "high"
    elif "some concerns" in domains:
        assert got == "some concerns"
    else:
        assert got == "low"
    assert rob2.is_consistent(domains, got)  # the algorithm's own proposal is always allowed


@pytest.mark.parametrize("domains", COMBINATIONS)
def test_is_consistent_for_every_overall(domains):
    for overall in rob2.JUDGMENTS:
        assert rob2.is_consistent(domains, overall) == (overall in expected_allowed(domains)), (domains, overall)
    assert set(rob2.allowed_overall(domains)) == expected_allowed(domains)
    assert not rob2.is_consistent(domains, "not assessed")


def test_high_with_some_concerns_needs_two_domains():
    one = ("some concerns", "low", "low", "low", "low")
    two = ("some concerns", "low", "some concerns", "low", "low")
    assert rob2.allowed_overall(one) == ("some concerns",)
    assert rob2.allowed_overall(two) == ("some concerns", "high")
    assert rob2.overall_from_domains(two) == "some concerns"  # high is a judgment, never proposed


@pytest.mark.parametrize("bad", [("low",) * 4, ("low",) * 6, ("low", "low", "low", "low", "unclear"),
                                 ("Low", "low", "low", "low", "low")])
def test_rejects_wrong_domains(bad):
    with pytest.raises(ValueError):
        rob2.overall_from_domains(bad)


def test_not_assessed_everywhere():
    assert rob2.judgments(None) == dict.fromkeys(("d1", "d2", "d3", "d4", "d5", "overall"), "not assessed")
    assert rob2.overall(None) == "not assessed"
    assert rob2.overall({"overall": "high"}) == "high"


def test_domain_names():
    assert rob2.DOMAIN_NAMES == {
        "d1": "Randomisation process", "d2": "Deviations from intended interventions",
        "d3": "Missing outcome data", "d4": "Measurement of the outcome",
        "d5": "Selection of the reported result"}
