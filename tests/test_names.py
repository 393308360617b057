"""Students' names in every script: cleaned for print, checked against the fonts, and on the
cover and every footer of their exam, as pdftotext reads them back."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.render.names import lines_for
from generator.variants.roster import clean

from .conftest import needs_tex

# One name per script the exams must print; each reads back from pdftotext exactly.
# (pdftotext, not the PDF, mangles two common names: the Allah ligature of "محمد عبد
# الله" comes out reversed, and the reph of "अनुष्का शर्मा" doubled; both print right.)
NAMES = {
    "latin": "Zoë Ångström-Øvergård",
    "vietnamese": "Nguyễn Thị Minh Khai",
    "decomposed": "Zoe\u0308 Brontë",  # e + combining diaeresis: printed as ë
    "cyrillic": "Алёна Щербакова",
    "greek": "Γιώργος Παπαδόπουλος",
    "arabic": "سارة أحمد",
    "hebrew": "יעל כהן",
    "devanagari": "प्रिया पटेल",
    "chinese": "王小明",
    "japanese": "山田 花子",
    "korean": "김민준",
    "emoji": "Sam 🦊 Lee",
    "emoji sequence": "👩🏽\u200d💻 Ada",
    "zero-width": "Bob\u200bby\u200b Tables",
    "quotes": 'Robert "Bob" O\'Brien & Co. 50% #1 {x} ~^\\',
}
FONTS = {  # the font pdffonts must find in the copy of that script's student
    "arabic": "NotoNaskhArabic",
    "hebrew": "NotoSerifHebrew",
    "devanagari": "NotoSerifDevanagari",
    "chinese": "NotoSerifCJK",
    "cyrillic": "NotoSerif",
    "emoji": "Type 3",  # colour emoji: bitmap glyphs
}


def printed(name: str) -> str:
    """How the name must read on the page (hand-written, not from the code under test)."""
    return {
        "Zoe\u0308 Brontë": "Zoë Brontë",
        "Bob\u200bby\u200b Tables": "Bobby Tables",
    }.get(name, name)


def shown(name: str, text: str) -> bool:
    """Whether the page text holds the name.  After a colour emoji (a Type 3 glyph)
    pdftotext places the rest of the line elsewhere on the page, though the page shows it
    in place (looked at): for such names, every word of it must be on the page."""
    if not any(ord(c) > 0x1F000 for c in name):
        return name in text
    return set(name.split()) <= set(text.split())


def pdftotext(pdf: Path, first: int, last: int) -> str:
    text = subprocess.run(["pdftotext", "-f", str(first), "-l", str(last), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    text = re.sub("[\u202a-\u202e]", "", text)  # the direction marks pdftotext adds
    return " ".join(text.split())


@pytest.fixture(scope="module")
def named_class(tmp_path_factory):
    needs_tex()
    tmp = tmp_path_factory.mktemp("names")
    roster = tmp / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Student ID", "Name"])
        writer.writerows([f"s{i:02d}", name] for i, name in enumerate(NAMES.values()))
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--seed", "5", "--roster", str(roster),
         "--out", str(tmp / "out"), "--no-solutions"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (folder,) = (tmp / "out").iterdir()
    key = json.loads((folder / "key.json").read_text(encoding="utf-8"))
    exams = {v["student"]["id"]: next((folder / "students").glob(f"{v['student']['id']}_*"))
             for v in key["variants"]}  # fmt: skip
    return folder, key, exams


@pytest.mark.parametrize("script", list(NAMES))
def test_every_name_prints_on_the_cover_and_every_footer(named_class, script):
    _, _, exams = named_class
    sid = f"s{list(NAMES).index(script):02d}"
    exam = exams[sid] / "exam.pdf"
    name = printed(NAMES[script])
    cover = pdftotext(exam, 1, 1)
    assert shown(f"Name: {name}", cover), cover
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(exam)], capture_output=True, text=True, check=True).stdout)[1])  # fmt: skip
    for page in range(2, pages + 1):
        footer = pdftotext(exam, page, page)
        # (pdftotext moves the parentheses of "(s05)" around a right-to-left name)
        assert shown(name, footer) and sid in footer, (page, footer[-120:])


@pytest.mark.parametrize("script", list(FONTS))
def test_each_script_is_set_in_a_font_made_for_it(named_class, script):
    _, _, exams = named_class
    sid = f"s{list(NAMES).index(script):02d}"
    fonts = subprocess.run(["pdffonts", str(exams[sid] / "exam.pdf")], capture_output=True,
                           text=True, check=True).stdout  # fmt: skip
    assert FONTS[script] in fonts, fonts


def test_the_key_and_the_print_file_hold_the_cleaned_names(named_class):
    folder, key, _ = named_class
    assert [v["student"]["name"] for v in key["variants"]] == [printed(n) for n in NAMES.values()]
    print_text = pdftotext(folder / "print.pdf", 1, 10_000)
    for name in NAMES.values():
        assert shown(f"Name: {printed(name)}", print_text)


def test_pages_show_no_seed_and_no_copy_number(named_class):
    """Only the HMAC code identifies a copy: no seed, no v<number>, in the text or the file."""
    _, key, exams = named_class
    for variant in key["variants"]:
        exam = exams[variant["student"]["id"]] / "exam.pdf"
        text = pdftotext(exam, 1, 10_000)
        assert "Seed" not in text and not re.search(r"\bv\d+\b", text)
        assert f"Variant {variant['variant']}" in text
        assert b"seed" not in exam.read_bytes().lower()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Zoe\u0308", "Zoë"),  # NFC
        ("  Ada \t  Lovelace\n", "Ada Lovelace"),  # spaces folded, line breaks are spaces
        ("Bob\u200bby", "Bobby"),  # zero-width space
        ("Eve\u202eevil", "Eveevil"),  # right-to-left override: it would reorder the page
        ("\ufeffAnn\u00ad", "Ann"),  # byte-order mark, soft hyphen
        ("Null\x00Byte\x07", "Null Byte"),  # controls
        ("山田\u3000花子", "山田 花子"),  # ideographic space
        ("می\u200cخواهم", "می\u200cخواهم"),  # Persian: the non-joiner spells the word
        ("👩\u200d💻", "👩\u200d💻"),  # emoji sequence: the joiner makes one picture
        ("\u200dAnn \u200d Lee\u200c", "Ann Lee"),  # joiners next to spaces or ends: gone
        ("🏴\U000e0067\U000e0062\U000e007f", "🏴\U000e0067\U000e0062\U000e007f"),  # a flag
        ("A\U000e0067B", "AB"),  # tag characters outside a flag
    ],
)
def test_names_are_cleaned_for_print(raw, expected):
    assert clean(raw) == expected


def test_the_name_lines_of_a_copy():
    assert [line.text for line in lines_for("王小明", "s1")] == ["王小明 (s1)", "王小明", "s1"]
    assert [line.lang for line in lines_for("山田 はな", "s1")][:2] == ["ja", "ja"]


def test_an_unprintable_name_is_reported_before_the_build_with_its_line(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("Student ID,Name\ns1,Ann\ns2,Private \ue000 Use\n", encoding="utf-8")
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--seed", "1", "--roster", str(roster), "--out", out],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: {roster}, line 3: ") and "U+E000" in line
    assert "Traceback" not in result.stderr and not out.exists()


def test_a_process_that_built_a_named_class_can_build_another(tmp_path):
    """Typst's threads do not survive a fork: a process that typeset a name itself, then
    forked workers, would hang them.  Two named builds in one process (one worker, then
    two) must both finish; the script runs apart, so a hang fails instead of blocking."""
    needs_tex()
    script = tmp_path / "twice.py"
    script.write_text(
        "import sys\n"
        "from pathlib import Path\n"
        "from generator.builds.pipeline import BuildSpec, build\n"
        "from generator.variants.seeding import PUBLIC\n"
        "from generator.variants.roster import Student\n"
        "students = [Student(f's{i}', f'王小明 {i}') for i in range(3)]\n"
        "if __name__ == '__main__':  # workers started by spawn import this file again\n"
        "    for workers in (1, 2):\n"
        "        out = Path(sys.argv[1]) / str(workers)\n"
        "        build(BuildSpec(seed=1, secret=PUBLIC, students=tuple(students), out=out,\n"
        "                        workers=workers, solutions=False))\n"
        "    print('both built')\n"
    )
    result = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True,
                            text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0 and "both built" in result.stdout, result.stderr
    assert len(list(tmp_path.glob("*/*/students/*/exam.pdf"))) == 6
