"""Run exported PrairieLearn questions through PrairieLearn's own question phases, headless.

Run by tests/test_prairielearn.py with PrairieLearn's Python (its elements import lxml,
chevron, sympy, pandas, ...), never imported by the test process:

    python prairielearn_runner.py PRAIRIELEARN_DIR COURSE_DIR JOB.json OUT.json

It does per question and variant seed what PrairieLearn's question server
(apps/prairielearn/src/question-servers/freeform.ts) does: ``generate`` (server.py),
``prepare``, ``render``, ``parse`` and ``grade`` of question.html's elements through
``prairielearn.internal.question_phases.process`` after its Mustache templating, each
phase's data as freeform.ts makes it, and the score from the elements' partial scores
as freeform.ts adds them.  JOB lists, per question, the seeds and the cases to submit:
``correct`` (the correct answers PrairieLearn holds), ``wrong``, ``equivalent`` (a
formula written otherwise), ``edges``, ``mistakes`` and ``entry`` (answers at given values,
by answers-name, the others correct) and ``garbage`` (unreadable text in every input).
After the elements' ``grade``, server.py's ``grade`` runs, as freeform.ts calls it.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import traceback
from pathlib import Path


def core_elements(pl_dir: Path) -> dict[str, dict[str, str]]:
    """PrairieLearn's own elements by name, as its question server lists them."""
    elements = {}
    for folder in sorted((pl_dir / "apps/prairielearn/elements").iterdir()):
        info = folder / "info.json"
        if info.is_file():
            controller = json.loads(info.read_text())["controller"]
            elements[folder.name] = {"name": folder.name, "controller": controller,
                                     "type": "core"}  # fmt: skip
    return elements


def main() -> None:
    pl_dir, course, job_file, out_file = (Path(a) for a in sys.argv[1:5])
    python = pl_dir / "apps/prairielearn/python"
    sys.path.insert(0, str(python))
    import chevron
    from prairielearn.internal import question_phases

    elements = core_elements(pl_dir)
    job = json.loads(job_file.read_text())
    results = []
    cwd = os.getcwd()
    for qid, spec in job.items():
        qdir = course / "questions" / qid
        html = (qdir / "question.html").read_text()
        # zygote.py: serverFilesCourse, then the question's folder, on the path
        sys.path[:0] = [str(qdir), str(course / "serverFilesCourse")]
        server: dict = {"__file__": str(qdir / "server.py")}
        exec(compile((qdir / "server.py").read_text(), str(qdir / "server.py"), "exec"), server)
        for seed in spec["seeds"]:
            for case in spec["cases"] + spec.get("by_seed", {}).get(str(seed), []):
                entry = {
                    "question": qid,
                    "seed": seed,
                    "case": case["name"],
                    "side": case.get("side"),
                }
                try:
                    entry.update(run(chevron, question_phases, elements, course, qdir, html,
                                     server, seed, case))  # fmt: skip
                except Exception:
                    entry["error"] = traceback.format_exc()
                finally:
                    os.chdir(cwd)
                results.append(entry)
        del sys.path[:2]
    out_file.write_text(json.dumps(results))


def options(course: Path, qdir: Path) -> dict:
    return {"question_path": str(qdir),
            "client_files_question_path": str(qdir / "clientFilesQuestion"),
            "client_files_course_path": str(course / "clientFilesCourse"),
            "server_files_course_path": str(course / "serverFilesCourse"),
            "course_extensions_path": str(course / "elementExtensions")}  # fmt: skip


def render_options(course: Path, qdir: Path) -> dict:
    base = options(course, qdir)
    base.update({"client_files_question_url": "/q/clientFilesQuestion",
                 "client_files_course_url": "/c/clientFilesCourse",
                 "client_files_question_dynamic_url": "/q/generatedFilesQuestion",
                 "course_element_files_url": "/c/elements",
                 "course_element_extension_files_url": "/c/elementExtensions",
                 "base_url": "/", "workspace_url": None, "variant_id": "1",
                 "external_image_capture_url": None})  # fmt: skip
    return base


def phase(chevron, question_phases, elements, course, html, name, data):
    context = {"html": chevron.render(html, data), "elements": elements,
               "element_extensions": {}, "course_path": str(course)}  # fmt: skip
    result, _ = question_phases.process(name, data, context)
    return result


def run(chevron, question_phases, elements, course, qdir, html, server, seed, case) -> dict:
    # generate: server.py only (freeform.ts)
    data = {"params": {}, "correct_answers": {}, "variant_seed": seed,
            "options": options(course, qdir), "preferences": {}}  # fmt: skip
    os.chdir(qdir)
    server["generate"](data)
    figures = {}
    for name in data["params"].get("figures", {}):  # pl-figure type="dynamic": file(data)
        asked = {"params": data["params"], "correct_answers": data["correct_answers"],
                 "variant_seed": seed, "options": options(course, qdir),
                 "filename": f"{name}.png"}  # fmt: skip
        png = server["file"](asked)
        figures[name] = len(png) if png.startswith(b"\x89PNG") else 0
    # prepare: the elements, then server.py (which has none)
    data["answers_names"] = {}
    phase(chevron, question_phases, elements, course, html, "prepare", data)
    params, correct = data["params"], data["correct_answers"]
    raw = responses(params, correct, case)
    # render the question panel before any submission
    shown = {"params": params, "correct_answers": correct, "variant_seed": seed,
             "options": render_options(course, qdir), "preferences": {},
             "submitted_answers": {}, "format_errors": {}, "partial_scores": {}, "score": 0,
             "feedback": {}, "raw_submitted_answers": {}, "editable": True,
             "manual_grading": False, "ai_grading": False, "panel": "question",
             "num_valid_submissions": 0}  # fmt: skip
    rendered = phase(chevron, question_phases, elements, course, html, "render", shown)
    # parse
    data = {"params": params, "correct_answers": correct, "submitted_answers": copy.deepcopy(raw),
            "feedback": {}, "format_errors": {}, "variant_seed": seed,
            "options": options(course, qdir), "preferences": {},
            "raw_submitted_answers": raw, "gradable": True}  # fmt: skip
    phase(chevron, question_phases, elements, course, html, "parse", data)
    out = {"figures": figures, "rendered": len(rendered or ""),
           "correct_answers": correct, "format_errors": data["format_errors"]}  # fmt: skip
    if case["name"] == "correct":  # the variant drawn, to compare with ours
        out["params"] = params
    if data["format_errors"]:
        out["gradable"] = False
        return out
    data.update({"partial_scores": {}, "score": 0})
    phase(chevron, question_phases, elements, course, html, "grade", data)
    # freeform.ts: the score from the elements' partial scores (partialCredit), then
    # server.py's grade, which may change both
    total = sum(p.get("weight", 1) for p in data["partial_scores"].values())
    score = sum(p.get("weight", 1) * (p.get("score") or 0) for p in data["partial_scores"].values())
    data["score"] = score / (total or 1)
    if "grade" in server:
        os.chdir(qdir)
        server["grade"](data)
    out.update(
        {
            "gradable": True,
            "score": data["score"],
            "partial_scores": {k: v.get("score") for k, v in data["partial_scores"].items()},
        }
    )
    # render the submission panel with its grade
    shown.update({"submitted_answers": data["submitted_answers"], "partial_scores":
                  data["partial_scores"], "score": out["score"], "panel": "submission",
                  "raw_submitted_answers": raw})  # fmt: skip
    phase(chevron, question_phases, elements, course, html, "render", shown)
    return out


def responses(params: dict, correct: dict, case: dict) -> dict:
    """The raw form fields a browser would send for the case."""
    raw: dict = {}
    for name, value in correct.items():
        if isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):  # pl-number-input, pl-integer-input
            given = value
            if case["name"] == "wrong":
                given = value * 3 + 1000 if isinstance(value, int) else value * 3 + 1000.5
            elif name in case.get("values", {}):  # edges, named mistakes, one entry wrong
                given = case["values"][name]
            raw[name] = "not a number ?!" if case["name"] == "garbage" else repr(given)
        elif isinstance(value, str):  # pl-symbolic-input: the right-hand side
            raw[name] = {"correct": value, "wrong": f"({value}) + 1000",
                         "equivalent": f"2*({value})/2 + 0",
                         "garbage": "not a formula ?!"}.get(case["name"], value)  # fmt: skip
            raw[name] = case.get("values", {}).get(name, raw[name])  # one equation wrong
        elif isinstance(value, dict) and "key" in value:  # pl-multiple-choice
            keys = [a["key"] for a in params[name]]
            raw[name] = (value["key"] if case["name"] != "wrong"
                         else next(k for k in keys if k != value["key"]))  # fmt: skip
        elif isinstance(value, list) and value and isinstance(value[0], dict):  # pl-checkbox
            keys = [a["key"] for a in params[name]]
            right = [a["key"] for a in value]
            raw[name] = right if case["name"] != "wrong" else [k for k in keys if k not in right]
        elif isinstance(value, list):  # pl-matching: an option's index per statement
            count = len(params[name][1])
            for i, index in enumerate(value):
                raw[f"{name}-dropdown-{i}"] = (index if case["name"] != "wrong"
                                               else (index + 1) % count)  # fmt: skip
    return raw


if __name__ == "__main__":
    main()
