"""Every code example in README.md and docs/*.md runs.

Python blocks are executed in order, one namespace per file (a later block may use
what an earlier one defined). In shell blocks, every line that is a ``ceasefire``
command (with or without a ``$`` prompt) is run through the command, with a small
replication count (``-n``) where the command takes one, in a scratch folder; what
follows a prompt line is its output, and is not checked here. A block that must not
run says why on the line above it: ``<!-- not run: the reason -->``.
"""

from __future__ import annotations

import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.talks import registry

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SMALL, WEEKS, CANDIDATES = 16, 8, 20
"""Replications, weeks and candidate seeds for a documented command that takes them:
enough to run every path of the command, not to reproduce its figures."""
SHELL = {"", "console", "sh", "shell", "bash"}
NOT_RUN = re.compile(r"<!--\s*not run:\s*(?P<reason>[^>]*?)\s*-->")
FENCE = re.compile(r"^```(?P<info>[\w-]*)\s*$")


@dataclass
class Block:
    file: Path
    line: int
    language: str
    code: str
    not_run: str | None

    @property
    def id(self) -> str:
        return f"{self.file.name}:{self.line}"


def blocks(path: Path) -> list[Block]:
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        start = index
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("```"))
        before = lines[start - 1] if start else ""
        marker = NOT_RUN.search(before)
        found.append(
            Block(
                path,
                start + 1,
                match["info"],
                "\n".join(lines[start + 1 : end]),
                marker["reason"] if marker else None,
            )
        )
        index = end + 1
    return found


ALL = [block for path in DOCS for block in blocks(path)]


def commands(block: Block) -> list[list[str]]:
    """The ``ceasefire`` commands of a shell block, as argument lists (comments and
    redirections dropped)."""
    found = []
    for line in block.code.splitlines():
        text = line.strip().removeprefix("$ ")
        if not text.startswith("ceasefire "):
            continue
        words = shlex.split(text, comments=True)
        if ">" in words:
            words = words[: words.index(">")]
        found.append(words[1:])
    return found


def _option(args: list[str], flag: str):
    """The command's option ``flag`` (``-n``, ``--weeks``), or None."""
    command = main.commands.get(args[0]) if args else None
    for param in command.params if command is not None else ():
        if flag in getattr(param, "opts", ()):
            return param
    return None


def _set(args: list[str], flag: str, value: int) -> None:
    """Give ``flag`` a small ``value`` (at least what the command accepts)."""
    param = _option(args, flag)
    if param is None:
        return
    shown = str(max(value, getattr(param.type, "min", None) or 0))
    if flag in args:
        args[args.index(flag) + 1] = shown
    else:
        args += [flag, shown]


def small(args: list[str]) -> list[str]:
    """The command at a test's size: few replications, few weeks and few candidate
    seeds, given or not (a command given a week to look at keeps its horizon)."""
    args = list(args)
    _set(args, "-n", SMALL)
    if "--pick" in args:
        # A run that ends in a deal needs the whole horizon and a few dozen seeds.
        _set(args, "--candidates", CANDIDATES)
        return args
    if "--week" not in args and "--weeks" not in args:
        _set(args, "--weeks", WEEKS)
    return args


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """A folder with the files the examples name (a scenario of one's own, texts/)."""
    shutil.copy(ROOT / "scenarios" / "baseline.yaml", tmp_path / "my-scenario.yaml")
    (tmp_path / "texts").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


NOT_RUN_COMMANDS = {
    "calibrate": "history matching runs waves of ensembles (about 20 s even at its "
    "smallest -n); tests/test_calibration.py runs the command on a small targets file",
}
"""Commands in a block that otherwise runs, not run here, and why."""


def test_the_docs_have_examples_of_both_kinds():
    """A check on the collection: it finds the README's Python and its commands."""
    languages = {block.language for block in ALL}
    assert "python" in languages
    assert sum(len(commands(b)) for b in ALL if b.language in SHELL) >= 20


def test_every_block_that_is_not_run_says_why():
    for block in ALL:
        if block.not_run is not None:
            assert len(block.not_run) >= 10, f"{block.id}: say why it is not run"


@pytest.mark.parametrize(
    "block",
    [b for b in ALL if b.language in SHELL and commands(b) and b.not_run is None],
    ids=lambda b: b.id,
)
def test_documented_commands_run(block, scratch):
    runner = CliRunner()
    for args in commands(block):
        if args[0] in NOT_RUN_COMMANDS:
            continue
        result = runner.invoke(main, small(args))
        assert result.exit_code == 0, f"{block.id}: ceasefire {shlex.join(args)}\n{result.output}"


@pytest.mark.parametrize(
    "path", [p for p in DOCS if any(b.language == "python" for b in blocks(p))], ids=str
)
def test_python_examples_run(path, scratch):
    saved = {kind: dict(entries) for kind, entries in registry.listing().items()}
    namespace: dict[str, object] = {"__name__": "__doc_example__"}
    try:
        for block in blocks(path):
            if block.not_run is not None:
                continue
            if block.language == "python":
                code = compile(block.code, f"{block.id}", "exec")
                exec(code, namespace)
            elif block.language in SHELL:
                # A command that writes files the Python after it reads (--out).
                for args in commands(block):
                    if "--out" in args and args[0] not in NOT_RUN_COMMANDS:
                        result = CliRunner().invoke(main, [*small(args), "--force"])
                        assert result.exit_code == 0, f"{block.id}: {result.output}"
    finally:
        for kind, entries in registry.listing().items():
            entries.clear()
            entries.update(saved[kind])
