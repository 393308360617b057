"""How each LMS format scores a part, set against the part's rubric: the one place that says it.

A part's rubric declares how its points are earned (question.toml ``scoring``, read by
kinds/scoring.py), and ``generate-exam grade`` scores by it.  An LMS scores what our files
give it by rules of its own, fixed by the question type:

- a cloze question (Moodle XML) gives each blank its weight, a whole number, and its
  True/False blanks make "0.5 per statement decided right" exactly;
- Canvas gives each blank, dropdown or matched pair an equal share, whatever the file says;
- Moodle's matching gives each pair an equal share, its select-all multichoice (GIFT: no
  cloze there) adds the ticked options' fractions, never below 0;
- QTI 2.1 runs the item's own response processing, which states the rule itself;
- Blackboard's upload file carries no scoring: the question's settings in Blackboard decide;
- an essay is scored by a person, with the grading notes beside it.

So each exporter builds the closest item it can (an essay where the rubric has a person
read every response, items.by_hand; a cloze's blanks weighted by :func:`weights`), and
:func:`fit` says per format and item whether the LMS then gives every pattern of right
and wrong items the rubric's share (exact), leaves it to a person (by hand), or does
something else (forced, and what).  :func:`write_notes` lists the forced parts per format in
``lms/scoring-notes.txt``; docs/lms-scoring.md has the table of rule by format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from itertools import product
from pathlib import Path

import msgspec

from generator.key.records import Key, PartInfo, ScoringInfo
from generator.kinds import KINDS, margin_of, scoring, table
from generator.lms.items import Item, assignments, by_hand, slots
from generator.run_folder import SCORING_NOTES

EXACT, BY_HAND, FORCED = "exact", "by hand", "forced"
NAMES = {"moodle": "Moodle XML", "gift": "GIFT", "canvas": "Canvas QTI 1.2",
         "qti21": "QTI 2.1", "blackboard": "Blackboard"}  # fmt: skip
FULL_CHECK = 6  # items up to which every pattern of marks is compared (2**6 patterns)
# Moodle's grade options (question/format/xml and lib/questionlib.php), checked to 1e-5.
MOODLE_FRACTIONS = (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20,
                    16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0)  # fmt: skip
# The formats whose number question takes further answers, each with its own share.
CREDITING = ("moodle", "gift", "qti21")

# How a format's question for a kind turns its items' marks into a share.
WHOLE = "whole"  # one answer, right or wrong
WEIGHTED = "weighted"  # each blank earns its weight (:func:`weights`): Moodle's cloze
EQUAL = "equal"  # each blank, dropdown or pair an equal share
FRACTIONS = "fractions"  # the ticked options' fractions added, between 0 and 1
RULE = "rule"  # the part's rule itself, in the item's response processing
SETTINGS = "settings"  # the LMS's question settings, which the file cannot carry
ESSAY = "essay"  # a person, by the grading notes
FORMATS = ("moodle", "gift", "canvas", "qti21", "blackboard")


def _by(*natives: str) -> dict[str, str]:
    return dict(zip(FORMATS, natives, strict=True))


# Each kind's question in each format, as it scores: the table of kind by format.
NATIVE: dict[str, dict[str, str]] = table(__name__, {
    #                  moodle     gift        canvas  qti21   blackboard
    "integer":    _by(WHOLE,     WHOLE,      WHOLE,  RULE,   WHOLE),
    "number":     _by(WHOLE,     WHOLE,      WHOLE,  RULE,   WHOLE),
    "choice":     _by(WHOLE,     WHOLE,      WHOLE,  RULE,   WHOLE),
    "vector":     _by(WEIGHTED,  ESSAY,      EQUAL,  RULE,   SETTINGS),
    "shape":      _by(WEIGHTED,  ESSAY,      EQUAL,  RULE,   SETTINGS),
    "multi":      _by(WEIGHTED,  FRACTIONS,  EQUAL,  RULE,   SETTINGS),
    "matching":   _by(EQUAL,     EQUAL,      EQUAL,  RULE,   SETTINGS),
    "expression": _by(ESSAY,     ESSAY,      ESSAY,  ESSAY,  ESSAY),
    "text":       _by(ESSAY,     ESSAY,      ESSAY,  ESSAY,  ESSAY),
    "code":       _by(ESSAY,     ESSAY,      ESSAY,  ESSAY,  ESSAY),
})  # fmt: skip
# What one scored item of a kind is in each format's question, for the notes.
UNITS = {"moodle": {"multi": "statement's blank", "matching": "pair"},
         "gift": {"matching": "pair"},
         "canvas": {"multi": "statement's dropdown", "matching": "pair"}}  # fmt: skip
LMS = {"moodle": "Moodle", "gift": "Moodle", "canvas": "Canvas", "qti21": "QTI",
       "blackboard": "Blackboard"}  # fmt: skip
SETTINGS_DOES = "the question's partial-credit setting in Blackboard decides (the file has none)"
PERSON_DOES = "scores the key's answer alone, where the rubric has a person read the others"


@dataclass(frozen=True)
class Drawing:
    """How each format's quiz draws the questions (lms/drawing.py), for the notes: a
    paragraph per format, the warnings to print, and the labels a format's quiz gives
    parts, by (question id, part), where they are not the paper's (moodle.xml's seats)."""

    notes: Sequence[str] = ()
    warnings: Sequence[str] = ()
    labels: Mapping[str, Mapping[tuple[str, str], str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Fit:
    """How one format scores one part: ``how`` is EXACT (the rubric's share for every
    pattern of right and wrong items), BY_HAND (an essay a person scores by the grading
    notes it carries) or FORCED (``does``: what the format does instead)."""

    how: str
    does: str = ""


@dataclass(frozen=True)
class Credit:
    """A named mistake the part's rubric gives points (question.toml ``scoring.credit``):
    its value (the key's ``mistake_values``) and the share of the part's points it earns."""

    mistake: str
    value: float
    share: Fraction


def credits(part: PartInfo) -> list[Credit]:
    """The credited named mistakes of a number part, each with its value and share."""
    values, points = part.mistake_values or {}, Fraction(str(part.points))
    return [Credit(c.mistake, values[c.mistake], Fraction(str(c.points)) / points)
            for c in part.scoring.credit or () if c.mistake in values]  # fmt: skip


def credit_answers(fmt: str, part: PartInfo) -> list[Credit]:
    """The credited mistakes a format's number question gives their share as further
    answers: none where the format takes none, or not at every share; never a value that
    another mistake with other points shares (grade sends that to a person), and each
    value once: not the key's answer itself (4(e) with as many inputs as outputs, where
    counting batch norm over the inputs is right), nor a value an earlier one gives."""
    found = credits(part)
    if fmt not in CREDITING or (fmt != "qti21" and any(moodle_fraction(c.share) is None
                                                       for c in found)):  # fmt: skip
        return []
    kept: list[Credit] = []
    for credit in found:
        if not _shared(part, credit, found) and not any(
            _same_value(part, credit.value, other)
            for other in [part.answer, *(k.value for k in kept)]
        ):
            kept.append(credit)
    return kept


def _same_value(part: PartInfo, value: float, other: float) -> bool:
    """Whether two values of a number part are one answer to the grader (within margin)."""
    return abs(value - other) <= float(margin_of(part, value))


def moodle_fraction(share: Fraction) -> float | None:
    """The grade option Moodle allows for ``share`` (a percentage), None when none is."""
    wanted = float(share) * 100
    return next((f for f in MOODLE_FRACTIONS if abs(f - wanted) < 1e-4), None)


def items(part: PartInfo) -> list[str]:
    """The names of the part's scored items, in the order the LMS items list them (the
    blanks of a cloze, the statements of a select-all part): the kind's own."""
    options = {"options": [{"label": o.label} for o in part.options or ()]}
    answer = msgspec.to_builtins(part.answer)  # as the kind normalised it (formulas as JSON)
    return KINDS[part.kind].items(answer, options, tuple(part.names))


def weights(part: PartInfo) -> list[Fraction]:
    """Each item's weight, in points, where a format adds weighted items (Moodle's cloze
    blanks): the rule's own where it adds up (an equal share per entry or statement, a
    group of one blank its group's points); else the closest, a group's points shared
    among its blanks, an all-or-nothing part's equally."""
    return _weights(part.scoring, part.points, items(part))


def _weights(rule: ScoringInfo, points: float, names: Sequence[str]) -> list[Fraction]:
    if rule.rule != "groups":
        return [Fraction(str(points)) / len(names)] * len(names)
    earned = dict.fromkeys(names, Fraction(0))
    for group in rule.groups or ():
        for name in group.of:
            earned[name] += Fraction(str(group.points)) / len(group.of)
    return [earned[name] for name in names]


def misfit(key: Key) -> str:
    """What is wrong with the first part whose scoring does not fit its items (a key
    edited by hand: a group naming no entry of it), which no format, nor the grader, can
    score; "" when every part's does."""
    for variant in key.variants:
        for _, part in variant.parts:
            try:
                scoring.check(part.scoring, part.points, items(part), KINDS[part.kind].repairs)
            except ValueError as exc:
                return (f"part {part.label} of copy {variant.name}: {exc}; build the run "
                        "again, or correct its scoring")  # fmt: skip
    return ""


def fit(fmt: str, item: Item) -> Fit:
    """How format ``fmt`` scores ``item`` against its part's rubric."""
    part = item.part
    native = _native(fmt, part)
    if native == ESSAY:
        return Fit(BY_HAND)
    if native == SETTINGS:
        return Fit(FORCED, SETTINGS_DOES)
    if not agrees(native, part):
        return Fit(FORCED, _does(fmt, native, part))
    if part.scoring.person == "wrong":
        return Fit(FORCED, PERSON_DOES)
    return _credit_fit(fmt, part) if part.scoring.credit else Fit(EXACT)


CREDIT_DOES = "no points for a named mistake's value (the format has no partial answer)"
SHARED_DOES = ("no points for a value two named mistakes share that earn otherwise (grade "
               "sends it to a person)")  # fmt: skip


def _credit_fit(fmt: str, part: PartInfo) -> Fit:
    """How a format scores a number whose rubric credits named mistakes: exactly where it
    gives each its share as a further answer (:func:`credit_answers`)."""
    written = credit_answers(fmt, part)
    if len(written) == len(credits(part)):
        return Fit(EXACT)
    return Fit(FORCED, SHARED_DOES if written or fmt in CREDITING else CREDIT_DOES)


def _shared(part: PartInfo, credit: Credit, found: Sequence[Credit]) -> bool:
    """Whether a credited mistake's value is also another mistake's that earns otherwise."""
    earned = {c.mistake: c.share for c in found}
    values = part.mistake_values or {}
    return any(_same_value(part, credit.value, values[other])
               and earned.get(other, Fraction(0)) != credit.share
               for other in values if other != credit.mistake)  # fmt: skip


def _native(fmt: str, part: PartInfo) -> str:
    native = ESSAY if by_hand(part) else NATIVE[part.kind][fmt]
    if fmt == "moodle" and assignments(part) is not None:  # one choice of the ways to answer
        return WHOLE
    return WHOLE if native == SETTINGS and len(items(part)) == 1 else native


def agrees(native: str, part: PartInfo) -> bool:
    """Whether the format's share is the rule's for every pattern of marks (the same
    answer for every variant of the same shape: worked out once)."""
    correct = tuple(o.correct for o in part.options or ()) if native == FRACTIONS else ()
    return _agreeing(native, msgspec.json.encode(part.scoring), part.points,
                     tuple(items(part)), correct)  # fmt: skip


@lru_cache(maxsize=4096)
def _agreeing(native: str, declared: bytes, points: float, names: tuple[str, ...],
              correct: tuple[bool, ...]) -> bool:  # fmt: skip
    rule = msgspec.json.decode(declared, type=ScoringInfo)
    given = _share(native, rule, points, names, correct)
    return all(abs(given(marks) - scoring.share(rule, points, marks)) < 1e-9
               for marks in patterns(rule, names))  # fmt: skip


def _share(native: str, rule: ScoringInfo, points: float, names: Sequence[str],
           correct: Sequence[bool]) -> Callable[[scoring.Marks], float]:  # fmt: skip
    """What the format's question gives a pattern of marks, as a share of the points."""
    if native == WHOLE:
        return lambda marks: float(all(marks.values()))
    if native == EQUAL:
        return lambda marks: sum(marks.values()) / len(marks)
    if native == WEIGHTED:
        weight = dict(zip(names, _weights(rule, points, names), strict=True))
        total = sum(weight.values())
        return lambda marks: float(sum(weight[n] for n in names if marks[n]) / total)
    if native == FRACTIONS:
        return lambda marks: _ticked(marks, names, correct)
    return lambda marks: scoring.share(rule, points, marks)


def _ticked(marks: scoring.Marks, names: Sequence[str], correct: Sequence[bool]) -> float:
    """Moodle's select-all multichoice: a true statement ticked earns 1/k, a false one
    ticked costs 1/m (k true, m false statements), the sum kept between 0 and 1.  A
    statement is ticked when it is true and decided right, or false and decided wrong."""
    right, wrong = sum(correct), len(correct) - sum(correct)
    total = Fraction(0)
    for name, true in zip(names, correct, strict=True):
        if marks[name] == true:  # ticked
            total += Fraction(1, right) if true else -Fraction(1, wrong)
    return float(min(max(total, Fraction(0)), Fraction(1)))


def patterns(rule: ScoringInfo, names: Sequence[str]) -> Iterator[dict[str, bool]]:
    """Patterns of right and wrong items to compare a format's share with the rule's on:
    every one up to :data:`FULL_CHECK` items; beyond, those that tell the rules apart (all
    right, all wrong, each item alone wrong and alone right, each group alone wrong, and
    each step's number of wrong items and one more)."""
    if len(names) <= FULL_CHECK:
        for bits in product((True, False), repeat=len(names)):
            yield dict(zip(names, bits, strict=True))
        return
    yield dict.fromkeys(names, True)
    yield dict.fromkeys(names, False)
    for name in names:
        yield {n: n != name for n in names}
        yield {n: n == name for n in names}
    for group in rule.groups or ():
        yield {n: n not in group.of for n in names}
    for step in rule.steps or ():
        for wrong in (step.wrong, step.wrong + 1):
            yield {n: i >= wrong for i, n in enumerate(names)}


def _does(fmt: str, native: str, part: PartInfo) -> str:
    """What the format does instead of the rule, in a few words for an instructor."""
    unit = UNITS.get(fmt, {}).get(part.kind, "blank")
    if native == FRACTIONS:
        return ("a true statement ticked earns 1/k of the points, a false one ticked costs "
                "1/m (k true, m false), never below 0 (GIFT has no cloze question)")  # fmt: skip
    if native == WHOLE:
        return "all or nothing: no points for a near miss"
    if native == WEIGHTED and part.scoring.rule == "groups":
        return (f"each {unit} earns its share of its group's points, even with another of the "
                "group wrong")  # fmt: skip
    return (f"each {unit} earns an equal share ({LMS[fmt]} has no all-or-nothing question of "
            "several answers)")  # fmt: skip


# ------------------------------------------------------------------ the notes


def notes_text(key: Key, formats: Sequence[str], drawing: Drawing | None = None) -> str:
    """``scoring-notes.txt``: per format, each part it scores otherwise than its rubric,
    once, with the rubric's rule, under what the format does instead (the part named as
    the format's quiz names it); then how each quiz draws the questions
    (lms/drawing.py), whose warnings follow the summary line (``export`` prints that
    first paragraph)."""
    drawing = drawing or Drawing()
    sections, counts, parts = [], [], slots(key)
    for fmt in formats:
        forced: dict[str, list[str]] = {}  # what the format does -> the parts' lines
        labels = drawing.labels.get(fmt, {})
        for slot in parts:
            for item in slot.items:
                for does in _forced(fmt, [item]):
                    label = labels.get((item.question, item.part.part), slot.label)
                    line = f"    {label}  {_rubric(item)}"
                    if line not in forced.get(does, []):
                        forced.setdefault(does, []).append(line)
        counts.append(f"{len({line for lines in forced.values() for line in lines})} in "
                      f"{NAMES[fmt]}")  # fmt: skip
        body = [f"  {does[0].upper()}{does[1:]}:\n" + "\n".join(lines)
                for does, lines in forced.items()]  # fmt: skip
        sections.append("\n".join([f"{NAMES[fmt]}:", *(body or [EVERY])]))
    summary = f"Parts an LMS scores otherwise than their rubric: {', '.join(counts)}."
    summary += "".join(f"\nNote: {w}." for w in drawing.warnings)
    drawn = [f"{DRAWING}\n\n" + "\n\n".join(drawing.notes)] if drawing.notes else []
    return "\n\n".join([summary, INTRO, *sections, *drawn]) + "\n"


DRAWING = "How each quiz draws the questions (a paper copy prints whole questions):"


INTRO = (
    "Each part's rubric (question.toml scoring) says how its points are earned, and\n"
    "generate-exam grade scores by it. Where an LMS cannot, its items score as below: set\n"
    "those marks by hand, or grade the LMS's report with generate-exam grade --responses.\n"
    "Essays are scored by a person, with the grading notes in their feedback."
)
EVERY = "  Every part as its rubric says (essays: a person, by the grading notes)."


def _forced(fmt: str, variants: Sequence[Item]) -> list[str]:
    """What the format does instead of the part's rule, for any of its variants."""
    return list(dict.fromkeys(f.does for f in (fit(fmt, i) for i in variants) if f.how == FORCED))


def _rubric(item: Item) -> str:
    """The part's rule as its first grading note says it."""
    part = item.part
    said = scoring.notes(part.scoring, part.points, items(part), KINDS[part.kind].item)
    return f"rubric: {' '.join(said) if said else 'all or nothing.'}"


def write_notes(key: Key, out: Path, formats: Sequence[str],
                drawing: Drawing | None = None) -> list[Path]:  # fmt: skip
    """``scoring-notes.txt`` for the LMS formats in ``out`` (:func:`notes_text`): listed
    only when written anew, so that an export that changes nothing in it names it not."""
    path = out / SCORING_NOTES
    content = notes_text(key, formats, drawing).encode()
    if path.is_file() and not path.is_symlink() and path.read_bytes() == content:
        return []
    path.write_bytes(content)
    return [path]
