"""How a part's points are earned: its rubric's rule, declared once, in ``question.toml``.

A part is scored item by item: a number is one item, a vector one per entry, a formula
part one per formula, a code part one per blank, a select-all part one per statement, a
matching part one per pair (:meth:`generator.kinds.Kind.marks` says which are right).  The
part's rule (key/records.py ``ScoringInfo``) turns those marks into points:

- ``all``: the points when every item is right, else none: where a rubric names no
  partial credit, none is given (the rule of every part that declares none);
- ``entries``: an equal share per right item;
- ``groups``: each named group's points when all its items are right ("1 point for each
  pair of consecutive lines"); a group's ``near`` misses give fewer points when a repair
  the kind knows makes its wrong items right ("0.5 points off when only keepdims=True is
  missing": the kind says which items the repair makes right, in :class:`Marked`);
- ``statements``: ``each`` points per statement circled or left out correctly.

``steps`` add to ``all`` the points of a near miss ("1 point when at most two entries are
wrong").  The same declaration writes the part's grading notes (:func:`notes`), which the
solutions print and the LMS items carry, so what is printed and what is scored cannot
drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from generator.key.records import CreditInfo, GroupInfo, NearInfo, ScoringInfo, StepInfo

ALL = ScoringInfo(rule="all")
GROUP = {"points", "of", "credit"}  # a group's fields; "near" may follow
RULES = ("all", "entries", "groups", "statements")
Marks = Mapping[str, bool]  # each item's name: whether the response has it right


class Marked(dict[str, bool]):
    """Marks, with the wrong items each named repair makes right (``repaired["keepdims"]``:
    the lines right once keepdims=True is added): what a group's ``near`` misses are
    judged by.  A dict, so that whatever reads marks reads these the same."""

    def __init__(self, marks: Marks, repaired: Mapping[str, frozenset[str]]) -> None:
        super().__init__(marks)
        self.repaired = dict(repaired)


@dataclass(frozen=True)
class ToPerson:
    """A response no rule can score: a person grades it, and this says why."""

    reason: str


@dataclass(frozen=True)
class Wrong:
    """A wrong response to a one-item part, with what a rubric may credit in it: the named
    mistakes whose value it gives (the part's ``credit`` may give them points), and
    whether it shows its work (``person = "work"`` sends those to a person, who can find
    the partial credit a rubric gives for parts of a formula)."""

    mistakes: tuple[str, ...] = ()
    work: bool = False


Outcome = ToPerson | Wrong


@dataclass(frozen=True)
class Judgement:
    """What a response earns: a share of the part's points, or (``share`` None) a person's
    decision, for ``reason``.  Never a silent zero: a response that cannot be read goes to
    a person, with the reason.  ``mistakes``: the near misses the rubric names that it
    made (the item analysis counts them)."""

    share: float | None
    reason: str = ""
    mistakes: tuple[str, ...] = ()


def judge(scoring: ScoringInfo, points: float, marks: Marks | Outcome) -> Judgement:
    """The part's judgement of a response's ``marks`` (or of a response only a person can
    grade, or of a named mistake): its share under the rule, unless the rubric leaves it
    to a person."""
    if scoring.person == "always":  # what the person judges, however the response reads
        return Judgement(None, scoring.why or "the rubric asks a person")
    if isinstance(marks, ToPerson):
        return Judgement(None, marks.reason)
    if isinstance(marks, Wrong):
        return replace(_wrong(scoring, points, marks), mistakes=marks.mistakes)
    if scoring.person == "always" or (scoring.person == "wrong" and not all(marks.values())):
        return Judgement(None, scoring.why or "the rubric asks a person")
    return Judgement(share(scoring, points, marks), mistakes=tuple(mistakes(scoring, marks)))


def _wrong(scoring: ScoringInfo, points: float, wrong: Wrong) -> Judgement:
    """A wrong one-item response: a credited mistake's points, a person's decision (its
    value two mistakes share that earn otherwise, or its work to read), else the rule's."""
    credited = {c.mistake: c.points for c in scoring.credit or ()}
    earned = {credited.get(m, 0) for m in wrong.mistakes}
    if len(earned) > 1:  # one value, two mistakes the rubric marks differently
        return Judgement(None, f"its value is that of {' and of '.join(wrong.mistakes)}, "
                         "which earn different points: a person reads the work")  # fmt: skip
    if earned - {0}:
        return Judgement(_ratio(earned.pop(), points))
    if scoring.person == "work" and wrong.work:
        return Judgement(None, scoring.why)
    return judge(scoring, points, {"answer": False})


def share(scoring: ScoringInfo, points: float, marks: Marks) -> float:
    """The share of the part's points, 0 to 1, that ``marks`` earn under ``scoring``."""
    if not marks or not points:
        return 0.0
    right = sum(marks.values())
    if scoring.rule == "entries":
        return right / len(marks)
    if scoring.rule == "groups":
        earned = sum((Decimal(str(_earned(g, marks)[0])) for g in scoring.groups or ()),
                     Decimal(0))  # fmt: skip
        return _ratio(earned, points)
    if scoring.rule == "statements":
        return _ratio(right * Decimal(str(scoring.each)), points)
    if right == len(marks):
        return 1.0
    wrong = len(marks) - right
    near = [s.points for s in scoring.steps or () if wrong <= s.wrong]
    return _ratio(max(near), points) if near else 0.0


def mistakes(scoring: ScoringInfo, marks: Marks) -> list[str]:
    """The named near misses ``marks`` earned a group's smaller points by, once a group."""
    found = [_earned(g, marks)[1] for g in scoring.groups or ()] if scoring.rule == "groups" else []
    return [near.mistake for near in found if near]


def _earned(group: GroupInfo, marks: Marks) -> tuple[float, NearInfo | None]:
    """A group's points: all of them when its items are right, else the best near miss
    whose repair makes every wrong one right (its mistake is counted once for the group)."""
    wrong = [i for i in group.of if not marks[i]]
    if not wrong:
        return group.points, None
    repaired = marks.repaired if isinstance(marks, Marked) else {}
    for near in sorted(group.near or (), key=lambda n: n.points, reverse=True):
        if all(i in repaired.get(near.repair, ()) for i in wrong):
            return near.points, near
    return 0, None


def _ratio(earned: float | Decimal, points: float) -> float:
    """``earned / points`` without float residue (0.5 * 3 / 2 is 0.75, not 0.7500001)."""
    return float(Decimal(str(earned)) / Decimal(str(points)))


def check(scoring: ScoringInfo, points: float, items: Sequence[str],
          repairs: Sequence[str] = ()) -> None:  # fmt: skip
    """ValueError if ``scoring`` does not fit the part: a group naming no item of it, points
    that do not add up to the part's, a step worth more than the part, a near miss worth
    its group's points or naming a repair the part's kind does not know (``repairs``)."""
    for group in scoring.groups or ():
        _check_near(group, repairs)
    if scoring.rule == "groups":
        named = [i for g in scoring.groups or () for i in g.of]
        unknown = [i for i in named if i not in items]
        if unknown:
            raise ValueError(f"scoring group item '{unknown[0]}' is none of {list(items)}")
        total = sum(Decimal(str(g.points)) for g in scoring.groups or ())
        if total != Decimal(str(points)):
            raise ValueError(f"the scoring groups give {total} points, the part {points}")
    if scoring.rule == "statements":
        total = Decimal(str(scoring.each)) * len(items)
        if total != Decimal(str(points)):
            raise ValueError(f"{len(items)} statements of {scoring.each} give {total} points, "
                             f"the part {points}")  # fmt: skip
    if any(s.points >= points for s in [*(scoring.steps or ()), *(scoring.credit or ())]):
        raise ValueError("a step or credit gives a near miss the whole part's points")


def check_credit(scoring: ScoringInfo, mistakes: Mapping[str, float]) -> None:
    """ValueError unless every mistake the scoring credits is one the solver names."""
    for credit in scoring.credit or ():
        if credit.mistake not in mistakes:
            raise ValueError(f"scoring credit names the mistake '{credit.mistake}', which the "
                             "solver does not give a value (Accept(mistakes=...))")  # fmt: skip


def _check_near(group: GroupInfo, repairs: Sequence[str]) -> None:
    for near in group.near or ():
        if near.points >= group.points:
            raise ValueError(f"a near miss of the scoring group for {group.credit} gives its "
                             "whole points")  # fmt: skip
        if near.repair not in repairs:
            known = ", ".join(repairs) or "none"
            raise ValueError(f"the near miss '{near.mistake}' names the repair '{near.repair}'"
                             f"; this kind knows {known}")  # fmt: skip


def notes(scoring: ScoringInfo, points: float, items: Sequence[str], item: str) -> list[str]:
    """The grading notes the rule writes (``item``: what one item is called, "entry",
    "line"), and what a person judges; none for a part of one item scored whole."""
    person = [scoring.why] if scoring.why else []
    person = [f"{_points(c.points)} when {c.mistake}." for c in scoring.credit or ()] + person
    if scoring.rule == "groups":
        return [", ".join(_group_note(g) for g in scoring.groups or ()) + ".", *person]
    if scoring.rule == "statements":
        return [f"{_points(scoring.each)} for each statement circled or left out correctly.",
                *person]  # fmt: skip
    if scoring.rule == "entries":
        return [f"{_points(Fraction(str(points)) / len(items))} for each {item} right.", *person]
    if len(items) < 2 and not scoring.steps:
        return person
    said = [f"{_points(points)} for the whole answer, no partial credit"]
    said += [f"{_points(s.points)} when at most {s.wrong} {_plural(item, s.wrong)} "
             f"{'is' if s.wrong == 1 else 'are'} wrong" for s in scoring.steps or ()]  # fmt: skip
    if scoring.steps:
        said[0] = said[0].replace(", no partial credit", "")
    return ["; ".join(said) + ".", *person]


def _group_note(group: GroupInfo) -> str:
    """A group's note: its points, and each near miss's ("1 point for the train statistics
    (0.5 points if the only mistake is keepdims missing)")."""
    nears = [f" ({_points(n.points)} if the only mistake is {n.mistake})" for n in group.near or ()]
    return f"{_points(group.points)} for {group.credit}" + "".join(nears)


def _points(value: Any) -> str:
    """Points as a grader reads them: ``0.5 points``, ``1 point``, ``1/6 point`` (a share
    with no short decimal)."""
    share = Fraction(str(value)) if not isinstance(value, Fraction) else value
    if share.denominator in (1, 2, 4, 5, 8, 10, 20, 25, 40, 50, 100):
        number = Decimal(share.numerator) / Decimal(share.denominator)
        return f"{number.normalize():f} point{'' if share == 1 else 's'}"
    return f"{share} point{'s' if share > 1 else ''}"


def _plural(word: str, count: int) -> str:
    if count == 1:
        return word
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def parse(table: Any) -> ScoringInfo:
    """A part's ``[parts.scoring]`` table; ValueError (the message names the field) when it
    is no rule of :data:`RULES`' form."""
    if not isinstance(table, dict):
        raise ValueError("field 'scoring' must be a table, like scoring = {rule = \"entries\"}")
    unknown = set(table) - {"rule", "groups", "each", "steps", "credit", "person", "why"}
    if unknown:
        raise ValueError(f"unknown scoring field '{sorted(unknown)[0]}'; use rule, groups, "
                         "each, steps, credit, person or why")  # fmt: skip
    rule = table.get("rule", "all")
    if rule not in RULES:
        raise ValueError(f"unknown scoring rule '{rule}'; use one of {', '.join(RULES)}")
    if (rule == "groups") != ("groups" in table):
        raise ValueError('scoring groups go with rule = "groups", and it needs them')
    if (rule == "statements") != ("each" in table):
        raise ValueError("scoring 'each' goes with rule = \"statements\", and it needs it")
    if ("steps" in table or "credit" in table) and rule != "all":
        raise ValueError('scoring steps go with rule = "all", and so does credit')
    if table.get("person", "always") not in ("always", "wrong", "work"):
        raise ValueError('scoring \'person\' is "always", "wrong" or "work"')
    if ("person" in table) != bool(table.get("why")):
        raise ValueError("scoring 'person' needs 'why': what the person judges")
    return ScoringInfo(
        rule=rule,
        groups=[_group(g) for g in table["groups"]] if "groups" in table else ALL.groups,
        each=_amount(table["each"], "each") if "each" in table else ALL.each,
        steps=[_step(s) for s in table["steps"]] if "steps" in table else ALL.steps,
        credit=[_credit(c) for c in table["credit"]] if "credit" in table else ALL.credit,
        person=table.get("person", ALL.person),
        why=str(table["why"]) if table.get("why") else ALL.why,
    )


def _group(table: Any) -> GroupInfo:
    if not isinstance(table, dict) or not GROUP <= set(table) <= {*GROUP, "near"}:
        raise ValueError('a scoring group is {points = 1, of = ["v", "s"], credit = "..."}, '
                         "with near misses in near = [...] if the rubric names any")  # fmt: skip
    of = table["of"]
    if not isinstance(of, list) or not of or not all(isinstance(i, str) for i in of):
        raise ValueError("a scoring group's 'of' lists the names of its items")
    if not isinstance(table["credit"], str) or not table["credit"]:
        raise ValueError("a scoring group's 'credit' says what its points are for")
    near = table.get("near")
    if near is not None and (not isinstance(near, list) or not near):
        raise ValueError("a scoring group's 'near' lists its near misses")
    fields = {"points": _amount(table["points"], "points"), "of": of, "credit": table["credit"]}
    return GroupInfo(**fields, **({"near": [_near(n) for n in near]} if near else {}))


def _near(table: Any) -> NearInfo:
    if not isinstance(table, dict) or set(table) != {"points", "mistake", "repair"}:
        raise ValueError('a near miss is {points = 0.5, mistake = "keepdims missing", '
                         'repair = "keepdims"}')  # fmt: skip
    for field in ("mistake", "repair"):
        if not isinstance(table[field], str) or not table[field]:
            raise ValueError(f"a near miss's '{field}' is a name")
    return NearInfo(points=_amount(table["points"], "points"), mistake=table["mistake"],
                    repair=table["repair"])  # fmt: skip


def _step(table: Any) -> StepInfo:
    if not isinstance(table, dict) or set(table) != {"wrong", "points"}:
        raise ValueError("a scoring step is {wrong = 2, points = 1}")
    wrong = table["wrong"]
    if isinstance(wrong, bool) or not isinstance(wrong, int) or wrong < 1:
        raise ValueError("a scoring step's 'wrong' is a whole number of 1 or more")
    return StepInfo(wrong=wrong, points=_amount(table["points"], "points"))


def _credit(table: Any) -> CreditInfo:
    if not isinstance(table, dict) or set(table) != {"mistake", "points"}:
        raise ValueError('a scoring credit is {mistake = "the averaging factor is missing", '
                         "points = 2}")  # fmt: skip
    if not isinstance(table["mistake"], str) or not table["mistake"]:
        raise ValueError("a scoring credit's 'mistake' names the mistake its points are for")
    return CreditInfo(mistake=table["mistake"], points=_amount(table["points"], "points"))


def _amount(value: Any, name: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"scoring '{name}' is a number of points above 0")
    return value
