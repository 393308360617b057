"""The generate-exam command: one module per command over the library, errors as exit codes.

``generate-exam --seed 42`` builds an exam (``build``, the default command); ``check``
stress-checks the question bank; ``preview ID`` shows N variants of one question side by
side; ``new ID`` writes a question folder; ``export``, ``grade`` and ``diff-keys`` work on
a run already built; ``config`` shows the course settings (``settings``: exam.toml and
the GENERATE_EXAM_* variables) that give the options their defaults.  A command's
module is imported only when that command runs (or ``--help`` lists it), and imports the
library it calls inside its function: ``grade`` never loads the build, and ``--help``
loads no numeric library.
"""

from __future__ import annotations

import difflib
import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from generator import __version__
from generator.cli.output import error, show_traceback
from generator.errors import ExamError, os_error

if TYPE_CHECKING:  # click imports it only when the shell asks for completions
    from click.shell_completion import CompletionItem

# Each command: the module that defines it and the name of its click command there.
COMMANDS = {
    "build": ("generator.cli.build", "build"),
    "check": ("generator.cli.check", "check"),
    "config": ("generator.cli.config", "config"),
    "diff-keys": ("generator.cli.diff_keys", "diff_keys"),
    "docs": ("generator.cli.docs", "docs"),
    "export": ("generator.cli.export", "export"),
    "grade": ("generator.cli.grade", "grade"),
    "new": ("generator.cli.new", "new"),
    "preview": ("generator.cli.preview", "preview"),
}
DEFAULT_COMMAND = "build"
DEBUG_FLAG = "--debug"


class UnknownCommand(click.UsageError):
    """A first word that names no command (``generate-exam chek``): said as such, with the
    nearest command's name, rather than as an extra argument of the default command."""

    def __init__(self, name: str, ctx: click.Context) -> None:
        near = difflib.get_close_matches(name, sorted(COMMANDS), n=1)
        hint = (
            f"did you mean '{near[0]}'?"
            if near
            else f"the commands are {', '.join(sorted(COMMANDS))}."
        )
        super().__init__(f"no command '{name}'; {hint}", ctx)


class Commands(click.Group):
    """A group whose commands are imported when used (click's lazy-loading pattern), and
    whose first command runs when none is named (``generate-exam --seed 1``).

    The default command takes options only, so a first word that is not an option names a
    command: one that does not exist is an error (:class:`UnknownCommand`).  Shell
    completion of the first word offers the commands' names, and the default command's
    options besides the group's."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(module), name)
        return command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        named = bool(args) and not args[0].startswith("-")
        if named and args[0] not in COMMANDS and not ctx.resilient_parsing:
            raise UnknownCommand(args[0], ctx)
        if ctx.resilient_parsing and not args:  # completing the first word: a command's name
            return super().parse_args(ctx, args)
        if not args or (args[0] not in COMMANDS and args[0] not in ("-h", "--help", "--version")):
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        results = super().shell_complete(ctx, incomplete)
        if incomplete.startswith("-"):  # generate-exam --se<TAB>: the default command's too
            default = self.get_command(ctx, DEFAULT_COMMAND)
            assert default is not None
            with default.make_context(DEFAULT_COMMAND, [], parent=ctx,
                                      resilient_parsing=True) as sub:  # fmt: skip
                given = {item.value for item in results}  # -h and --help are both's
                results.extend(item for item in default.shell_complete(sub, incomplete)
                               if item.value not in given)  # fmt: skip
        return results


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="generate-exam")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Randomized deep-learning exams with keys computed by a numpy engine.

    Without a command, builds an exam: generate-exam --seed 42 (see generate-exam build -h).
    Add --debug to any command to see the traceback behind an error.  The course's
    exam.toml and GENERATE_EXAM_* variables set options' defaults: see generate-exam config.
    """
    name = ctx.invoked_subcommand or ""
    command = ctx.command.get_command(ctx, name) if isinstance(ctx.command, Commands) else None
    if command is not None and name != "config":
        _course_defaults(ctx, name, command)


def _course_defaults(ctx: click.Context, name: str, command: click.Command) -> None:
    """Give the command's options the course's settings (environment over exam.toml) as
    defaults, through click's default_map: a flag given still wins, and --bank replaces
    the configured list.  A command reads and checks only the settings it takes; one
    that takes none (new, grade) reads no file."""
    from generator.cli.settings import PARAMETERS, course_settings, option_defaults

    taken = {p.name for p in command.params} & PARAMETERS
    if not taken:
        return
    defaults = option_defaults(course_settings(Path.cwd(), os.environ, taken))
    ctx.default_map = {**(ctx.default_map or {}), name: defaults}


def main(argv: list[str] | None = None) -> Any:
    """Entry point: every user mistake ends as one ``Error: ...`` line and a non-zero exit.

    ``--debug``, anywhere on the line and with any command, also prints the traceback of
    the error: an author debugging a question's ``sample()`` wants the whole story.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = DEBUG_FLAG in argv
    argv = [arg for arg in argv if arg != DEBUG_FLAG]
    try:
        return cli.main(args=argv, prog_name="generate-exam", standalone_mode=False,
                        obj={"debug": debug})  # fmt: skip
    except UnknownCommand as exc:
        error(exc.format_message())
        sys.exit(2)
    except click.UsageError as exc:
        error(f"{exc.format_message()} (see generate-exam --help)")
        sys.exit(2)
    except ExamError as exc:
        show_traceback(exc, debug)
        error(str(exc))
        sys.exit(exc.exit_code)
    except OSError as exc:  # a full disk, a vanished folder: the machine, not the generator
        show_traceback(exc, debug)
        error(os_error(exc))
        sys.exit(1)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
