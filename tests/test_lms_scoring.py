"""Each LMS export scores a part as its rubric's one declaration says, wherever
lms/scoring.py says the format can, and says so where it cannot.

For every part of the CS230 seed-42 exam and of a three-copy dl-core quiz, and patterns of
right and wrong items (all right, all wrong, each item wrong alone, each scoring group
wrong, every pattern of a select-all part's statements or of up to 4 items), the share
the grader gives (``generator.kinds.scoring.share``) is set against the share the
exported file gives a response with that pattern.  The response is made from the key
(its values, or values far off; each statement decided right or wrong), and the file's
own answers, tolerances, weights, fractions and response processing are applied to it
here, by small evaluators of each LMS's scoring written apart from the exporters:
Moodle's cloze blanks (weight times fraction), multichoice fractions (kept between 0 and
1) and matching (an equal share a pair); Canvas's question types, which score each
blank, dropdown or pair equally whatever the file's scores; a QTI 2.1 interpreter of the
expressions the items use; Blackboard's NUM and MC rows.  Where lms/scoring.py says
``exact`` they agree on every pattern; where it says ``forced``, scoring-notes.txt names
the part under the format and some pattern tells the two apart (or the file carries no
scoring at all, Blackboard); ``by hand`` items are essays.  Every item carries, where its
format has a place for it, the grading notes the solutions print (``scoring.notes``).
"""

from __future__ import annotations

import html
import itertools
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner
from lxml import etree

from generator.cli import cli
from generator.key.read import read_key
from generator.key.records import PartInfo
from generator.kinds import KINDS
from generator.kinds import scoring as rubric
from generator.lms import drawing, scoring
from generator.lms.html import to_html
from generator.lms.items import Item, slots

from .conftest import one_choice_matching
from .test_lms import parsed_gift

DOCS = Path(__file__).resolve().parents[1] / "docs" / "lms-scoring.md"
CANVAS = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
QTI = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
CLOZE_BLANK = re.compile(r"\{(\d*):(NUMERICAL|MULTICHOICE|MULTICHOICE_V):([^}]*)\}")
MANUAL, UNSCORED = "a person scores it", "the file carries no scoring"
Marks = dict[str, bool]
Scorer = Callable[[Marks], float] | str  # a share for each pattern, or MANUAL / UNSCORED
RUNS = {
    "cs230 seed 42": ["--seed", "42"],
    "dl-core 3 copies": ["--seed", "42", "--blueprint", "dl-core-quiz", "--variants", "3"],
}
COUNTS: Counter[str] = Counter()


@pytest.fixture(scope="module", params=sorted(RUNS))
def run(request, tmp_path_factory) -> tuple[Path, list[Item]]:
    """A public run exported to every LMS format, and its items (one per part and copy),
    each labelled as its slot (its pool in the LMS) is: 3(a), or dl-core/conv2d (a) where
    copies print the question under different numbers."""
    out = tmp_path_factory.mktemp("lms-scoring")
    args = [*RUNS[request.param], "--public", "--no-pdf", "--lms", "all", "--out", str(out)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    assert "Parts an LMS scores otherwise than their rubric" in result.output
    key = read_key(folder / "key.json")
    return folder, [replace(item, label=slot.label) for slot in slots(key) for item in slot.items]


# ------------------------------------------------------------------ the grader's side


def names(part: PartInfo) -> list[str]:
    """The part's items as the key names them: a vector's entries (by name, else 1, 2,
    ...), a select-all part's statements, a matching part's items, else the one answer."""
    if part.kind in ("vector", "shape"):
        count = len(part.answer)
        return list(part.names) if len(part.names) == count else [str(i + 1) for i in range(count)]
    if part.kind == "multi":
        return [o.label for o in part.options]
    if part.kind == "matching":
        return list(part.answer)
    return ["answer"]


def patterns(part: PartInfo) -> Iterator[Marks]:
    """All right, all wrong, each item wrong alone, each group wrong, and every pattern of
    a select-all part or of up to 4 items."""
    items = names(part)
    seen = set()
    candidates = [dict.fromkeys(items, True), dict.fromkeys(items, False)]
    candidates += [{i: i != wrong for i in items} for wrong in items]
    candidates += [{i: i not in g.of for i in items} for g in part.scoring.groups or ()]
    if part.kind == "multi" or len(items) <= 4:
        candidates += [dict(zip(items, bits, strict=True))
                       for bits in itertools.product((True, False), repeat=len(items))]  # fmt: skip
    for marks in candidates:
        if tuple(marks.values()) not in seen:
            seen.add(tuple(marks.values()))
            yield marks


def graded(part: PartInfo, marks: Marks) -> float:
    return rubric.share(part.scoring, part.points, marks)


def far(value: float) -> float:
    """A value no tolerance of the key's accepts for ``value``."""
    return value + 10 * (abs(value) + 1)


def plain(value: float) -> str:
    return format(Decimal(str(value)).normalize(), "f")


def ticked(part: PartInfo, marks: Marks) -> list[bool]:
    """The statements a response ticks: a true one decided right, a false one decided wrong."""
    return [marks[o.label] == o.correct for o in part.options]


def fingerprint(text: str) -> str:
    """Letters and digits of a text, its tags dropped and entities read."""
    text = html.unescape(re.sub(r"<[^>]*>", " ", text))
    return "".join(ch for ch in text.lower() if ch.isalnum())


# ------------------------------------------------------------------ Moodle XML


WRITTEN = ("expression", "text", "code")  # Moodle has no question for them: an essay seat


def moodle(folder: Path) -> Callable[[Item], tuple[Scorer, str]]:
    """moodle.xml draws questions whole: a part's blanks are its slice of its question's
    cloze (after the blanks of the auto-graded parts before it), and the points it gets
    are its blanks' weighted fractions over their weights (the quiz sets the question's
    mark to its auto-graded parts' points, so each part keeps its own share); a written
    part is the essay named by its label."""
    find = moodle_blanks(folder)

    def scorer(item: Item) -> tuple[Scorer, str]:
        blanks, feedback = find(item)
        return (MANUAL if blanks is None else _moodle_blanks(item.part, blanks)), feedback

    return scorer


Blanks = list[tuple[str, str, str]]  # (weight, type, answers) of each cloze blank


def moodle_blanks(folder: Path) -> Callable[[Item], tuple[Blanks | None, str]]:
    """An item's blanks in moodle.xml (None: an essay seat) and the grading notes there."""
    root = etree.parse(str(folder / "lms" / "moodle.xml")).getroot()
    questions = {q.findtext("name/text"): q for q in root if q.get("type") != "category"}
    key = read_key(folder / "key.json")
    drawn = {((q.source or v.variant), q.id): q for v in key.variants for q in v.questions}

    def find(item: Item) -> tuple[Blanks | None, str]:
        question = drawn[item.variant, item.question]
        cloze = questions[f"{question.number} {item.variant}"]
        feedback = cloze.findtext("generalfeedback/text") or ""
        if _written(item.part):
            essay = questions[item.part.label]  # every copy prints the question alike
            return None, feedback + (essay.findtext("graderinfo/text") or "")
        before = itertools.takewhile(lambda p: p.label != item.part.label, question.parts)
        start = sum(_blank_count(p) for p in before if not _written(p))
        blanks = CLOZE_BLANK.findall(cloze.findtext("questiontext/text"))
        return blanks[start : start + _blank_count(item.part)], feedback

    return find


def _written(part: PartInfo) -> bool:
    return part.kind in WRITTEN or part.scoring.person == "always"


def _blank_count(part: PartInfo) -> int:
    if part.kind in ("integer", "number", "choice") or one_choice_matching(part):
        return 1
    return len(part.options if part.kind == "multi" else part.answer)


def _moodle_blanks(part: PartInfo, blanks: list[tuple[str, str, str]]) -> Scorer:
    """Moodle's cloze over a part's blanks: each blank's weight times the fraction its
    answer earns, over the weights' sum (qtype_multianswer): a number the best fraction
    of the alternatives within their tolerance, an option or a statement's verdict its
    alternative's, a matched item the option a response gives it."""

    def answer(n: int, item: str, marks: Marks) -> str:
        if part.kind in ("integer", "number"):
            return plain(part.answer if marks["answer"] else far(part.answer))
        if part.kind in ("vector", "shape"):
            return plain(part.answer[n] if marks[item] else far(part.answer[n]))
        if part.kind == "multi":
            return "True" if ticked(part, marks)[n] else "False"
        if part.kind == "choice":
            return _option_text(part.options[_picked(part, marks)].text)
        right = part.answer[item]  # matching: the key's option, or another of the file's
        options = [o.text for o in part.options or ()] or sorted(set(part.answer.values()))
        return _option_text(right if marks[item] else next(o for o in options if o != right))

    if one_choice_matching(part):  # one choice of the ways to match: all, or another way
        ((_, _, body),) = blanks
        ways = [html.unescape(a.lstrip("=")) for a in body.split("~")]
        key = "; ".join(f"{k} \u2192 {v}" for k, v in part.answer.items())
        other = next(way for way in ways if way != key)
        return lambda marks: _alternative(body, key if all(marks.values()) else other)

    def share(marks: Marks) -> float:
        earned = total = 0.0
        for n, (item, (weight, kind, body)) in enumerate(zip(names(part), blanks, strict=True)):
            total += int(weight)
            given = answer(n, item, marks)
            if kind == "NUMERICAL":
                earned += int(weight) * _numerical(body, float(given))
            else:
                earned += int(weight) * _alternative(body, given)
        return earned / total

    assert len(blanks) == len(names(part))
    return share


def _option_text(latex: str) -> str:
    """An option as a cloze alternative reads once Moodle has decoded it: its HTML."""
    return to_html(latex).strip().removeprefix("<p>").removesuffix("</p>")


def _numerical(body: str, given: float) -> float:
    """A NUMERICAL blank's fraction for ``given``: the best of its answers within tolerance."""
    best = 0.0
    for alternative in body.split("~"):
        found = re.fullmatch(r"(=|%(-?[\d.]+)%)([^:]*):(.*)", alternative)
        value, tolerance = float(found.group(3)), float(found.group(4))
        if abs(given - value) <= tolerance + 1e-12:
            best = max(best, 1.0 if found.group(1) == "=" else float(found.group(2)) / 100)
    return best


def _pairs(part: PartInfo, pairs: list[tuple[str, str]]) -> Scorer:
    """Moodle's matching: each pair answered as the file says earns an equal share; a
    response answers an item as the key does, or with another of the file's answers."""
    answers = sorted({answer for _, answer in pairs})

    def share(marks: Marks) -> float:
        right = 0
        for item, (left, answer) in zip(names(part), pairs, strict=True):
            assert fingerprint(left) == fingerprint(item)
            key = part.answer[item]
            right += (key if marks[item] else next(a for a in answers if a != key)) == answer
        return right / len(pairs)

    return share


def _alternative(body: str, answer: str) -> float:
    """The fraction a MULTICHOICE blank's alternatives give ``answer`` (each as Moodle's
    importer stores it: its entities read once)."""
    for alternative in body.split("~"):
        found = re.fullmatch(r"(=|%(-?[\d.]+)%)?(.*)", alternative, re.S)
        if html.unescape(found.group(3)) == answer:
            return 1.0 if found.group(1) == "=" else float(found.group(2) or 0) / 100
    return 0.0


# ------------------------------------------------------------------ GIFT


def gift(folder: Path) -> Callable[[Item], tuple[Scorer, str]]:
    questions = {q["title"]: q for q in parsed_gift(folder) if q["type"] != "Category"}

    def scorer(item: Item) -> tuple[Scorer, str]:
        question = questions[item.title]
        feedback = (question.get("globalFeedback") or {}).get("text") or ""
        return GIFT[question["type"]](question, item.part), feedback

    return scorer


def _gift_numerical(question: dict, part: PartInfo) -> Scorer:
    choices = question["choices"]  # several answers: the key's is the one at 100 %
    whole = (
        choices
        if isinstance(choices, dict)
        else next(c["text"] for c in choices if c["weight"] is None)
    )
    value, tolerance = whole["number"], whole["range"]
    return lambda marks: float(
        abs((part.answer if marks["answer"] else far(part.answer)) - value) <= tolerance + 1e-12
    )


def _gift_choice(question: dict, part: PartInfo) -> Scorer:
    """One right option (``=``), or Moodle's select-all: the ticked options' weights added,
    kept between 0 and 1 (qtype_multichoice)."""
    choices = question["choices"]
    if part.kind == "choice":
        return lambda marks: float(choices[_picked(part, marks)]["isCorrect"])
    weights = [(c["weight"] or 0) / 100 for c in choices]

    def share(marks: Marks) -> float:
        total = sum(w for w, tick in zip(weights, ticked(part, marks), strict=True) if tick)
        return min(max(total, 0.0), 1.0)

    return share


def _picked(part: PartInfo, marks: Marks) -> int:
    """The option a response picks: the key's right one, or the first other."""
    right = [o.correct for o in part.options].index(True)
    return right if marks["answer"] else next(i for i in range(len(part.options)) if i != right)


def _gift_matching(question: dict, part: PartInfo) -> Scorer:
    return _pairs(part, [(p["subquestion"]["text"], p["subanswer"])
                         for p in question["matchPairs"]])  # fmt: skip


GIFT = {"Numerical": _gift_numerical, "MC": _gift_choice, "Matching": _gift_matching,
        "Essay": lambda question, part: MANUAL}  # fmt: skip


# ------------------------------------------------------------------ Canvas QTI 1.2


def canvas(folder: Path) -> Callable[[Item], tuple[Scorer, str]]:
    with zipfile.ZipFile(folder / "lms" / "canvas-qti12.zip") as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".xml") and "/" in n
                   and not n.endswith("assessment_meta.xml")]  # fmt: skip
        root = etree.fromstring(archive.read(name))
    items = {i.get("title"): i for i in root.iter(f"{CANVAS}item")}

    def scorer(item: Item) -> tuple[Scorer, str]:
        element = items[item.title]
        fields = element.iter(f"{CANVAS}qtimetadatafield")
        kind = next(f.findtext(f"{CANVAS}fieldentry") for f in fields
                    if f.findtext(f"{CANVAS}fieldlabel") == "question_type")  # fmt: skip
        feedback = "".join(m.text or "" for m in element.iterfind(
            f"{CANVAS}itemfeedback[@ident='general_fb']//{CANVAS}mattext"))  # fmt: skip
        return CANVAS_TYPES[kind](element, item.part), feedback

    return scorer


def _right_idents(element, respident: str) -> set[str]:
    """The answers a respcondition credits for one response (its varequal tests)."""
    return {v.text for v in element.iter(f"{CANVAS}varequal") if v.get("respident") == respident}


def _canvas_numerical(element, part: PartInfo) -> Scorer:
    exact = float(element.findtext(f".//{CANVAS}varequal"))
    low = float(element.findtext(f".//{CANVAS}vargte"))
    high = float(element.findtext(f".//{CANVAS}varlte"))

    def share(marks: Marks) -> float:
        given = part.answer if marks["answer"] else far(part.answer)
        return float(given == exact or low <= given <= high)

    return share


def _canvas_choice(element, part: PartInfo) -> Scorer:
    labels = [lab.get("ident") for lab in element.iter(f"{CANVAS}response_label")]
    credited = _right_idents(element, "response1")
    return lambda marks: float(labels[_picked(part, marks)] in credited)


def _canvas_blanks(element, part: PartInfo) -> Scorer:
    """Fill in multiple blanks: Canvas gives each blank whose text is one it accepts an
    equal share."""
    blanks = list(element.iter(f"{CANVAS}response_lid"))

    def share(marks: Marks) -> float:
        right = 0
        for n, (item, blank) in enumerate(zip(names(part), blanks, strict=True)):
            credited = _right_idents(element, blank.get("ident"))
            accepted = {lab.findtext(f".//{CANVAS}mattext")
                        for lab in blank.iter(f"{CANVAS}response_label")
                        if lab.get("ident") in credited}  # fmt: skip
            key = part.answer[n]
            right += plain(key if marks[item] else far(key)) in accepted
        return right / len(blanks)

    return share


def _canvas_dropdowns(element, part: PartInfo) -> Scorer:
    """Multiple dropdowns: each dropdown answered with the answer Canvas credits earns an
    equal share; a response picks True where it ticks the statement."""
    dropdowns = list(element.iter(f"{CANVAS}response_lid"))

    def share(marks: Marks) -> float:
        right = 0
        for tick, dropdown in zip(ticked(part, marks), dropdowns, strict=True):
            said = "True" if tick else "False"
            chosen = next(lab.get("ident") for lab in dropdown.iter(f"{CANVAS}response_label")
                          if lab.findtext(f".//{CANVAS}mattext") == said)  # fmt: skip
            right += chosen in _right_idents(element, dropdown.get("ident"))
        return right / len(dropdowns)

    return share


def _canvas_matching(element, part: PartInfo) -> Scorer:
    lefts = list(element.iter(f"{CANVAS}response_lid"))

    def share(marks: Marks) -> float:
        right = 0
        for item, left in zip(names(part), lefts, strict=True):
            assert fingerprint(left.findtext(f"{CANVAS}material/{CANVAS}mattext")) == fingerprint(
                item
            )
            credited = _right_idents(element, left.get("ident"))
            labels = [lab.get("ident") for lab in left.iter(f"{CANVAS}response_label")]
            chosen = (
                next(iter(credited))
                if marks[item]
                else next(i for i in labels if i not in credited)
            )
            right += chosen in credited
        return right / len(lefts)

    return share


CANVAS_TYPES = {"numerical_question": _canvas_numerical, "multiple_choice_question": _canvas_choice,
                "fill_in_multiple_blanks_question": _canvas_blanks,
                "multiple_dropdowns_question": _canvas_dropdowns,
                "matching_question": _canvas_matching,
                "essay_question": lambda element, part: MANUAL}  # fmt: skip


# ------------------------------------------------------------------ QTI 2.1


def qti21(folder: Path) -> Callable[[Item], tuple[Scorer, str]]:
    with zipfile.ZipFile(folder / "lms" / "qti21.zip") as archive:
        elements = [etree.fromstring(archive.read(n)) for n in archive.namelist()
                    if n.startswith("items/")]  # fmt: skip
    items = {e.get("title"): e for e in elements}

    def scorer(item: Item) -> tuple[Scorer, str]:
        element = items[item.title]
        rubric_block = element.find(f".//{QTI}rubricBlock[@view='scorer']")
        feedback = (
            etree.tostring(rubric_block, encoding="unicode") if rubric_block is not None else ""
        )
        if element.find(f".//{QTI}extendedTextInteraction") is not None:
            return MANUAL, feedback
        return (
            lambda marks: qti_share(element, qti_responses(element, item.part, marks))
        ), feedback

    return scorer


def qti_responses(element, part: PartInfo, marks: Marks) -> dict[str, object]:
    """A response with the pattern ``marks``, as the item's interactions take it."""
    entries = list(element.iter(f"{QTI}textEntryInteraction"))
    if entries:
        values = part.answer if isinstance(part.answer, list) else [part.answer]
        return {e.get("responseIdentifier"): value if marks[item] else far(value)
                for e, item, value in zip(entries, names(part), values, strict=True)}  # fmt: skip
    correct = [v.text for v in element.iterfind(f".//{QTI}correctResponse/{QTI}value")]
    choice = element.find(f".//{QTI}choiceInteraction")
    if choice is not None:
        ids = [c.get("identifier") for c in choice.iter(f"{QTI}simpleChoice")]
        if choice.get("maxChoices") == "1":
            return {"RESPONSE": ids[_picked(part, marks)]}
        chosen = {i for i, tick in zip(ids, ticked(part, marks), strict=True) if tick}
        return {"RESPONSE": frozenset(chosen) or None}
    rights = [c.get("identifier") for c in element.findall(f".//{QTI}simpleMatchSet")[1]]
    pairs = set()
    for item, pair in zip(names(part), correct, strict=True):
        left, right = pair.split()
        pairs.add(pair if marks[item] else f"{left} {next(r for r in rights if r != right)}")
    return {"RESPONSE": frozenset(pairs)}


def qti_share(element, responses: dict[str, object]) -> float:
    """SCORE / MAXSCORE after the item's responseProcessing, run by a small interpreter of
    the QTI 2.1 rules and expressions it uses (NULL as None, a container as a frozenset)."""
    outcomes = {}
    for declaration in element.iter(f"{QTI}outcomeDeclaration"):
        value = declaration.findtext(f"{QTI}defaultValue/{QTI}value")
        outcomes[declaration.get("identifier")] = _typed(declaration.get("baseType"), value)
    correct = {}
    for declaration in element.iter(f"{QTI}responseDeclaration"):
        values = [_typed(declaration.get("baseType"), v.text)
                  for v in declaration.iterfind(f"{QTI}correctResponse/{QTI}value")]  # fmt: skip
        single = declaration.get("cardinality") == "single"
        correct[declaration.get("identifier")] = values[0] if single else frozenset(values)
    state = {"outcomes": outcomes, "responses": responses, "correct": correct}
    _rules(element.find(f"{QTI}responseProcessing"), state)
    return outcomes["SCORE"] / outcomes["MAXSCORE"]


def _typed(base: str, text: str) -> object:
    return {"float": float, "integer": int}.get(base, str)(text)


def _rules(parent, state: dict) -> None:
    for rule in parent:
        tag = etree.QName(rule).localname
        if tag == "setOutcomeValue":
            state["outcomes"][rule.get("identifier")] = _value(rule[0], state)
        elif tag == "responseCondition":
            for branch in rule:
                kind = etree.QName(branch).localname
                if kind == "responseElse" or _value(branch[0], state) is True:
                    _rules(branch if kind == "responseElse" else branch[1:], state)
                    break
        else:
            raise AssertionError(f"a rule the interpreter does not know: {tag}")


def _value(node, state: dict) -> object:
    tag = etree.QName(node).localname
    args = [_value(child, state) for child in node]
    if tag == "variable":
        name = node.get("identifier")
        return state["responses"].get(name) if name in state["correct"] else state["outcomes"][name]
    if tag == "correct":
        return state["correct"][node.get("identifier")]
    if tag == "baseValue":
        return _typed(node.get("baseType"), node.text)
    if tag == "isNull":
        return args[0] is None
    if tag == "and":
        return False if False in args else None if None in args else True
    if tag == "or":
        return True if True in args else None if None in args else False
    if None in args:
        return None
    if tag == "not":
        return not args[0]
    if tag == "equal":  # absolute tolerance, bounds included, as the exports write it
        low, high = (float(t) for t in node.get("tolerance").split())
        return args[1] - low <= args[0] <= args[1] + high
    operations = {"match": lambda a, b: a == b, "member": lambda a, b: a in b,
                  "gte": lambda a, b: a >= b, "sum": lambda *a: sum(a),
                  "product": lambda a, b: a * b, "divide": lambda a, b: a / b}  # fmt: skip
    return operations[tag](*args)


# ------------------------------------------------------------------ Blackboard


def blackboard(folder: Path) -> Callable[[Item], tuple[Scorer, str]]:
    """Each part's file holds a row per variant, in the key's order of the copies."""
    rows: dict[str, list[list[str]]] = {}
    for path in (folder / "lms" / "blackboard").iterdir():
        rows[path.stem] = [
            line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
        ]
    order: dict[str, list[str]] = {}

    def scorer(item: Item) -> tuple[Scorer, str]:
        stem = re.sub(r"[^0-9a-z]+", "-", item.label.lower()).strip("-")
        copies = order.setdefault(stem, [])
        if item.variant not in copies:
            copies.append(item.variant)
        row = rows[stem][copies.index(item.variant)]
        if row[0] == "NUM":
            value, tolerance = float(row[2]), float(row[3] or 0)
            given = item.part.answer
            return (
                lambda m: float(abs((given if m["answer"] else far(given)) - value) <= tolerance)
            ), ""
        if row[0] == "MC":
            flags = row[3::2]
            return (lambda m: float(flags[_picked(item.part, m)] == "correct")), ""
        if row[0] == "ESS":
            return MANUAL, row[2]
        return UNSCORED, ""

    return scorer


EVALUATORS = {"moodle": moodle, "gift": gift, "canvas": canvas, "qti21": qti21,
              "blackboard": blackboard}  # fmt: skip


# ------------------------------------------------------------------ the tests


def quiz_label(folder: Path, fmt: str, item: Item) -> str:
    """How the format's quiz names the part: moodle.xml by its seat (lms/drawing.py),
    the others by the part's pool."""
    if fmt != "moodle":
        return item.label
    labels = drawing.seat_labels(read_key(folder / "key.json"))
    return labels[item.question, item.part.part]


def notes_sections(folder: Path) -> dict[str, str]:
    """scoring-notes.txt: each format's section."""
    text = (folder / "lms" / "scoring-notes.txt").read_text(encoding="utf-8")
    found = {}
    for fmt, name in scoring.NAMES.items():
        start = text.index(f"\n{name}:\n")
        end = min([text.index(f"\n{other}:\n") for other in scoring.NAMES.values()
                   if text.index(f"\n{other}:\n") > start] + [len(text)])  # fmt: skip
        found[fmt] = text[start:end]
    return found


@pytest.mark.parametrize("fmt", scoring.FORMATS)
def test_each_export_scores_as_the_rubric_says_or_says_where_it_cannot(run, fmt):
    folder, items = run
    evaluate = EVALUATORS[fmt](folder)
    listed = notes_sections(folder)[fmt]
    kinds = Counter()
    for item in items:
        part = item.part
        fit = scoring.fit(fmt, item)
        score, _ = evaluate(item)
        kinds[fit.how] += 1
        label = quiz_label(folder, fmt, item)
        labelled = re.search(rf"^    {re.escape(label)}  rubric: ", listed, re.M)
        if fit.how == scoring.BY_HAND:
            assert score == MANUAL, (fmt, item.title)
            continue
        assert score != MANUAL, (fmt, item.title)
        if fit.how == scoring.EXACT:
            assert not labelled, (fmt, item.label)
            assert callable(score), (fmt, item.title)
            for marks in patterns(part):
                assert score(marks) == pytest.approx(graded(part, marks), abs=1e-6), (
                    fmt, item.title, marks)  # fmt: skip
                COUNTS[f"{fmt} exact"] += 1
            continue
        assert labelled, f"{fmt}: {item.label} scores otherwise and scoring-notes.txt omits it"
        # the notes are not idle (a named mistake's credit is checked on its own, below)
        if callable(score) and part.scoring.person != "wrong" and not part.scoring.credit:
            assert any(abs(score(m) - graded(part, m)) > 1e-6 for m in patterns(part)), (
                fmt, item.title)  # fmt: skip
        COUNTS[f"{fmt} forced"] += 1
    assert kinds[scoring.EXACT]


def test_a_named_mistakes_credit_is_a_further_answer_at_its_share(run):
    """2(d)'s rubric: 2 of 3 points when the averaging factor is missing.  Moodle's
    numerical question (XML and GIFT) and QTI 2.1's response processing give a response
    with that mistake's value the credit's share, read from each file apart from the
    exporters; Canvas and Blackboard cannot, and the notes say so."""
    folder, items = run
    credited = [i for i in items if i.part.scoring.credit and i.part.mistake_values]
    if not credited:
        pytest.skip("no part of this run credits a named mistake")
    moodle = moodle_blanks(folder)
    gift_questions = {q["title"]: q for q in parsed_gift(folder) if q["type"] != "Category"}
    listed = notes_sections(folder)
    checked = 0
    for item in credited:
        part = item.part
        for credit in part.scoring.credit:
            value = part.mistake_values[credit.mistake]
            share = credit.points / part.points
            if scoring.fit("moodle", item).how != scoring.EXACT:
                label = re.escape(quiz_label(folder, "moodle", item))
                assert re.search(rf"^    {label}  ", listed["moodle"], re.M)
                continue
            (blank,), _ = moodle(item)
            assert _numerical(blank[2], value) == pytest.approx(share, abs=1e-6)
            assert _gift_best(gift_questions, item.title, value) == pytest.approx(share, abs=1e-6)
            assert _qti_single(folder, item.title, value) == pytest.approx(share, abs=1e-6)
            for fmt in ("canvas", "blackboard"):
                assert re.search(rf"^    {re.escape(item.label)}  ", listed[fmt], re.M), fmt
            checked += 1
    assert checked or all(scoring.fit("moodle", i).how != scoring.EXACT for i in credited)


def _gift_best(questions: dict, title: str, value: float) -> float:
    """The same, from the GIFT numerical question's answers as gift-pegjs reads them."""
    choices = questions[title]["choices"]
    return max((float(c["weight"] or 100) / 100 for c in choices
                if abs(c["text"]["number"] - value) <= c["text"]["range"] + 1e-12),
               default=0.0)  # fmt: skip


def _qti_single(folder: Path, title: str, value: float) -> float:
    with zipfile.ZipFile(folder / "lms" / "qti21.zip") as archive:
        for name in archive.namelist():
            if name.startswith("items/"):
                element = etree.fromstring(archive.read(name))
                if element.get("title") == title:
                    return qti_share(element, {"RESPONSE": value})
    raise AssertionError(f"no QTI 2.1 item {title}")


def test_every_item_carries_the_grading_notes_the_solutions_print(run):
    folder, items = run
    checked = 0
    for fmt in scoring.FORMATS:
        evaluate = EVALUATORS[fmt](folder)
        for item in items:
            part = item.part
            said = rubric.notes(part.scoring, part.points, names(part), KINDS[part.kind].item)
            score, feedback = evaluate(item)
            if fmt == "blackboard" and score != MANUAL:
                continue  # an upload row has no feedback but an essay's sample answer
            for note in said:
                assert fingerprint(to_html(note)) in fingerprint(feedback), (fmt, item.title, note)
                checked += 1
    assert checked


@pytest.mark.parametrize("run", ["cs230 seed 42"], indirect=True)
def test_the_cs230_rubric_lands_where_each_format_can_say_it(run):
    """CS230's parts by label: what each format makes of their rule."""
    _, items = run
    how = {(fmt, i.label): scoring.fit(fmt, i).how for fmt in scoring.FORMATS for i in items}
    exact, forced, by_hand = scoring.EXACT, scoring.FORCED, scoring.BY_HAND
    for label in ("4(a)", "6(a)"):  # 0.5 per statement: cloze, dropdowns, QTI; not GIFT
        assert [how[f, label] for f in scoring.FORMATS] == [exact, forced, exact, exact, forced]
    assert [how[f, "1(d)"] for f in scoring.FORMATS] == [exact, by_hand, exact, exact, forced]
    for label in ("6(b)", "7(c)"):  # no partial credit: only QTI 2.1 says so
        assert how["qti21", label] == exact
        assert how["moodle", label] == how["canvas", label] == forced
    # 3(d), no partial credit over 3 pairs: one choice of its 6 ways to match in Moodle
    assert [how[f, "3(d)"] for f in scoring.FORMATS] == [exact, forced, forced, exact, forced]
    for label in ("6(d)", "3(f)(i)", "2(g)(ii)"):  # a person reads them
        assert {how[f, label] for f in scoring.FORMATS} == {by_hand}


# ------------------------------------------------------------------ the docs' table


def _part(kind: str, answer, scoring_: dict, **fields) -> PartInfo:
    base = {"label": "1(a)", "part": "a", "points": 2, "bonus": False, "hint": "",
            "answer_in_stem": False, "names": [], "context": "", "prompt": "",
            "answer_latex": "", "tolerance": {"abs": 0, "rel": 0}, "alternatives": [],
            "rubric": [], "checks": []}  # fmt: skip
    return msgspec.convert({**base, **fields, "kind": kind, "answer": answer,
                            "scoring": scoring_}, PartInfo)  # fmt: skip


def _options(correct: list[bool]) -> list[dict]:
    return [{"label": label, "text": f"statement {label}", "correct": right, "why": "",
             "mistake": ""} for label, right in zip(("i", "ii", "iii", "iv"), correct,
                                                    strict=False)]  # fmt: skip


def _group(points: float, of: list[str]) -> dict:
    return {"points": points, "of": of, "credit": "x"}


# One part of each docs row: the row's first cell, the part.
ROWS = {
    "all, one answer": _part("number", 2.5, {"rule": "all"}),
    "all, several entries": _part("vector", [1, 2, 3], {"rule": "all"}),
    "all, matched pairs": _part("matching", {"A": "x", "B": "y"}, {"rule": "all"},
                                options=[{"label": "x", "text": "x", "correct": True, "why": "",
                                          "mistake": ""},
                                         {"label": "y", "text": "y", "correct": True, "why": "",
                                          "mistake": ""}]),
    "all with steps": _part("vector", [1, 2, 3], {"rule": "all", "steps": [{"wrong": 1,
                                                                              "points": 1}]}),
    "entries": _part("vector", [1, 2, 3, 4], {"rule": "entries"}),
    "groups of one blank, equal points": _part(
        "vector", [1, 2], {"rule": "groups", "groups": [_group(1, ["w"]), _group(1, ["b"])]},
        names=["w", "b"]),
    "groups of one blank, unequal points": _part(
        "vector", [1, 2], {"rule": "groups", "groups": [_group(0.5, ["w"]), _group(1.5, ["b"])]},
        names=["w", "b"]),
    "groups of several blanks": _part(
        "vector", [1, 2, 3, 4], {"rule": "groups", "groups": [_group(1, ["1", "2"]),
                                                            _group(1, ["3", "4"])]}),
    "statements": _part("multi", ["i", "iv"], {"rule": "statements", "each": 0.5},
                        options=_options([True, False, False, True])),
    "person always": _part("choice", "A", {"rule": "all", "person": "always", "why": "x"},
                           options=[{"label": "A", "text": "a", "correct": True, "why": "",
                                     "mistake": ""},
                                    {"label": "B", "text": "b", "correct": False, "why": "",
                                     "mistake": ""}]),
    "person wrong": _part("number", 2.5, {"rule": "all", "person": "wrong", "why": "x"}),
    "credit for a named mistake": _part(
        "number", 2.5, {"rule": "all", "credit": [{"mistake": "m", "points": 1}]}, points=3,
        mistake_values={"m": 7.5}),
    "formulas, code, text": _part("text", "a model answer", {"rule": "all"}),
}  # fmt: skip


def docs_table() -> dict[str, list[str]]:
    """docs/lms-scoring.md's table: each row's first cell, and the first word of its other
    cells (exact, forced, by hand)."""
    rows = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells[0] in ROWS:
            rows[cells[0]] = [re.match(r"\*\*(exact|forced|by hand)\*\*", c).group(1)
                              for c in cells[1:]]  # fmt: skip
    return rows


def test_the_docs_table_is_what_lms_scoring_says():
    table = docs_table()
    assert sorted(table) == sorted(ROWS)
    header = next(line for line in DOCS.read_text(encoding="utf-8").splitlines()
                  if line.startswith("| rule"))  # fmt: skip
    assert [c.strip() for c in header.strip("|").split("|")][1:] == [
        scoring.NAMES[f] for f in scoring.FORMATS
    ]
    for row, part in ROWS.items():
        item = Item(part.label, "q", "v0", "i0", "1(a) v0", part.points, part.kind, "", part, ())
        assert table[row] == [scoring.fit(fmt, item).how for fmt in scoring.FORMATS], row


def test_each_slot_has_its_own_name_and_blackboard_file(run):
    """A pool's two questions printed as 6(a) are two slots, named by their ids: the notes
    name each part once, and Blackboard writes each its own file (one no longer
    overwrites the other)."""
    folder, items = run
    labels = {(item.question, item.part.part): item.label for item in items}
    assert len(set(labels.values())) == len(labels)
    files = list((folder / "lms" / "blackboard").iterdir())
    assert len(files) == len(labels)
    assert sum(len(f.read_text(encoding="utf-8").splitlines()) for f in files) == len(items)


def test_a_credited_value_is_written_once_and_never_as_the_answer_again():
    """4(e) with as many inputs as outputs: "batch norm counted over the inputs" gives the
    right count, and two credited mistakes may give one value.  The exports wrote the
    answer again at 50% (GIFT ``=4355:0 ... =%50%4355:0``) and a shared value twice; each
    value is now one answer, the key's own at 100%."""
    from generator.lms.scoring import credit_answers

    from .conftest import part_info

    credit = [{"mistake": m, "points": 1} for m in ("over the inputs", "bias", "bias again")]
    part = part_info(
        "integer", 4355, points=2, scoring={"rule": "all", "credit": credit},
        mistake_values={"over the inputs": 4355.0, "bias": 4420.0, "bias again": 4420.0},
    )  # fmt: skip
    written = [(c.mistake, c.value) for c in credit_answers("gift", part)]
    assert written == [("bias", 4420.0)]
