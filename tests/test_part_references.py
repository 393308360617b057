"""A part that builds on an earlier one ("the layer defined in (c)") declares it with
``refers_to``, and its LMS item and key entry then carry that part's text: an LMS shows a
part alone, and without it 7(d) could not be answered, nor its variants told apart."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from generator.bank.questions import BankError, Question, load_question
from generator.render.latex import PartText, question_texts

from .conftest import Q1, Q7, variant
from .test_key_faults import lms_text

# A reference to another part by its printed label, as the bank's texts write one: "(c)",
# "of (a)", not a function's argument such as $f(a)$.
REFERENCE = re.compile(r"(?<![\w$\\^_{}])\(([a-h])\)")


def test_7d_to_7f_in_an_lms_ask_with_the_layer_of_7c(bank):
    for seed in range(100):
        qv = variant(bank, Q7, seed, number=7)
        p = qv.params
        padding = "padding $0$" if p["padding"] == 0 else f"padding of ${p['padding']}$"
        layer = [rf"{p['height']} \times {p['width']} \times {p['channels']}",
                 rf"{p['kernel']} \times {p['kernel']}$ kernel", padding,
                 f"stride of ${p['stride']}$", f"${p['filters']}$ filters"]  # fmt: skip
        stem, texts = question_texts(qv)
        for key in ("d", "e", "f"):
            asked = " ".join(lms_text(stem, texts, key).split())
            assert "(c)" in asked and all(piece in asked for piece in layer), (seed, key, asked)
        assert not texts["c"].context  # (c) itself refers to nothing


def test_every_part_that_names_another_by_its_label_refers_to_it(bank):
    for question in bank.values():
        labels = [part.key for part in question.parts]
        for seed in range(3):
            _, texts = question_texts(variant(bank, question.id, seed))
            for leaf in question.leaves():
                own = texts[leaf.key].prompt
                named = {m for m in REFERENCE.findall(own) if m in labels and m != leaf.path[0]}
                assert named <= set(leaf.refers_to), (question.id, leaf.key, named)


def _q1_copy(bank, tmp_path: Path, old: str, new: str) -> Path:
    """Question 1 of the bank, copied with ``old`` replaced by ``new`` in its question.toml."""
    folder = tmp_path / "q1"
    shutil.copytree(bank[Q1].folder, folder)
    toml = folder / "question.toml"
    text = toml.read_text(encoding="utf-8")
    assert old in text
    toml.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def _texts(bank, folder: Path) -> tuple[Question, dict[str, PartText]]:
    """The copied question, loaded, and its parts' texts for one draw of Question 1."""
    question = load_question(folder)
    qv = variant(bank, Q1, 5)
    return question, question_texts(replace(qv, question=question))[1]


def test_a_sub_part_referring_to_its_sibling_gets_the_sibling_alone(bank, tmp_path):
    folder = _q1_copy(bank, tmp_path, '  label = "ii"\n', '  label = "ii"\n  refers_to = ["b.i"]\n')
    question, texts = _texts(bank, folder)
    sibling = texts["b.i"].prompt.removesuffix(r" \emph{(" + question.parts[1].parts[0].hint + ")}")
    parent = sibling.split("\n\n")[0]  # (b)'s own text, which (b)(ii)'s prompt holds already
    assert texts["b.ii"].context == "(b)(i) " + sibling.removeprefix(parent + "\n\n")
    assert parent in texts["b.ii"].prompt and parent not in texts["b.ii"].context


def test_a_part_with_sub_parts_refers_for_each_of_them(bank, tmp_path):
    folder = _q1_copy(bank, tmp_path, 'label = "b"\n', 'label = "b"\nrefers_to = ["a"]\n')
    question, texts = _texts(bank, folder)
    part_a = texts["a"].prompt.removesuffix(r" \emph{(" + question.parts[0].hint + ")}")
    for key in ("b.i", "b.ii"):
        assert texts[key].context == "(a) " + part_a
    assert not texts["c.i"].context


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ('label = "a"\n', 'label = "a"\nrefers_to = ["b"]\n', "which is not a part printed"),
        ('label = "d"\n', 'label = "d"\nrefers_to = ["z"]\n', "which is not a part printed"),
        ('  label = "ii"\n', '  label = "ii"\n  refers_to = ["b"]\n', "the part it belongs to"),
    ],
    ids=["later", "unknown", "parent"],
)
def test_a_reference_to_no_earlier_part_is_one_sentence(bank, tmp_path, old, new, said):
    folder = _q1_copy(bank, tmp_path, old, new)
    with pytest.raises(BankError, match=r"question\.toml, part \(\w\)(\(\w+\))?: refers_to names "
                       rf"'\w', {said}"):  # fmt: skip
        load_question(folder)


def test_a_part_listed_twice_is_refused(bank, tmp_path):
    folder = _q1_copy(bank, tmp_path, 'label = "d"\n', 'label = "d"\nrefers_to = ["a", "a"]\n')
    with pytest.raises(BankError, match=r"field 'refers_to' lists 'a' twice; list it once"):
        load_question(folder)


def test_refers_to_must_be_a_list_of_keys(bank, tmp_path):
    folder = _q1_copy(bank, tmp_path, 'label = "d"\n', 'label = "d"\nrefers_to = "c"\n')
    with pytest.raises(BankError, match=r"field 'refers_to' must be a list of part keys"):
        load_question(folder)
