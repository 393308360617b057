"""What each student gets back: a feedback page, and the rows of feedback.csv.

A page shows each part's response, verdict, points and expected answer; it is rendered
by the HTML pages' autoescaping templates (templates/feedback.html.j2), so that nothing a
student wrote becomes markup.
"""

from __future__ import annotations

from generator.grading.records import Graded
from generator.key.records import Key
from generator.pages import page_environment
from generator.run_folder import GradesFolder
from generator.tables import csv_text

FEEDBACK_COLUMNS = ("variant", "student_id", "label", "kind", "response", "score", "points",
                    "expected")  # fmt: skip


def feedback_csv(graded: list[Graded]) -> str:
    """One row per student and part: the response, its points and the expected answer."""
    rows = [(g.variant, g.student_id, p.label, p.kind, p.response,
             "to grade by hand" if p.score is None else p.score, p.points, p.expected)
            for g in graded for p in g.parts]  # fmt: skip
    return csv_text(rows, FEEDBACK_COLUMNS)


def feedback_html(key: Key, g: Graded) -> str:
    """One student's page: each part's response, points, verdict and the expected answer."""
    env = page_environment()
    template = env.get_template("feedback.html.j2")
    return template.render(g=g, title=key.exam.title, out_of=key.exam.points)


def write_pages(key: Key, graded: list[Graded], grades: GradesFolder) -> None:
    """Every student's feedback page into ``grades/feedback/``."""
    grades.feedback.mkdir()
    for g in graded:
        page = grades.feedback_page(g.student_id or g.copy_name, g.variant)
        page.write_text(feedback_html(key, g), encoding="utf-8")
