"""Keyed seeding: a question's numbers depend on (secret, seed, id, variant), never on its
position; the codes printed on the pages are HMACs that only the secret can make or check."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pytest

from generator.bank.blueprints import load_blueprint
from generator.variants.assemble import build_exam
from generator.variants.seeding import PUBLIC, Secret, Seeding

from .conftest import Q1, Q7, write_blueprint

SECRET = Secret(bytes(range(32)))
OTHER = Secret(bytes(range(1, 33)))


def params_by_id(exam):
    return {qv.question.id: qv.params for qv in exam.variants[0].questions}


@pytest.mark.parametrize("seed", [0, 42, 43, 2026])
def test_adding_removing_reordering_questions_keeps_numbers(tmp_path, bank, seed):
    layouts = {"both": [Q1, Q7], "reversed": [Q7, Q1], "q7": [Q7], "q1": [Q1]}
    exams = {
        name: build_exam(
            load_blueprint(str(write_blueprint(tmp_path / f"{name}.toml", ids)), bank),
            bank,
            Seeding(seed, SECRET),
        )
        for name, ids in layouts.items()
    }
    q1 = {name: params_by_id(e).get(Q1) for name, e in exams.items()}
    q7 = {name: params_by_id(e).get(Q7) for name, e in exams.items()}
    assert q1["both"] == q1["reversed"] == q1["q1"]
    assert q7["both"] == q7["reversed"] == q7["q7"]
    reversed_numbers = {qv.question.id: qv.number for qv in exams["reversed"].variants[0].questions}
    assert reversed_numbers == {Q7: 1, Q1: 2}


def test_streams_differ_by_secret_seed_question_variant_and_purpose():
    def draw(secret, seed, *args):
        return tuple(Seeding(seed, secret).rng(*args).integers(0, 2**32, size=4))

    base = draw(SECRET, 42, Q1, "a", "params")
    assert draw(SECRET, 42, Q1, "a", "params") == base
    assert draw(OTHER, 42, Q1, "a", "params") != base
    assert draw(PUBLIC, 42, Q1, "a", "params") != base
    assert draw(SECRET, 43, Q1, "a", "params") != base
    assert draw(SECRET, 42, Q7, "a", "params") != base
    assert draw(SECRET, 42, Q1, "b", "params") != base
    assert draw(SECRET, 42, Q1, "a", "checks") != base


def test_a_stream_is_seeded_by_the_hmac_of_its_context():
    """The generator's entropy is HMAC-SHA256(secret, context), recomputed here with the
    standard library: nothing weaker than the HMAC stands between a page and the secret."""
    context = "\x1f".join(["stream", "42", "abc", Q1, "params"]).encode()
    digest = hmac.new(SECRET.key, context, hashlib.sha256).digest()
    words = [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 32, 4)]
    expected = np.random.default_rng(words).integers(0, 2**63, size=8)
    actual = Seeding(42, SECRET).rng(Q1, "abc").integers(0, 2**63, size=8)
    assert expected.tolist() == actual.tolist()


def test_seed_43_changes_the_numbers_of_both_questions(bank, blueprint):
    a = params_by_id(build_exam(blueprint, bank, Seeding(42, SECRET)))
    b = params_by_id(build_exam(blueprint, bank, Seeding(43, SECRET)))
    assert a[Q1] != b[Q1]
    assert a[Q7] != b[Q7]


def test_another_secret_gives_other_numbers_for_the_same_seed(bank, blueprint):
    a = params_by_id(build_exam(blueprint, bank, Seeding(42, SECRET)))
    b = params_by_id(build_exam(blueprint, bank, Seeding(42, OTHER)))
    assert a[Q1] != b[Q1] and a[Q7] != b[Q7]


@pytest.mark.parametrize("seed", [-1, 2**64])
def test_seeds_outside_0_to_2_64_are_refused(seed):
    with pytest.raises(ValueError):
        Seeding(seed, SECRET)


def test_codes_check_under_their_own_secret_only():
    seeding = Seeding(42, SECRET)
    codes = [seeding.copy_code(k) for k in range(200)]
    codes += [seeding.student_code(f"s{k}") for k in range(200)]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == 12 and int(c, 16) >= 0 for c in codes)
    assert all(seeding.is_code(c) for c in codes)
    assert all(Seeding(7, SECRET).is_code(c) for c in codes)  # the check needs no seed
    # under another secret only about 1 in 256 codes pass the two check digits
    assert sum(Seeding(42, OTHER).is_code(c) for c in codes) < 12


def test_a_mistyped_code_fails_its_check():
    code = Seeding(42, SECRET).student_code("s1")
    typos = {code[:i] + d + code[i + 1 :] for i in range(12) for d in "0123456789abcdef"} - {code}
    caught = sum(not Seeding(42, SECRET).is_code(t) for t in typos)
    assert caught / len(typos) > 0.97  # every typo in the two check digits, most others
    assert not Seeding(42, SECRET).is_code(code.upper()[:-1])
    assert not Seeding(42, SECRET).is_code("v3")


def test_the_secret_never_shows_in_its_repr():
    assert SECRET.key.hex() not in repr(SECRET) and SECRET.key.hex() not in repr(Seeding(1, SECRET))
