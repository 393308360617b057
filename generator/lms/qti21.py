"""IMS QTI 2.1 package (OpenOLAT, ILIAS, TAO, Blackboard Ultra banks).

One assessmentTest with one testPart; one assessmentSection per exam part selecting one
item (``<selection select="1"/>``).  Numbers are float text entries compared with
``equal`` and an absolute tolerance; vectors and shapes one text entry per entry;
choices ``choiceInteraction``; matching ``matchInteraction``; free text, formulas, code
and the parts whose rubric has a person read every response ``extendedTextInteraction``.
Every item carries its model answer and grading notes in a rubric block for scorers only.

Each item's responseProcessing states its part's rubric (kinds/scoring.py) itself, from a
test per scored item (an entry within its tolerance, a statement decided right, a pair
matched): all or nothing, with a step's points for a near miss; an equal share per item;
a group's points when all of its items are right; ``each`` per statement.  So a QTI 2.1
player scores every pattern of right and wrong items as ``generate-exam grade`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from generator.key.records import Key, ScoringInfo
from generator.kinds import margin_of, table
from generator.lms.html import to_html
from generator.lms.items import (
    Item,
    by_hand,
    entry_names,
    feedback_html,
    ident,
    numbers,
    quiz_title,
    slots,
)
from generator.lms.package import write_zip, xml_bytes
from generator.lms.scoring import credit_answers, items
from generator.tables import plain

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA = (
    "http://www.imsglobal.org/xsd/imsqti_v2p1 "
    "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
)


def export(key: Key, run_folder: Path, target: Path) -> Path:
    exam = key.exam
    test_id = ident(exam.name, exam.code, "test")
    all_slots = slots(key)
    files: dict[str, bytes] = {}
    for slot in all_slots:
        for item in slot.items:
            files[f"items/{item.ident}.xml"] = xml_bytes(_item(item))
    files["test.xml"] = xml_bytes(_test(test_id, quiz_title(key), all_slots))
    figures = sorted({f for slot in all_slots for item in slot.items for f in item.figures})
    files["imsmanifest.xml"] = xml_bytes(_manifest(test_id, all_slots, figures))
    return write_zip(target, files, run_folder, figures)


def _q(parent: etree._Element | None, tag: str, **attributes: str) -> etree._Element:
    name = f"{{{QTI}}}{tag}"
    if parent is None:
        return etree.Element(name, nsmap={None: QTI, "xsi": XSI}, **attributes)
    return etree.SubElement(parent, name, **attributes)


def _test(test_id: str, title: str, all_slots: list) -> etree._Element:
    test = _q(None, "assessmentTest", identifier=test_id, title=title)
    test.set(f"{{{XSI}}}schemaLocation", SCHEMA)
    part = _q(test, "testPart", identifier="P1", navigationMode="nonlinear",
              submissionMode="simultaneous")  # fmt: skip
    for slot in all_slots:
        section = _q(part, "assessmentSection", identifier=slot.ident,
                     title=f"{slot.label} {slot.title}", visible="true")  # fmt: skip
        _q(section, "selection", select="1")
        for item in slot.items:
            _q(section, "assessmentItemRef", identifier=item.ident, href=f"items/{item.ident}.xml")
    return test


def _manifest(test_id: str, all_slots: list, figures: list[str]) -> etree._Element:
    manifest = etree.Element(f"{{{CP}}}manifest", nsmap={None: CP}, identifier=test_id + "_m")
    etree.SubElement(manifest, f"{{{CP}}}organizations")
    resources = etree.SubElement(manifest, f"{{{CP}}}resources")
    test = etree.SubElement(resources, f"{{{CP}}}resource", identifier=test_id,
                            type="imsqti_test_xmlv2p1", href="test.xml")  # fmt: skip
    etree.SubElement(test, f"{{{CP}}}file", href="test.xml")
    for slot in all_slots:
        for item in slot.items:
            etree.SubElement(test, f"{{{CP}}}dependency", identifierref=item.ident)
    for slot in all_slots:
        for item in slot.items:
            href = f"items/{item.ident}.xml"
            resource = etree.SubElement(resources, f"{{{CP}}}resource", identifier=item.ident,
                                        type="imsqti_item_xmlv2p1", href=href)  # fmt: skip
            etree.SubElement(resource, f"{{{CP}}}file", href=href)
            for figure in item.figures:
                etree.SubElement(resource, f"{{{CP}}}dependency", identifierref=ident(figure))
    for figure in figures:
        resource = etree.SubElement(resources, f"{{{CP}}}resource", identifier=ident(figure),
                                    type="webcontent", href=figure)  # fmt: skip
        etree.SubElement(resource, f"{{{CP}}}file", href=figure)
    return manifest


def _item(item: Item) -> etree._Element:
    element = _q(None, "assessmentItem", identifier=item.ident, title=item.title,
                 adaptive="false", timeDependent="false")  # fmt: skip
    element.set(f"{{{XSI}}}schemaLocation", SCHEMA)
    build = _extended if by_hand(item.part) else BUILDERS[item.kind]  # a person reads each
    build(element, item)
    return element


def _body(element: etree._Element, item: Item) -> etree._Element:
    """itemBody: the model answer and grading notes for scorers only (a rubric block, which
    QTI wants before the content), then the question text, its HTML turned into QTI's
    XHTML elements."""
    body = _q(element, "itemBody")
    _append_html(_q(body, "rubricBlock", view="scorer"), feedback_html(item.part))
    _append_html(body, item.html.replace('src="figures/', 'src="../figures/'))
    return body


def _append_html(parent: etree._Element, html: str) -> None:
    for fragment in lxml_html.fragments_fromstring(html):
        if isinstance(fragment, str):
            wrapper = _q(parent, "p")
            wrapper.text = fragment
            continue
        parent.append(_to_qti(fragment))


def _to_qti(node: Any) -> etree._Element:
    element = etree.Element(f"{{{QTI}}}{node.tag}", {k: v for k, v in node.attrib.items()})
    element.text, element.tail = node.text, node.tail
    for child in node:
        element.append(_to_qti(child))
    return element


def _score(element: etree._Element, points: float, *, counted: bool = True) -> None:
    """The item's outcomes: SCORE, MAXSCORE, and RIGHT (its items right, as
    responseProcessing counts them) where it is scored by rule."""
    outcomes = [("SCORE", "float", "0"), ("MAXSCORE", "float", plain(points))]
    for identifier, base, value in outcomes + ([("RIGHT", "integer", "0")] if counted else []):
        outcome = _q(element, "outcomeDeclaration", identifier=identifier,
                     cardinality="single", baseType=base)  # fmt: skip
        _q(_q(outcome, "defaultValue"), "value").text = value


# Appends to its parent the expression "this item of the response is right".
Test = Callable[[etree._Element], None]


def _numeric(element: etree._Element, item: Item) -> None:
    values = list(numbers(item.part))
    names = entry_names(item.part) if item.answer_kind.entries else [""]
    ids = [f"RESPONSE{i}" if len(values) > 1 else "RESPONSE" for i in range(1, len(values) + 1)]
    for response, value in zip(ids, values, strict=True):
        declaration = _q(element, "responseDeclaration", identifier=response,
                         cardinality="single", baseType="float")  # fmt: skip
        _q(_q(declaration, "correctResponse"), "value").text = plain(value)
    _score(element, item.points)
    body = _body(element, item)
    for response, name in zip(ids, names, strict=True):
        paragraph = _q(body, "p")
        paragraph.text = f"{name}: " if name else None
        _q(paragraph, "textEntryInteraction", responseIdentifier=response, expectedLength="12")
    margins = [plain(margin_of(item.part, value)) for value in values]
    _process(element, item, [partial(_within, r, m) for r, m in zip(ids, margins, strict=True)])


def _within(response: str, margin: str, parent: etree._Element) -> None:
    equal = _q(parent, "equal", toleranceMode="absolute", tolerance=f"{margin} {margin}",
               includeLowerBound="true", includeUpperBound="true")  # fmt: skip
    _q(equal, "variable", identifier=response)
    _q(equal, "correct", identifier=response)


def _choice(element: etree._Element, item: Item) -> None:
    options = item.part.options
    single = item.answer_kind.single
    ids = [f"C{i}" for i in range(1, len(options) + 1)]
    declaration = _q(element, "responseDeclaration", identifier="RESPONSE",
                     cardinality="single" if single else "multiple",
                     baseType="identifier")  # fmt: skip
    correct = _q(declaration, "correctResponse")
    for option, choice_id in zip(options, ids, strict=True):
        if option.correct:
            _q(correct, "value").text = choice_id
    _score(element, item.points)
    body = _body(element, item)
    interaction = _q(body, "choiceInteraction", responseIdentifier="RESPONSE", shuffle="false",
                     maxChoices="1" if single else "0")  # fmt: skip
    for option, choice_id in zip(options, ids, strict=True):
        choice = _q(interaction, "simpleChoice", identifier=choice_id)
        _append_html(choice, to_html(option.text))
    if single:
        _process(element, item, [_matches])
        return
    tests = [partial(_decided, c, o.correct) for c, o in zip(ids, options, strict=True)]
    _process(element, item, tests)


def _matches(parent: etree._Element) -> None:
    match = _q(parent, "match")
    _q(match, "variable", identifier="RESPONSE")
    _q(match, "correct", identifier="RESPONSE")


def _decided(choice_id: str, true: bool, parent: etree._Element) -> None:
    """A statement decided right: ticked if true, else not ticked (nothing ticked too)."""
    if true:
        _member(parent, "identifier", choice_id)
        return
    either = _q(parent, "or")
    _q(_q(either, "isNull"), "variable", identifier="RESPONSE")
    _member(_q(either, "not"), "identifier", choice_id)


def _member(parent: etree._Element, base: str, value: str) -> None:
    member = _q(parent, "member")
    _q(member, "baseValue", baseType=base).text = value
    _q(member, "variable", identifier="RESPONSE")


def _matching(element: etree._Element, item: Item) -> None:
    pairs = item.part.answer
    lefts = {left: f"L{i}" for i, left in enumerate(pairs, start=1)}
    rights = {o.text: f"R{i}" for i, o in enumerate(item.part.options, start=1)}
    declaration = _q(element, "responseDeclaration", identifier="RESPONSE",
                     cardinality="multiple", baseType="directedPair")  # fmt: skip
    correct = _q(declaration, "correctResponse")
    for left, right in pairs.items():
        _q(correct, "value").text = f"{lefts[left]} {rights[right]}"
    _score(element, item.points)
    body = _body(element, item)
    interaction = _q(body, "matchInteraction", responseIdentifier="RESPONSE", shuffle="false",
                     maxAssociations=str(len(pairs)))  # fmt: skip
    for labels in (lefts, rights):
        match_set = _q(interaction, "simpleMatchSet")
        for text, choice_id in labels.items():
            choice = _q(match_set, "simpleAssociableChoice", identifier=choice_id,
                        matchMax="1" if labels is lefts else str(len(pairs)))  # fmt: skip
            choice.text = text
    tests = [partial(_member, base="directedPair", value=f"{lefts[left]} {rights[right]}")
             for left, right in pairs.items()]  # fmt: skip
    _process(element, item, tests)


def _extended(element: etree._Element, item: Item) -> None:
    _q(element, "responseDeclaration", identifier="RESPONSE", cardinality="single",
       baseType="string")  # fmt: skip
    _score(element, item.points, counted=False)
    body = _body(element, item)
    _q(body, "extendedTextInteraction", responseIdentifier="RESPONSE",
       format="preformatted" if item.answer_kind.monospaced else "plain",
       expectedLines="10" if item.answer_kind.monospaced else "5")  # fmt: skip


# ------------------------------------------------------------------ scoring by the rule


def _process(element: etree._Element, item: Item, tests: list[Test]) -> None:
    """responseProcessing that scores the part's rule (kinds/scoring.py) from each item's
    test (in the order of the part's items): a group's points when all its items are
    right; else RIGHT counts the items right, and SCORE is an equal share of them, ``each``
    per statement, or the points when all are right (a step's when few are wrong)."""
    rule, points = item.part.scoring, item.points
    test = dict(zip(items(item.part), tests, strict=True))
    processing = _q(element, "responseProcessing")
    if rule.rule == "groups":
        for group in rule.groups or ():
            condition = _q(_q(processing, "responseCondition"), "responseIf")
            every = _q(condition, "and")
            for name in group.of:
                test[name](every)
            _add(condition, "SCORE", _number("float", group.points))
        return
    for name in test:
        condition = _q(_q(processing, "responseCondition"), "responseIf")
        test[name](condition)
        _add(condition, "RIGHT", _number("integer", 1))
    if rule.rule == "entries":
        _set(processing, "SCORE", _times(points, _over(len(test))))
    elif rule.rule == "statements":
        _set(processing, "SCORE", _times(rule.each, _right))
    else:
        condition = _q(processing, "responseCondition")
        _all_or_steps(condition, rule, points, len(test))
        for credit in credit_answers("qti21", item.part):  # a named mistake's points
            branch = _q(condition, "responseElseIf")
            _near(branch, credit.value, plain(margin_of(item.part, credit.value)))
            _set(branch, "SCORE", _number("float", float(credit.share) * points))


def _all_or_steps(condition: etree._Element, rule: ScoringInfo, points: float,
                  count: int) -> None:  # fmt: skip
    """The points when all ``count`` items are right, else the best step's whose number of
    wrong items the response does not pass."""
    steps = sorted(rule.steps or (), key=lambda step: -step.points)
    thresholds = [(count, points)] + [(count - step.wrong, step.points) for step in steps]
    for n, (least, earned) in enumerate(thresholds):
        branch = _q(condition, "responseIf" if n == 0 else "responseElseIf")
        at_least = _q(branch, "gte")
        _right(at_least)
        _number("integer", least)(at_least)
        _set(branch, "SCORE", _number("float", earned))


def _near(parent: etree._Element, value: float, margin: str) -> None:
    """RESPONSE within ``margin`` of ``value`` (a named mistake's)."""
    equal = _q(parent, "equal", toleranceMode="absolute", tolerance=f"{margin} {margin}",
               includeLowerBound="true", includeUpperBound="true")  # fmt: skip
    _q(equal, "variable", identifier="RESPONSE")
    _number("float", value)(equal)


def _right(parent: etree._Element) -> None:
    _q(parent, "variable", identifier="RIGHT")


def _number(base: str, value: float) -> Test:
    def write(parent: etree._Element) -> None:
        _q(parent, "baseValue", baseType=base).text = plain(value)

    return write


def _over(count: int) -> Test:
    """RIGHT / count."""

    def write(parent: etree._Element) -> None:
        divide = _q(parent, "divide")
        _right(divide)
        _number("float", count)(divide)

    return write


def _times(amount: float, value: Test) -> Test:
    def write(parent: etree._Element) -> None:
        product = _q(parent, "product")
        _number("float", amount)(product)
        value(product)

    return write


def _set(parent: etree._Element, outcome: str, value: Test) -> None:
    value(_q(parent, "setOutcomeValue", identifier=outcome))


def _add(parent: etree._Element, outcome: str, amount: Test) -> None:
    total = _q(_q(parent, "setOutcomeValue", identifier=outcome), "sum")
    _q(total, "variable", identifier=outcome)
    amount(total)


# The interaction and response processing of each answer kind.
BUILDERS: dict[str, Callable[[etree._Element, Item], None]] = table(__name__, {
    "integer": _numeric, "number": _numeric, "vector": _numeric, "shape": _numeric,
    "choice": _choice, "multi": _choice, "matching": _matching,
    "expression": _extended, "text": _extended, "code": _extended,
})  # fmt: skip


def write(key: Key, run_folder: Path, out: Path) -> list[Path]:
    """The ``qti21`` format's writer (generator.lms): ``qti21.zip`` in ``out``."""
    return [export(key, run_folder, out / "qti21.zip")]
