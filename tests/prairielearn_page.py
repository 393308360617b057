"""A student's view of exported PrairieLearn questions, rendered by PrairieLearn's own code.

    python tests/prairielearn_page.py [--out DIR] [--seed N] [--question BLUEPRINT:QID ...]
                                      [--screenshot PNG]

For the docs' screenshot (docs/images/prairielearn-question.png, docs/lms-delivery.md):

1. builds a run per blueprint (``generate-exam --public --seed 42 --no-pdf
   --lms prairielearn [--blueprint B] --out DIR/runs``);
2. installs the course's ``serverFilesCourse/requirements.txt`` as a course author does
   (tests/fetch_prairielearn.py), and runs each question through PrairieLearn's
   ``generate`` (the question's server.py),
   ``prepare`` and ``render`` (the question panel, before any submission) with its
   ``question_phases`` and elements, as tests/prairielearn_runner.py does, in
   PrairieLearn's Python;
3. writes ``DIR/<question>.html``: the rendered HTML in the card a student's exam page
   wraps it in (studentInstanceQuestion's ``QuestionContainer``: "Question N", the Save
   buttons), with the stylesheets and scripts PrairieLearn's pages load
   (``HeadContents.tsx``): Bootstrap, PrairieLearn's ``colors.css``, ``local.css`` and
   ``prairielearn-ui.css``, Font Awesome, jQuery, MathJax with PrairieLearn's configuration
   (``src/lib/client/mathjax.ts``), and each rendered element's own dependencies (its
   ``info.json``);
4. with ``--screenshot PNG`` (one per question, in order), takes its page with headless Chromium
   (``chromium --headless --screenshot``), MathJax and the elements' scripts given time
   to run.

Where things come from: PrairieLearn's question code and Python as for the tests
(``PRAIRIELEARN_DIR``, ``PRAIRIELEARN_PYTHON``, else tests/fetch_prairielearn.py's cache).
That cache holds no web assets, so PrairieLearn's stylesheets (``public/stylesheets``,
``assets/stylesheets``) are read from ``PRAIRIELEARN_DIR`` when it is a full checkout, else
from a git directory of PrairieLearn (``PRAIRIELEARN_MIRROR``) at the pinned commit, else
from GitHub at that commit; the npm packages PrairieLearn serves from its node_modules
are fetched with ``npm pack`` at the versions its pnpm-lock.yaml pins at that commit
(``NODE_MODULES``), into ``<cache>/web/``.  Nothing here changes PrairieLearn's files.
"""

from __future__ import annotations

import argparse
import html as htmlmod
import json
import os
import shutil
import subprocess
import sys
import tarfile
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import fetch_prairielearn  # noqa: E402

COMMIT = fetch_prairielearn.COMMIT
# The versions PrairieLearn's pnpm-lock.yaml pins at COMMIT.
NODE_MODULES = {
    "bootstrap": "5.3.8",
    "jquery": "3.7.1",
    "@fortawesome/fontawesome-free": "7.3.1",
    "mathjax": "4.1.3",
    "@mathjax/mathjax-newcm-font": "4.1.3",
    "quill": "2.0.2",
    "quilljs-markdown": "1.2.0",
    "he": "1.2.0",
    "dompurify": "3.4.13",
    "tom-select": "2.6.2",
}
# PrairieLearn's own stylesheets its pages load (HeadContents.tsx).
PL_STYLES = ("apps/prairielearn/public/stylesheets/colors.css",
             "apps/prairielearn/public/stylesheets/local.css",
             "apps/prairielearn/assets/stylesheets/prairielearn-ui.css")  # fmt: skip
MIRROR = Path(os.environ.get("PRAIRIELEARN_MIRROR",
                             "/work/.mirror/PrairieLearn+PrairieLearn/repo"))  # fmt: skip
RAW = "https://raw.githubusercontent.com/PrairieLearn/PrairieLearn/{commit}/{path}"
DEFAULT_QUESTIONS = ("cs230-midterm-winter-2020:cs230-w2020/cnns",
                     "dl-core-quiz:dl-core/softmax-cross-entropy")  # fmt: skip


# -- in PrairieLearn's Python ----------------------------------------------------------------


def render_question(pl_dir: Path, course: Path, qid: str, seed: int, out: Path) -> None:
    """generate, prepare and render one question's question panel; write its HTML and the
    elements the render processed (for their dependencies) to OUT (JSON)."""
    sys.path.insert(0, str(pl_dir / "apps/prairielearn/python"))
    import chevron
    from prairielearn.internal import question_phases
    from prairielearn_runner import core_elements, options, render_options

    elements = core_elements(pl_dir)
    qdir = course / "questions" / qid
    sys.path[:0] = [str(qdir), str(course / "serverFilesCourse")]  # as zygote.py does
    source = (qdir / "question.html").read_text()
    server: dict = {"__file__": str(qdir / "server.py")}
    exec(compile((qdir / "server.py").read_text(), str(qdir / "server.py"), "exec"), server)

    def phase(name: str, data: dict):
        context = {"html": chevron.render(source, data), "elements": elements,
                   "element_extensions": {}, "course_path": str(course)}  # fmt: skip
        return question_phases.process(name, data, context)

    cwd = os.getcwd()
    os.chdir(qdir)
    try:
        data = {"params": {}, "correct_answers": {}, "variant_seed": seed,
                "options": options(course, qdir), "preferences": {}}  # fmt: skip
        server["generate"](data)
        data["answers_names"] = {}
        phase("prepare", data)
        shown = {"params": data["params"], "correct_answers": data["correct_answers"],
                 "variant_seed": seed, "options": render_options(course, qdir),
                 "preferences": {}, "submitted_answers": {}, "format_errors": {},
                 "partial_scores": {}, "score": 0, "feedback": {},
                 "raw_submitted_answers": {}, "editable": True, "manual_grading": False,
                 "ai_grading": False, "panel": "question",
                 "num_valid_submissions": 0}  # fmt: skip
        rendered, processed = phase("render", shown)
    finally:
        os.chdir(cwd)
    out.write_text(json.dumps({"html": rendered, "elements": sorted(processed)}))


# -- in our Python ---------------------------------------------------------------------------


def prairielearn() -> tuple[Path, Path]:
    cache = fetch_prairielearn.CACHE
    python = Path(os.environ.get("PRAIRIELEARN_PYTHON", cache / "venv" / "bin" / "python"))
    pl_dir = Path(os.environ.get("PRAIRIELEARN_DIR", cache / COMMIT))
    if not python.exists() or not (pl_dir / "apps/prairielearn/python").is_dir():
        sys.exit(f"PrairieLearn's code ({pl_dir}) or Python ({python}) is missing: run "
                 "`python tests/fetch_prairielearn.py --venv`, or set PRAIRIELEARN_DIR "
                 "and PRAIRIELEARN_PYTHON")  # fmt: skip
    return pl_dir, python


def build(blueprint: str, out: Path) -> Path:
    """The run's PrairieLearn course folder (generate-exam --public --seed 42 ...)."""
    out.mkdir(parents=True, exist_ok=True)
    args = ["--public", "--seed", "42", "--no-pdf", "--lms", "prairielearn", "--out", str(out)]
    if blueprint != "cs230-midterm-winter-2020":
        args[:0] = ["--blueprint", blueprint]
    before = {p for p in out.iterdir() if p.is_dir()}
    subprocess.run([sys.executable, "-c", "from generator.launch import main; main()", *args],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    runs = [p for p in out.iterdir() if p.is_dir() and p.name.startswith(blueprint)]
    (run,) = [p for p in runs if p not in before] or runs
    return run / "lms" / "prairielearn"


def pl_file(pl_dir: Path, path: str, cache: Path) -> Path:
    """One of PrairieLearn's files at COMMIT: the checkout's, else the git directory's,
    else GitHub's (kept in the cache)."""
    if (pl_dir / path).is_file():
        return pl_dir / path
    target = cache / path
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        if (MIRROR / "HEAD").is_file():
            data = subprocess.run(["git", "--git-dir", str(MIRROR), "show", f"{COMMIT}:{path}"],
                                  check=True, capture_output=True).stdout  # fmt: skip
        else:
            with urllib.request.urlopen(RAW.format(commit=COMMIT, path=path)) as response:
                data = response.read()
        target.write_bytes(data)
    return target


def node_module(name: str, cache: Path) -> Path:
    """node_modules/<name> at the version PrairieLearn pins, by `npm pack` (kept)."""
    target = cache / "node_modules" / name
    if (target / "package.json").is_file():
        return target
    packs = cache / "npm"
    packs.mkdir(parents=True, exist_ok=True)
    spec = f"{name}@{NODE_MODULES[name]}"
    tgz = subprocess.run(["npm", "pack", spec, "--pack-destination", str(packs), "--silent"],
                         check=True, capture_output=True, text=True).stdout.split()[-1]  # fmt: skip
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with tarfile.open(packs / tgz) as tar:
        tar.extractall(tmp, filter="data")
    (tmp / "package").rename(target)
    tmp.rmdir()
    return target


MATHJAX_CONFIG = """
// PrairieLearn's MathJax configuration (apps/prairielearn/src/lib/client/mathjax.ts)
window.MathJax = {
  options: {ignoreHtmlClass: 'mathjax_ignore|tex2jax_ignore', processHtmlClass: 'mathjax_process'},
  tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']]},
  svg: {blacker: 13, linebreaks: {inline: false}},
  loader: {load: ['input/tex', 'ui/menu', 'output/svg'], paths: {'mathjax-newcm': '%s'}},
};
"""


def page(
    title: str, body: str, styles: list[str], scripts: list[str], mathjax: str, fonts: str
) -> str:
    links = "\n".join(f'<link href="{s}" rel="stylesheet" />' for s in styles)
    tags = "\n".join(f'<script src="{s}"></script>' for s in scripts)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>{htmlmod.escape(title)} | PrairieLearn (rendered by its question phases)</title>
{links}
{tags}
<script>{MATHJAX_CONFIG % fonts}</script>
<script defer src="{mathjax}/tex-svg.js"></script>
</head>
<body>
<main id="content" class="container-fluid pt-3">
<form class="question-form" name="question-form" method="POST" onsubmit="return false">
<div class="card mb-3 question-block">
  <div class="card-header bg-primary text-white d-flex align-items-center gap-2">
    <h1>{htmlmod.escape(title)}</h1>
  </div>
  <div class="card-body overflow-x-auto question-body">
{body}
  </div>
  <div class="card-footer" id="question-panel-footer">
    <div class="row">
      <div class="col d-flex justify-content-between flex-wrap gap-2">
        <span class="d-flex align-items-center">
          <button type="submit" class="btn btn-info question-save order-2">Save only</button>
          <button type="submit" class="btn btn-primary question-grade order-1 me-1">Save &amp; Grade
            <small class="fst-italic ms-2">Single attempt</small></button>
        </span>
      </div>
    </div>
  </div>
</div>
</form>
</main>
</body>
</html>
"""


def number(course: Path, qid: str) -> int:
    """The question's number in its exported assessment (zones in order)."""
    for info in course.glob("courseInstances/*/assessments/*/infoAssessment.json"):
        ids = [q["id"] for zone in json.loads(info.read_text())["zones"]
               for q in zone["questions"]]  # fmt: skip
        if qid in ids:
            return ids.index(qid) + 1
    return 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/prairielearn-page"))
    parser.add_argument("--seed", type=int, default=0, help="PrairieLearn's variant seed")
    parser.add_argument("--question", action="append", metavar="BLUEPRINT:QID",
                        help=f"default: {' and '.join(DEFAULT_QUESTIONS)}")  # fmt: skip
    parser.add_argument("--screenshot", type=Path, action="append", metavar="PNG",
                        help="a PNG of the question in the same place")  # fmt: skip
    parser.add_argument("--window-size", default="1000,900")
    args = parser.parse_args()
    pl_dir, python = prairielearn()
    web = fetch_prairielearn.CACHE / "web"
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    assets = out / "assets"
    assets.mkdir(exist_ok=True)

    def asset(src: Path, rel: str) -> str:
        dest = assets / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.is_symlink() or dest.exists():
            dest.unlink()
        dest.symlink_to(src)
        return f"assets/{rel}"

    def module(name: str) -> str:
        return asset(node_module(name, web), f"node_modules/{name}")

    styles = [module("bootstrap") + "/dist/css/bootstrap.min.css"]
    styles += [asset(pl_file(pl_dir, p, web / COMMIT), f"pl/{Path(p).name}") for p in PL_STYLES]
    styles.append(module("@fortawesome/fontawesome-free") + "/css/all.min.css")
    scripts = [module("jquery") + "/dist/jquery.min.js",
               module("bootstrap") + "/dist/js/bootstrap.bundle.min.js"]  # fmt: skip
    mathjax, fonts = module("mathjax"), module("@mathjax/mathjax-newcm-font")
    pages = []
    courses: dict[str, Path] = {}
    for spec in args.question or DEFAULT_QUESTIONS:
        blueprint, qid = spec.split(":", 1)
        if blueprint not in courses:
            courses[blueprint] = build(blueprint, out / "runs")
            fetch_prairielearn.install_server_files(python, courses[blueprint])
        course = courses[blueprint]
        result = out / (qid.replace("/", "--") + ".json")
        subprocess.run([str(python), __file__, "--render", str(pl_dir), str(course), qid,
                        str(args.seed), str(result)], check=True)  # fmt: skip
        rendered = json.loads(result.read_text())
        q_styles, q_scripts = list(styles), list(scripts)
        elements_dir = pl_dir / "apps/prairielearn/elements"
        for element in rendered["elements"]:
            info = json.loads((elements_dir / element / "info.json").read_text())
            deps = info.get("dependencies", {})
            for kind, into in (("nodeModulesStyles", q_styles), ("nodeModulesScripts", q_scripts)):
                for path in deps.get(kind, []):
                    name = "/".join(path.split("/")[: 2 if path.startswith("@") else 1])
                    if name in NODE_MODULES:
                        into.append(module(name) + path[len(name) :])
                    else:
                        print(f"{element}: {path} left out (no pinned version)", file=sys.stderr)
            for kind, into in (("elementStyles", q_styles), ("elementScripts", q_scripts)):
                for path in deps.get(kind, []):
                    into.append(asset(elements_dir / element / path, f"elements/{element}/{path}"))
        title = f"Question {number(course, qid)}"
        target = out / (qid.replace("/", "--") + ".html")
        target.write_text(page(title, rendered["html"], q_styles, q_scripts, mathjax, fonts))
        pages.append(target)
        print(target)
    for shot, target in zip(args.screenshot or [], pages, strict=False):
        shot = shot.resolve()
        shot.parent.mkdir(parents=True, exist_ok=True)
        browser = shutil.which("chromium") or shutil.which("chromium-browser")
        if not browser:
            sys.exit("no chromium: `apt-get install -y chromium` (Debian)")
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", "--allow-file-access-from-files",
                        "--virtual-time-budget=10000", f"--screenshot={shot}",
                        f"--window-size={args.window_size}", target.as_uri()],
                       check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)  # fmt: skip
        print(shot)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--render"]:
        render_question(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], int(sys.argv[5]),
                        Path(sys.argv[6]))  # fmt: skip
    else:
        main()
