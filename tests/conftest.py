"""Shared fixtures: the shipped bank, blueprints and a CLI runner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.assemble import QuestionVariant, realise
from generator.bank import Bank, load_bank
from generator.blueprint import Blueprint, load_blueprint
from generator.cli import cli as main

Q1 = "cs230-w2020/neural-network"
Q7 = "cs230-w2020/cnns"
SEEDS = range(300)


@pytest.fixture(scope="session")
def bank() -> Bank:
    return load_bank()


@pytest.fixture(scope="session")
def blueprint(bank: Bank) -> Blueprint:
    return load_blueprint(None, bank)


@pytest.fixture
def run_cli():
    """Invoke generate-exam in-process; returns click's Result (exit_code, stdout, stderr)."""

    def run(*args: str):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return run


def variant(bank: Bank, qid: str, seed: int, *, number: int = 1) -> QuestionVariant:
    return realise(bank[qid], number, seed, 0)


def replica(bank: Bank, qid: str) -> QuestionVariant:
    return realise(bank[qid], 1, 0, 0, replica=True)


def needs_tex() -> None:
    """TeX Live is part of the test set-up (make test installs it); fail loudly without it."""
    for tool in ("pdflatex", "pdftotext"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed; run `make test`, which installs TeX Live.")


def write_blueprint(path: Path, ids: list[str], name: str = "custom", **fields: str) -> Path:
    lines = [f'name = "{name}"', 'title = "Custom"']
    lines += [f"{key} = {json.dumps(value)}" for key, value in fields.items()]
    for qid in ids:
        lines += ["[[questions]]", f'id = "{qid}"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
