"""Canvas QTI 1.2 zip (Classic Quizzes; New Quizzes imports the same file).

One quiz; one question group per exam part picking one item (``selection_number`` 1),
so each student gets one variant of each part.  Numbers are ``numerical_question`` with
the exact-or-range answer shape Canvas's importer recognises (bounds computed with
``decimal``).  Vectors and shapes are fill-in-multiple-blanks, which Canvas matches as
text, so a few spellings of each number are accepted.  A select-all part is one True/False
dropdown per statement (multiple dropdowns), so that each statement decided right earns
an equal share, as its rubric says.  Choices, matching and essays map to Canvas's own
question types, and so does a part whose rubric has a person read every response (an
essay).  Canvas scores each type its own way, whatever the file's scores say: each blank,
dropdown or pair an equal share (lms/scoring.py).  Figures ship as web content.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lxml import etree

from generator.key.records import Key, OptionInfo
from generator.kinds import bounds, table
from generator.lms.html import to_html
from generator.lms.items import (
    Item,
    blanks_html,
    by_hand,
    feedback_html,
    ident,
    item,
    numbers,
    quiz_title,
    slots,
    statements_html,
)
from generator.lms.package import write_zip, xml_bytes
from generator.lms.seats import Drawn, Seat
from generator.lms.seats import seats as all_seats
from generator.tables import plain

QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CC = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CANVAS = "http://canvas.instructure.com/xsd/cccv1p0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def export(key: Key, run_folder: Path, target: Path) -> Path:
    """Write the zip to ``target``: manifest, quiz, assessment metadata, figures."""
    exam = key.exam
    quiz_id = ident(exam.name, exam.code, "quiz")
    title = quiz_title(key)
    figures = sorted({f for slot in slots(key) for item in slot.items for f in item.figures})
    files = {
        "imsmanifest.xml": _manifest(quiz_id, title, figures),
        f"{quiz_id}/{quiz_id}.xml": _quiz(key, quiz_id, title),
        f"{quiz_id}/assessment_meta.xml": _meta(quiz_id, title, exam.points),
    }
    return write_zip(target, files, run_folder, figures)


def _manifest(quiz_id: str, title: str, figures: list[str]) -> bytes:
    meta_id = quiz_id + "_meta"
    manifest = etree.Element(f"{{{CC}}}manifest", nsmap={None: CC, "xsi": XSI},
                             identifier=quiz_id + "_manifest")  # fmt: skip
    metadata = etree.SubElement(manifest, f"{{{CC}}}metadata")
    etree.SubElement(metadata, f"{{{CC}}}schema").text = "IMS Content"
    etree.SubElement(metadata, f"{{{CC}}}schemaversion").text = "1.1.3"
    etree.SubElement(manifest, f"{{{CC}}}organizations")
    resources = etree.SubElement(manifest, f"{{{CC}}}resources")
    quiz = etree.SubElement(resources, f"{{{CC}}}resource", identifier=quiz_id,
                            type="imsqti_xmlv1p2")  # fmt: skip
    etree.SubElement(quiz, f"{{{CC}}}file", href=f"{quiz_id}/{quiz_id}.xml")
    etree.SubElement(quiz, f"{{{CC}}}dependency", identifierref=meta_id)
    meta = etree.SubElement(
        resources, f"{{{CC}}}resource", identifier=meta_id,
        type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
        href=f"{quiz_id}/assessment_meta.xml",
    )  # fmt: skip
    etree.SubElement(meta, f"{{{CC}}}file", href=f"{quiz_id}/assessment_meta.xml")
    for figure in figures:
        resource = etree.SubElement(resources, f"{{{CC}}}resource", identifier=ident(figure),
                                    type="webcontent", href=figure)  # fmt: skip
        etree.SubElement(resource, f"{{{CC}}}file", href=figure)
    return xml_bytes(manifest)


def _meta(quiz_id: str, title: str, points: float) -> bytes:
    quiz = etree.Element(f"{{{CANVAS}}}quiz", nsmap={None: CANVAS, "xsi": XSI},
                         identifier=quiz_id)  # fmt: skip
    fields = {
        "title": title, "description": "", "shuffle_answers": "false",
        "scoring_policy": "keep_highest", "quiz_type": "assignment",
        "points_possible": plain(points), "show_correct_answers": "false",
        "hide_results": "always",  # model answers in feedback stay with the graders
        "allowed_attempts": "1", "one_question_at_a_time": "false", "cant_go_back": "false",
        "available": "false",
    }  # fmt: skip
    for tag, value in fields.items():
        etree.SubElement(quiz, f"{{{CANVAS}}}{tag}").text = value
    assignment = etree.SubElement(quiz, f"{{{CANVAS}}}assignment", identifier=quiz_id + "_a")
    for tag, value in {
        "title": title,
        "workflow_state": "unpublished",
        "quiz_identifierref": quiz_id,
        "points_possible": plain(points),
        "grading_type": "points",
        "submission_types": "online_quiz",
    }.items():
        etree.SubElement(assignment, f"{{{CANVAS}}}{tag}").text = value
    return xml_bytes(quiz)


def _quiz(key: Key, quiz_id: str, title: str) -> bytes:
    root = etree.Element(f"{{{QTI}}}questestinterop", nsmap={None: QTI, "xsi": XSI})
    assessment = _sub(root, "assessment", ident=quiz_id, title=title)
    metadata = _sub(assessment, "qtimetadata")
    _field(metadata, "cc_maxattempts", "1")
    section = _sub(assessment, "section", ident="root_section")
    for group_id, name, points, items in _groups(key):
        group = _sub(section, "section", ident=group_id, title=name)
        _selection(group, plain(points))
        for one in items:
            group.append(_item(one))
    return xml_bytes(root)


Group = tuple[str, str, float, tuple[Item, ...]]  # ident, title, points per item, items


def _groups(key: Key) -> list[Group]:
    """The quiz's question groups, in the exam's order: a group per seat of a table whose
    questions have one part each (:func:`seats`: a question drawn whole), and a group per
    part of every other question."""
    seated = seats(key)
    by_question = {d.question.id: n for n, seat in enumerate(seated) for d in seat.drawn}
    order = {qid: n for n, qid in enumerate(key.exam.questions)}
    groups: list[tuple[int, Group]] = []
    for seat in seated:
        items = tuple(whole_item(key, d) for d in seat.drawn)
        first = min(order[d.question.id] for d in seat.drawn)
        groups.append((first, (seat.ident, f"{seat.label} {seat.title}", seat.points, items)))
    for slot in slots(key):
        qid = slot.items[0].question
        if qid not in by_question:
            name = f"{slot.label} {slot.title}"
            groups.append((order[qid], (slot.ident, name, slot.points, slot.items)))
    return [group for _, group in sorted(groups, key=lambda g: g[0])]


def seats(key: Key) -> list[Seat]:
    """The seats Canvas draws whole: those of the tables that pick, where every question of
    the table has one part (a question group draws items, and an item is one part)."""
    tables = {qid: pool.table for pool in key.exam.pools or () for qid in pool.from_}
    found = [s for s in all_seats(key) if s.drawn[0].question.id in tables]
    one_part = {t for t in set(tables.values())
                if all(len(d.question.parts) == 1 for s in found for d in s.drawn
                       if tables[d.question.id] == t)}  # fmt: skip
    return [s for s in found if tables[s.drawn[0].question.id] in one_part]


def whole_item(key: Key, drawn: Drawn) -> Item:
    """A one-part question drawn whole, as an item of its own (its stem and title)."""
    question = drawn.question
    return item(key.exam.name, drawn.variant, question, question.parts[0],
                tuple(question.figures.values()))  # fmt: skip


def _selection(group: etree._Element, points: str) -> None:
    selection = _sub(_sub(group, "selection_ordering"), "selection")
    _sub(selection, "selection_number").text = "1"
    _sub(_sub(selection, "selection_extension"), "points_per_item").text = points


def question_type(item: Item) -> tuple[str, Builder]:
    """Canvas's question type of the item, and what builds its response processing: its
    kind's, or an essay where its rubric has a person read every response."""
    return QUESTIONS["text"] if by_hand(item.part) else QUESTIONS[item.kind]


def blanks_text(item: Item) -> str:
    """What the item's question text adds for its type: the ``[b1]`` blanks of its entries,
    or its statements each with its ``[s1]`` dropdown."""
    kind = question_type(item)[0]
    if kind == "fill_in_multiple_blanks_question":
        return blanks_html(item.part, [f"[b{i + 1}]" for i in range(len(item.part.answer))])
    if kind == "multiple_dropdowns_question":
        return statements_html(item.part, [f"[s{i + 1}]" for i in range(len(item.part.options))])
    return ""


def _item(item: Item) -> etree._Element:
    question_type_name, build = question_type(item)
    item_id = item.ident
    element = etree.Element(f"{{{QTI}}}item", ident=item_id, title=item.title)
    metadata = _sub(_sub(element, "itemmetadata"), "qtimetadata")
    _field(metadata, "question_type", question_type_name)
    _field(metadata, "points_possible", plain(item.points))
    answer_ids = _answer_ids(item)
    _field(metadata, "original_answer_ids", ",".join(answer_ids))
    _field(metadata, "assessment_question_identifierref", item_id + "_aq")
    presentation = _sub(element, "presentation")
    html = item.html.replace('src="figures/', 'src="$IMS-CC-FILEBASE$/figures/')
    _mattext(_sub(presentation, "material"), html + blanks_text(item))
    processing = _sub(element, "resprocessing")
    outcomes = _sub(processing, "outcomes")
    _sub(outcomes, "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    feedback = _sub(processing, "respcondition", **{"continue": "Yes"})
    _sub(_sub(feedback, "conditionvar"), "other")
    _sub(feedback, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
    build(presentation, processing, item, answer_ids)
    general = _sub(element, "itemfeedback", ident="general_fb")
    _mattext(_sub(_sub(general, "flow_mat"), "material"), feedback_html(item.part))
    return element


def _numerical(presentation: etree._Element, processing: etree._Element, item: Item,
               answer_ids: list[str]) -> None:  # fmt: skip
    value = item.part.answer
    response = _sub(presentation, "response_str", ident="response1", rcardinality="Single")
    _sub(_sub(response, "render_fib", fibtype="Decimal"), "response_label", ident="answer1")
    low, high = bounds(item.part, value)
    condition = _sub(processing, "respcondition", **{"continue": "No"})
    either = _sub(_sub(condition, "conditionvar"), "or")
    _sub(either, "varequal", respident="response1").text = plain(value)
    band = _sub(either, "and")
    _sub(band, "vargte", respident="response1").text = plain(low)
    _sub(band, "varlte", respident="response1").text = plain(high)
    _sub(condition, "setvar", action="Set", varname="SCORE").text = "100"


def _blanks(presentation: etree._Element, processing: etree._Element, item: Item,
            answer_ids: list[str]) -> None:  # fmt: skip
    """One blank per entry; Canvas matches blanks as text, so a few spellings are accepted."""
    item_id = item.ident
    values = list(numbers(item.part))
    share = plain(round(100 / len(values), 4))
    for i, value in enumerate(values, start=1):
        response_id = f"response_b{i}"
        response = _sub(presentation, "response_lid", ident=response_id)
        _mattext(_sub(response, "material"), f"b{i}", html=False)
        render = _sub(response, "render_choice")
        spellings = _spellings(value)
        for spelling in spellings:
            label = _sub(render, "response_label", ident=ident(item_id, str(i), spelling))
            _mattext(_sub(label, "material"), spelling, html=False)
        for spelling in spellings:
            condition = _sub(processing, "respcondition")
            _sub(_sub(condition, "conditionvar"), "varequal", respident=response_id).text = ident(
                item_id, str(i), spelling
            )
            _sub(condition, "setvar", varname="SCORE", action="Add").text = share


def _dropdown(item: Item, statement: int, verdict: bool) -> str:
    """The answer id of one verdict in statement ``statement``'s dropdown."""
    return ident(item.ident, f"s{statement}", str(verdict))


def _answer_ids(item: Item) -> list[str]:
    """The item's answer ids in order, as ``original_answer_ids`` lists them: each option's,
    or each verdict of each statement's dropdown."""
    if question_type(item)[1] is _dropdowns:
        count = len(item.part.options)
        return [_dropdown(item, i, v) for i in range(1, count + 1) for v in (True, False)]
    return [ident(item.ident, o.label) for o in item.part.options or ()]


def _spellings(value: float | int) -> list[str]:
    """1.01, 1.010, 1.0100: the ways a person writes the same number."""
    exact = plain(value)
    forms = [exact]
    if "." in exact:
        forms += [exact + "0", exact + "00"]
    return forms


def _choice(presentation: etree._Element, processing: etree._Element, item: Item,
            answer_ids: list[str]) -> None:  # fmt: skip
    _choices(presentation, processing, item.part.options, answer_ids)


def _dropdowns(presentation: etree._Element, processing: etree._Element, item: Item,
               answer_ids: list[str]) -> None:  # fmt: skip
    """One True/False dropdown per statement (``[s1]`` in the text), the right verdict's
    condition adding its share, as Canvas's own export writes multiple dropdowns."""
    kind = item.answer_kind
    options = item.part.options
    share = plain(round(100 / len(options), 4))
    for i, option in enumerate(options, start=1):
        blank = f"s{i}"
        response = _sub(presentation, "response_lid", ident=f"response_{blank}")
        _mattext(_sub(response, "material"), blank, html=False)
        render = _sub(response, "render_choice")
        for verdict in (True, False):
            label = _sub(render, "response_label", ident=_dropdown(item, i, verdict))
            _mattext(_sub(label, "material"), kind.verdict(verdict), html=False)
        condition = _sub(processing, "respcondition")
        test = _sub(_sub(condition, "conditionvar"), "varequal", respident=f"response_{blank}")
        test.text = _dropdown(item, i, option.correct)
        _sub(condition, "setvar", varname="SCORE", action="Add").text = share


def _choices(presentation: etree._Element, processing: etree._Element, options: list[OptionInfo],
             answer_ids: list[str]) -> None:  # fmt: skip
    response = _sub(presentation, "response_lid", ident="response1", rcardinality="Single")
    render = _sub(response, "render_choice")
    for option, answer_id in zip(options, answer_ids, strict=True):
        label = _sub(render, "response_label", ident=answer_id)
        _mattext(_sub(label, "material"), to_html(option.text))
    condition = _sub(processing, "respcondition", **{"continue": "No"})
    test = _sub(condition, "conditionvar")
    for option, answer_id in zip(options, answer_ids, strict=True):
        if option.correct:
            _sub(test, "varequal", respident="response1").text = answer_id
    _sub(condition, "setvar", action="Set", varname="SCORE").text = "100"


def _matching(presentation: etree._Element, processing: etree._Element, item: Item,
              answer_ids: list[str]) -> None:  # fmt: skip
    item_id = item.ident
    pairs = item.part.answer
    choices = [o.text for o in item.part.options]
    choice_ids = {text: ident(item_id, "choice", text) for text in choices}
    share = plain(round(100 / len(pairs), 4))
    for left, right in pairs.items():
        response_id = "response_" + ident(item_id, left)
        response = _sub(presentation, "response_lid", ident=response_id)
        _mattext(_sub(response, "material"), left, html=False)
        render = _sub(response, "render_choice")
        for text in choices:
            _mattext(_sub(_sub(render, "response_label", ident=choice_ids[text]), "material"),
                     text, html=False)  # fmt: skip
        condition = _sub(processing, "respcondition")
        _sub(_sub(condition, "conditionvar"), "varequal", respident=response_id).text = choice_ids[
            right
        ]
        _sub(condition, "setvar", varname="SCORE", action="Add").text = share


def _essay(presentation: etree._Element, processing: etree._Element, item: Item,
           answer_ids: list[str]) -> None:  # fmt: skip
    response = _sub(presentation, "response_str", ident="response1", rcardinality="Single")
    _sub(_sub(response, "render_fib"), "response_label", ident="answer1", rshuffle="No")
    condition = _sub(processing, "respcondition", **{"continue": "No"})
    _sub(_sub(condition, "conditionvar"), "other")


Builder = Callable[[etree._Element, etree._Element, Item, list[str]], None]
# Canvas's question type and the response processing of each answer kind.
QUESTIONS: dict[str, tuple[str, Builder]] = table(__name__, {
    "integer": ("numerical_question", _numerical),
    "number": ("numerical_question", _numerical),
    "vector": ("fill_in_multiple_blanks_question", _blanks),
    "shape": ("fill_in_multiple_blanks_question", _blanks),
    "choice": ("multiple_choice_question", _choice),
    "multi": ("multiple_dropdowns_question", _dropdowns),
    "matching": ("matching_question", _matching),
    "expression": ("essay_question", _essay),
    "text": ("essay_question", _essay),
    "code": ("essay_question", _essay),
})  # fmt: skip


def _field(metadata: etree._Element, label: str, entry: str) -> None:
    field = _sub(metadata, "qtimetadatafield")
    _sub(field, "fieldlabel").text = label
    _sub(field, "fieldentry").text = entry


def _mattext(material: etree._Element, text: str, *, html: bool = True) -> None:
    attributes = {"texttype": "text/html"} if html else {"texttype": "text/plain"}
    _sub(material, "mattext", **attributes).text = text


def _sub(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{QTI}}}{tag}", **attributes)


def write(key: Key, run_folder: Path, out: Path) -> list[Path]:
    """The ``canvas`` format's writer (generator.lms): ``canvas-qti12.zip`` in ``out``."""
    return [export(key, run_folder, out / "canvas-qti12.zip")]
