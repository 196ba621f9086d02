"""The README is kept honest: every command and option of the CLI is documented there."""

from __future__ import annotations

from pathlib import Path

import typer.main

from toolkit.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands():
    group = typer.main.get_command(app)
    return group.commands.items()


def test_every_command_is_in_the_commands_table():
    table = README[README.index("## Commands"):README.index("### `toolkit spec --json`")]
    for name, _ in _commands():
        assert f"| `toolkit {name}" in table, name


def test_every_option_is_documented():
    for name, cmd in _commands():
        for param in cmd.params:
            opts = [o for o in param.opts if o.startswith("-")]
            if opts and "--help" not in opts:
                assert any(f"{o}{end}" in README for o in opts for end in " ]`/"), \
                    f"toolkit {name} {opts}"


def test_the_two_setup_commands():
    setup = README[README.index("## Set-up"):README.index("## 快速上手")]
    assert "make demo" in setup and "make test" in setup
