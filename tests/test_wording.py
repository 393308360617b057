"""Randomized wording reads right: no grammar broken by a drawn word, in any variant."""

from __future__ import annotations

import re

import pytest

from generator.check.stress import printed_text

from .conftest import Q2, Q3, SEED_EXAM, SEEDS, replica, variant

# "a avocado", "a apple": the article written for one word, printed before another.
A_BEFORE_VOWEL = re.compile(r"\ba\s+(?:\\VAR\{)?([aeio][a-z]+)", re.I)
# "15 unique types of fault types": a counted noun that already says "types".
TYPES_OF_TYPES = re.compile(r"types of [\w ]*?\b(types|species|breeds|kinds)\b")


@pytest.mark.parametrize("qid", SEED_EXAM)
def test_no_drawn_word_breaks_the_grammar(bank, qid):
    for seed in SEEDS:
        text = " ".join(printed_text(variant(bank, qid, seed)).split())
        assert not A_BEFORE_VOWEL.search(text), (seed, A_BEFORE_VOWEL.search(text)[0])
        assert not TYPES_OF_TYPES.search(text), (seed, TYPES_OF_TYPES.search(text)[0])


def test_the_patterns_catch_what_they_are_for():
    assert A_BEFORE_VOWEL.search("care about a avocado's level")
    assert not A_BEFORE_VOWEL.search("care about an avocado's level, a unique one")
    assert TYPES_OF_TYPES.search("15 unique types of fault types")
    assert TYPES_OF_TYPES.search("12 unique types of bird species")
    assert not TYPES_OF_TYPES.search("50 unique types of instruments")


def test_the_scenarios_name_their_own_article_and_count(bank):
    """Every fruit is written with its article (an avocado), and the original exam's
    wording stays: "There are 50 unique types of instruments"."""
    fruits = {variant(bank, Q2, seed).params["scenario"]["id"] for seed in SEEDS}
    assert "avocado" in fruits  # the seeds reach the vowel case
    assert "There are\n50 unique types of instruments" in printed_text(replica(bank, Q3))


def test_the_dataset_of_2d_holds_both_classes(bank):
    """With one class only, one of the two terms of the loss is never tested."""
    for seed in SEEDS:
        labels = variant(bank, Q2, seed).params["labels_d"]
        assert 0 < sum(labels) < len(labels), (seed, labels)
