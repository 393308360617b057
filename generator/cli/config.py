"""``generate-exam config``: each course setting, its value, and where it came from."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click

from generator.bank.blueprints import DEFAULT_BLUEPRINT, resolve_blueprint_path
from generator.cli.settings import Resolved, course_settings, find_config, from_flags, resolve
from generator.errors import ExamError
from generator.resources import blueprints_dir
from generator.variants.secret import default_secret_path, is_inside

AS_GIVEN = "Show the settings as a command given this flag would take them."


@click.command("config")
@click.option(
    "--path",
    "path_only",
    is_flag=True,
    help="Print only the configuration file that applies here (exit 1 if none).",
)
@click.option("--bank", "banks", multiple=True, metavar="DIR", help=AS_GIVEN)
@click.option("--templates", metavar="DIR", default=None, help=AS_GIVEN)
@click.option("--blueprint", metavar="NAME|FILE", default=None, help=AS_GIVEN)
@click.option("--lms", "lms_formats", metavar="LIST", default=None, help=AS_GIVEN)
@click.option("--secret-file", metavar="FILE", default=None, help=AS_GIVEN)
@click.option("--out", metavar="DIR", default=None, help=AS_GIVEN)
def config(path_only: bool, **flags: object) -> None:
    """Show the course settings that apply here and where each comes from: a flag, a
    GENERATE_EXAM_* variable, the exam.toml (or pyproject.toml [tool.generate-exam]) found
    in this folder or a parent (up to a folder with .git), or the default."""
    cwd = Path.cwd()
    found = find_config(cwd)
    if path_only:
        if found is None:
            sys.exit(1)
        click.echo(str(found))
        return
    settings = resolve(from_flags(flags, cwd), course_settings(cwd, os.environ))
    click.echo(f"# configuration file: {found or 'none (looked from this folder up)'}")
    width = max(len(r.origin) for r in settings)
    for r in settings:
        for value in _shown(r, settings):
            click.echo(f"{r.origin:<{width}}  {r.setting.key} = {value}")


def _shown(setting: Resolved, settings: list[Resolved]) -> tuple[str, ...]:
    """A setting's values as lines; the default secret as the file a build would use."""
    if setting.value is not None:
        return (setting.value,) if isinstance(setting.value, str) else setting.value
    if setting.setting.key == "blueprint":
        return (DEFAULT_BLUEPRINT,)
    if setting.setting.key == "secret-file":
        blueprint = next(r.value for r in settings if r.setting.key == "blueprint")
        with contextlib.suppress(ExamError):
            path = resolve_blueprint_path(blueprint if isinstance(blueprint, str) else None)
            return (str(default_secret_path(path, shipped=is_inside(path, blueprints_dir()))),)
    return (setting.setting.default,)
