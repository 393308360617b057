"""IMS QTI 2.1 package (OpenOLAT, ILIAS, TAO, Blackboard Ultra banks).

One assessmentTest with one testPart; one assessmentSection per exam part selecting one
item (``<selection select="1"/>``).  Numbers are float text entries compared with
``equal`` and an absolute tolerance; vectors and shapes one text entry per entry;
choices ``choiceInteraction`` (select-all with ``map_response``); matching
``matchInteraction``; free text, formulas and code ``extendedTextInteraction`` with the
model answer in a rubric block for scorers only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from generator.key.records import Key
from generator.kinds import margin_of, table
from generator.lms.html import to_html
from generator.lms.items import Item, entry_names, feedback_html, ident, numbers, quiz_title, slots
from generator.lms.package import write_zip, xml_bytes
from generator.tables import plain

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA = (
    "http://www.imsglobal.org/xsd/imsqti_v2p1 "
    "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
)
MAP_RESPONSE = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"


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
    BUILDERS[item.kind](element, item)
    return element


def _body(element: etree._Element, item: Item, extra_html: str = "") -> etree._Element:
    """itemBody with the question text, its HTML turned into QTI's XHTML elements."""
    body = _q(element, "itemBody")
    html = item.html.replace('src="figures/', 'src="../figures/') + extra_html
    _append_html(body, html)
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


def _score(element: etree._Element, points: float) -> None:
    outcome = _q(element, "outcomeDeclaration", identifier="SCORE", cardinality="single",
                 baseType="float")  # fmt: skip
    _q(_q(outcome, "defaultValue"), "value").text = "0"
    maximum = _q(element, "outcomeDeclaration", identifier="MAXSCORE", cardinality="single",
                 baseType="float")  # fmt: skip
    _q(_q(maximum, "defaultValue"), "value").text = plain(points)


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
    processing = _q(element, "responseProcessing")
    share = plain(round(item.points / len(values), 6))
    for response, value in zip(ids, values, strict=True):
        margin = plain(margin_of(item.part, value))
        condition = _q(_q(processing, "responseCondition"), "responseIf")
        equal = _q(condition, "equal", toleranceMode="absolute", tolerance=f"{margin} {margin}",
                   includeLowerBound="true", includeUpperBound="true")  # fmt: skip
        _q(equal, "variable", identifier=response)
        _q(equal, "correct", identifier=response)
        _add_score(condition, share)


def _add_score(condition: etree._Element, amount: str) -> None:
    setter = _q(condition, "setOutcomeValue", identifier="SCORE")
    total = _q(setter, "sum")
    _q(total, "variable", identifier="SCORE")
    _q(total, "baseValue", baseType="float").text = amount


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
    right = sum(o.correct for o in options)
    wrong = len(options) - right
    mapping = _q(declaration, "mapping", lowerBound="0", upperBound=plain(item.points),
                 defaultValue="0")  # fmt: skip
    for option, choice_id in zip(options, ids, strict=True):
        value = item.points / right if option.correct else -item.points / max(wrong, 1)
        if single:
            value = item.points if option.correct else 0
        _q(mapping, "mapEntry", mapKey=choice_id, mappedValue=plain(round(value, 6)))
    _score(element, item.points)
    body = _body(element, item)
    interaction = _q(body, "choiceInteraction", responseIdentifier="RESPONSE", shuffle="false",
                     maxChoices="1" if single else "0")  # fmt: skip
    for option, choice_id in zip(options, ids, strict=True):
        choice = _q(interaction, "simpleChoice", identifier=choice_id)
        _append_html(choice, to_html(option.text))
    _q(element, "responseProcessing", template=MAP_RESPONSE)


def _matching(element: etree._Element, item: Item) -> None:
    pairs = item.part.answer
    lefts = {left: f"L{i}" for i, left in enumerate(pairs, start=1)}
    rights = {o.text: f"R{i}" for i, o in enumerate(item.part.options, start=1)}
    declaration = _q(element, "responseDeclaration", identifier="RESPONSE",
                     cardinality="multiple", baseType="directedPair")  # fmt: skip
    correct = _q(declaration, "correctResponse")
    for left, right in pairs.items():
        _q(correct, "value").text = f"{lefts[left]} {rights[right]}"
    mapping = _q(declaration, "mapping", lowerBound="0", upperBound=plain(item.points),
                 defaultValue="0")  # fmt: skip
    for left, right in pairs.items():
        _q(mapping, "mapEntry", mapKey=f"{lefts[left]} {rights[right]}",
           mappedValue=plain(round(item.points / len(pairs), 6)))  # fmt: skip
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
    _q(element, "responseProcessing", template=MAP_RESPONSE)


def _extended(element: etree._Element, item: Item) -> None:
    _q(element, "responseDeclaration", identifier="RESPONSE", cardinality="single",
       baseType="string")  # fmt: skip
    _score(element, item.points)
    body = _body(element, item)
    rubric = _q(body, "rubricBlock", view="scorer")
    _append_html(rubric, feedback_html(item.part))
    body.remove(rubric)
    body.insert(0, rubric)  # QTI wants rubric blocks before the content
    _q(body, "extendedTextInteraction", responseIdentifier="RESPONSE",
       format="preformatted" if item.answer_kind.monospaced else "plain",
       expectedLines="10" if item.answer_kind.monospaced else "5")  # fmt: skip


# The interaction and response processing of each answer kind.
BUILDERS: dict[str, Callable[[etree._Element, Item], None]] = table(__name__, {
    "integer": _numeric, "number": _numeric, "vector": _numeric, "shape": _numeric,
    "choice": _choice, "multi": _choice, "matching": _matching,
    "expression": _extended, "text": _extended, "code": _extended,
})  # fmt: skip


def write(key: Key, run_folder: Path, out: Path) -> list[Path]:
    """The ``qti21`` format's writer (generator.lms): ``qti21.zip`` in ``out``."""
    return [export(key, run_folder, out / "qti21.zip")]
