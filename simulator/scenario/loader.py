"""Reading a scenario: file or bundled name -> YAML -> extends -> --set -> validation.

Everything that can go wrong becomes a :class:`~simulator.errors.ScenarioError`
whose problems name the file, line, column and field, so that the command line can
print one line per problem and exit with status 2.
"""

from __future__ import annotations

import copy
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any, get_args

from pydantic import ValidationError

from ..errors import Problem, ScenarioError
from .checks import check_scenario, walk
from .quantities import Distribution, Provenance, closest
from .schema import Actor, Event, Scenario
from .textfile import MAX_SCENARIO_BYTES, MAX_SOURCE_BYTES, UnreadableFile, check_regular, read_text
from .yamlpos import DataPath, Position, YamlSyntaxError, load_yaml_file, load_yaml_text

SCENARIO_SUFFIXES = (".yaml", ".yml")
SOURCE_SUFFIXES = (".txt", ".md", "")
"""``validate --sources DIR`` reads a source's text from ``DIR/<id>.txt``, ``.md`` or ``<id>``."""
MAX_EXTENDS = 16
"""The longest chain of ``extends`` a scenario may use (the bundled ones use 1)."""

_INSTALLED = Path(__file__).resolve().parents[1] / "bundled"
_SOURCE_TREE = Path(__file__).resolve().parents[2] / "scenarios"
BUNDLED_DIR = _INSTALLED if _INSTALLED.is_dir() else _SOURCE_TREE
"""The bundled scenarios: ``simulator/bundled`` in an installed wheel (the top-level
``scenarios/`` folder, mapped there by pyproject.toml), ``scenarios/`` in a source tree."""

ALLOW_OUTSIDE: ContextVar[bool] = ContextVar("ceasefire_allow_outside", default=False)
"""Whether ``extends`` may leave the scenario's folder and the bundled scenarios.

The command line's ``--allow-outside`` sets it for one command, so that every
scenario the command loads (a sweep loads many) follows the same rule."""
_DISCRIMINATORS = ("kind", "role", "dist")
"""The fields whose value tells the schema's unions apart (pydantic puts it in ``loc``)."""
_PROVENANCE_KEYS = ("source", "quote", "claimed_by", "verified", "assumption")


NOT_SCENARIOS = ("calibration", "observed")
"""Folders under ``scenarios/`` that hold data files, not scenarios."""


def bundled_scenarios() -> list[Path]:
    """The scenario files shipped with the project, theory cases included.

    ``scenarios/observed/`` holds what happened (for ``ceasefire hindcast``), not scenarios.
    """
    if not BUNDLED_DIR.is_dir():
        return []
    return sorted(
        p
        for p in BUNDLED_DIR.rglob("*.yaml")
        if p.is_file() and p.relative_to(BUNDLED_DIR).parts[0] not in NOT_SCENARIOS
    )


def resolve_scenario_path(name: str | Path | None) -> Path:
    """The file a scenario name on the command line means (:func:`find_scenario` from
    the current folder); None is the bundled baseline."""
    return find_scenario("baseline" if name is None else name, None)


def find_scenario(name: str | Path, folder: Path | None) -> Path:
    """The file ``name`` means, looked for from ``folder`` (None: the current folder).

    One rule for the command line and for ``extends`` (whose folder is the scenario's),
    so that a user can predict it; a folder never counts, so ``mkdir baseline`` cannot
    hide the bundled baseline:

    1. ``NAME`` there, if it is a regular file;
    2. ``NAME.yaml`` there, if NAME does not end in .yaml or .yml and that is a regular file;
    3. the bundled scenario NAME (``baseline``, ``baseline.yaml``, ``theory/rubinstein``);
    4. otherwise ``NAME`` there, which is then reported as missing (or not a file).
    """
    given = Path(name) if folder is None else folder / name
    # os.path's tests answer False for any error (a name too long, say), Path's raise
    if os.path.isfile(given):
        return given
    plain = Path(name).suffix not in SCENARIO_SUFFIXES
    if plain and os.path.isfile(f"{given}.yaml"):
        return Path(f"{given}.yaml")
    relative = Path(name)
    if not relative.is_absolute() and ".." not in relative.parts and str(name).strip():
        bundled = BUNDLED_DIR / (f"{name}.yaml" if plain else relative)
        if os.path.isfile(bundled):
            return bundled
    return given


def load_scenario(
    path: str | Path | None = None,
    overrides: Sequence[str] | None = None,
    *,
    sources: str | Path | None = None,
    allow_outside: bool | None = None,
) -> Scenario:
    """Load, merge and validate a scenario.

    Args:
        path: a scenario file, or the name of a bundled one; None is the baseline.
        overrides: ``dotted.path=value`` strings, applied after ``extends``.
        sources: a folder holding the sources' texts (``<id>.txt``); when given, every
            quote must stand in its source's text. Sources without a text there are
            listed in ``scenario.notes``.
        allow_outside: let ``extends`` reach files outside the scenario's folder and
            the bundled scenarios (default: :data:`ALLOW_OUTSIDE`).

    Raises:
        ScenarioError: with every problem found, each located in its file.
    """
    file = resolve_scenario_path(path)
    outside = ALLOW_OUTSIDE.get() if allow_outside is None else allow_outside
    data, positions = _read_given(file, _roots(file, outside))
    for override in overrides or ():
        _apply_override(data, positions, override)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_problems_from_pydantic(exc, data, positions, file)) from None
    findings = check_scenario(scenario)
    unchecked: list[str] = []
    if sources is not None:
        quote_findings, unchecked = _check_quotes(scenario, Path(sources))
        findings.extend(quote_findings)
    if findings:
        raise ScenarioError(
            [_problem(path, message, positions, file) for path, message in findings]
        )
    scenario._notes = unchecked
    return scenario


# ----------------------------------------------------------------------------- reading


def _roots(file: Path, allow_outside: bool) -> tuple[Path, ...] | None:
    """The folders ``extends`` may reach from ``file``; None when anywhere will do."""
    if allow_outside:
        return None
    return (Path(os.path.realpath(file.parent)), Path(os.path.realpath(BUNDLED_DIR)))


def read_mapping(
    file: Path, what: str = "scenario"
) -> tuple[dict[str, Any], dict[DataPath, Position]]:
    """A YAML file of fields, with each value's position, read as safely as a scenario.

    ``what`` names the kind of file in messages ("scenario", "observed file", ...).

    Raises:
        ScenarioError: one located problem (unreadable, not YAML, not a mapping).
    """
    try:
        data, positions = load_yaml_file(file)
    except UnreadableFile as exc:
        message = f"no such {what} file" if exc.missing else str(exc)
        raise ScenarioError(Problem(message, str(file), exc.line)) from None
    except YamlSyntaxError as exc:
        pos = exc.position
        raise ScenarioError(Problem(str(exc), pos.file, pos.line, pos.column, exc.field)) from None
    if not isinstance(data, dict):
        found = (
            "the file is empty"
            if data is None
            else "found a list"
            if isinstance(data, list)
            else "found a single value"
        )
        raise ScenarioError(
            Problem(f"{found}; a {what} must be a YAML mapping of fields", str(file), 1, 1)
        )
    return data, positions


def _read(file: Path) -> tuple[dict[str, Any], dict[DataPath, Position]]:
    return read_mapping(file)


def _parent_of(file: Path, name: str) -> Path:
    """Where ``extends: name`` in ``file`` points (:func:`find_scenario` from its folder)."""
    return find_scenario(name, file.parent)


def _read_with_extends(
    file: Path, chain: tuple[Path, ...], roots: tuple[Path, ...] | None
) -> tuple[dict[str, Any], dict[DataPath, Position]]:
    data, positions = _read(file)
    parent_name = data.get("extends")
    if parent_name is None:
        return data, positions
    pos = positions.get(("extends",), Position(str(file)))

    def refuse(message: str) -> ScenarioError:
        return ScenarioError(Problem(message, pos.file, pos.line, pos.column, "extends"))

    if not isinstance(parent_name, str) or not parent_name.strip() or "\x00" in parent_name:
        raise refuse("must be a file name, or the name of a bundled scenario")
    if len(chain) >= MAX_EXTENDS:
        raise refuse(f"extends goes more than {MAX_EXTENDS} files deep")
    parent = _parent_of(file, parent_name)
    real = Path(os.path.realpath(parent))
    here = Path(os.path.realpath(file))
    if real in chain or real == here:
        loop = " -> ".join(p.name for p in (*chain, here, real))
        raise refuse(f"extends loops: {loop}")
    if roots is not None and not any(real.is_relative_to(root) for root in roots):
        raise refuse(
            f"'{parent_name}' is outside the scenario's folder and the bundled scenarios; "
            "files there are read only when allowed (allow_outside)"
        )
    try:
        check_regular(parent, MAX_SCENARIO_BYTES)
    except UnreadableFile as exc:
        if exc.missing:
            raise refuse(f"extends a file that does not exist: {parent_name}") from None
        raise refuse(f"'{parent_name}' {exc}") from None
    base, base_positions = _read_with_extends(parent, (*chain, here), roots)
    del data["extends"]
    merged = _merge(base, data, base_positions, positions, ())
    return merged, base_positions


def _read_given(
    file: Path, roots: tuple[Path, ...] | None
) -> tuple[dict[str, Any], dict[DataPath, Position]]:
    """Read ``file`` and what it extends; a problem in a parent also names ``file``."""
    try:
        return _read_with_extends(file, (), roots)
    except ScenarioError as exc:
        exc.problems = [
            p
            if p.file == str(file)
            else Problem(f"{p.message} (reached from {file})", p.file, p.line, p.column, p.field)
            for p in exc.problems
        ]
        raise


def _merge(
    base: dict[str, Any],
    override: dict[str, Any],
    positions: dict[DataPath, Position],
    override_positions: dict[DataPath, Position],
    path: DataPath,
    scope: list[DataPath] | None = None,
    override_scope: list[DataPath] | None = None,
) -> dict[str, Any]:
    """Deep-merge mappings; anything else in ``override`` replaces the base's value.

    A ``null`` in ``override`` removes the key from the merged scenario.

    ``positions`` is updated in place so every merged value keeps the place where
    its final value was written. ``scope`` and ``override_scope`` list the positions
    under ``path``, grouped once per level, so that merging stays linear in the size
    of the files rather than quadratic.
    """
    depth = len(path)
    old = _group(positions if scope is None else scope, depth)
    new = _group(override_positions if override_scope is None else override_scope, depth)
    for key, value in override.items():
        here = (*path, key)
        if value is None:  # `key: null` removes what the parent had
            base.pop(key, None)
            for stale in old.get(key, ()):
                positions.pop(stale, None)
            positions[here] = override_positions[here]
            continue
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            positions[here] = override_positions[here]
            base[key] = _merge(
                _without_inherited_provenance(base[key], value, override_positions, here),
                value,
                positions,
                override_positions,
                here,
                old.get(key, []),
                new.get(key, []),
            )
            continue
        for stale in old.get(key, ()):
            positions.pop(stale, None)
        positions.update({p: override_positions[p] for p in new.get(key, ())})
        base[key] = value
    return base


def _group(paths: Iterable[DataPath], depth: int) -> dict[Any, list[DataPath]]:
    """Paths longer than ``depth``, by their element at ``depth``."""
    groups: dict[Any, list[DataPath]] = {}
    for p in paths:
        if len(p) > depth:
            groups.setdefault(p[depth], []).append(p)
    return groups


def _without_inherited_provenance(
    base: dict[str, Any],
    override: dict[str, Any],
    override_positions: dict[DataPath, Position],
    path: DataPath,
) -> dict[str, Any]:
    """A child that gives a new value must say where it came from; the parent's
    quote and claimant do not carry over to it."""
    gives_provenance = any(k in override for k in _PROVENANCE_KEYS)
    if "value" in override and not gives_provenance:
        pos = override_positions.get((*path, "value"), Position("<scenario>"))
        field = ".".join(map(str, (*path, "value")))
        raise ScenarioError(
            Problem(
                "a new value needs its own provenance: add 'assumption: <why>' or a sourced claim",
                pos.file,
                pos.line,
                pos.column,
                field,
            )
        )
    if gives_provenance:
        return {k: v for k, v in base.items() if k not in _PROVENANCE_KEYS}
    return base


# ---------------------------------------------------------------------------- overrides

_OVERRIDE = re.compile(r"^\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*=(.*)$")


def _apply_override(data: dict[str, Any], positions: dict[DataPath, Position], text: str) -> None:
    """Apply ``a.b.c=value``; a sourced number keeps its shape and becomes an assumption.

    ``a.b.c=null`` removes an optional field (a red line, say).
    """
    shown = text if len(text) <= 60 else f"{text[:57]}..."
    origin = Position(f"--set {shown}")
    match = _OVERRIDE.match(text)
    if match is None:
        raise ScenarioError(
            Problem("expected KEY=VALUE, e.g. actors.ukraine.resolve=0.8", origin.file)
        )
    keys = match.group(1).split(".")
    try:
        value, _ = load_yaml_text(match.group(2), origin.file)
    except YamlSyntaxError as exc:
        raise ScenarioError(Problem(str(exc), origin.file)) from None
    node: Any = data
    path: list[str | int] = []
    for key in keys[:-1]:
        node, step = _descend(node, key, path, origin)
        path.append(step)
    last: str | int = keys[-1]
    if isinstance(node, list):
        _, last = _descend(node, keys[-1], path, origin)
    elif not isinstance(node, dict):
        raise ScenarioError(
            Problem(f"'{'.'.join(map(str, path))}' has no field '{last}'", origin.file)
        )
    current = node[last] if _has(node, last) else None
    full = (*path, last)
    for stale in [p for p in positions if p[: len(full)] == full]:
        del positions[stale]
    positions[full] = origin
    if value is None and isinstance(node, dict):
        node.pop(last, None)  # KEY=null removes an optional field
        return
    is_distribution = isinstance(value, dict) and "dist" in value
    if (
        isinstance(current, dict)
        and "value" in current
        and (not isinstance(value, dict) or is_distribution)
    ):
        replaced = {k: v for k, v in current.items() if k not in _PROVENANCE_KEYS}
        replaced["value"] = value
        replaced["assumption"] = f"set on the command line: --set {text.strip()}"
        value = replaced
    node[last] = copy.deepcopy(value)


def _has(node: Any, key: str | int) -> bool:
    if isinstance(node, dict):
        return key in node
    return isinstance(key, int) and 0 <= key < len(node)


def _descend(node: Any, key: str, path: list[str | int], origin: Position) -> tuple[Any, Any]:
    where = ".".join(map(str, path)) or "the scenario"
    if isinstance(node, dict):
        if key not in node:
            raise ScenarioError(Problem(f"{where} has no field '{key}'", origin.file))
        return node[key], key
    if isinstance(node, list) and key.isdigit() and int(key) < len(node):
        return node[int(key)], int(key)
    raise ScenarioError(Problem(f"{where} has no field '{key}'", origin.file))


# ------------------------------------------------------------------------ error mapping


def _problems_from_pydantic(
    exc: ValidationError,
    data: dict[str, Any],
    positions: dict[DataPath, Position],
    file: Path,
) -> list[Problem]:
    problems = []
    seen = set()
    for error in exc.errors(include_url=False):
        loc, kind, ctx = tuple(error["loc"]), error["type"], error.get("ctx", {})
        message = error["msg"]
        if kind == "unknown_field":
            loc = (*loc, ctx["field"])
        elif kind == "union_tag_invalid":
            field = ctx["discriminator"].strip("'")
            loc = (*loc, field)
            expected = [t.strip(" '") for t in ctx["expected_tags"].split(",")]
            message = f"'{ctx['tag']}' is not one of {', '.join(expected)}" + _close(
                ctx["tag"], expected
            )
        elif kind == "union_tag_not_found":  # the field that says which kind is missing
            field = ctx["discriminator"].strip("'")
            loc = (*loc, field)
            tags = _tags(field)
            message = "required field is missing" + (f" (one of {', '.join(tags)})" if tags else "")
        elif kind == "missing":
            message = "required field is missing"
        path = _data_path(
            loc, data, name_last=kind in ("missing", "unknown_field", "union_tag_not_found")
        )
        message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        problem = _problem(path, message, positions, file)
        if str(problem) not in seen:
            seen.add(str(problem))
            problems.append(problem)
    return problems


TAGGED_UNIONS = {"kind": Event, "role": Actor, "dist": Distribution}
"""Each field that says which kind of entry a mapping is, and the union it chooses in."""


def _tags(field: str) -> list[str]:
    """The values ``field`` may take (``kind``: aid, sanctions, ...), from the schema."""
    union = TAGGED_UNIONS.get(field)
    if union is None:
        return []
    members = get_args(get_args(union)[0])
    return [str(get_args(m.model_fields[field].annotation)[0]) for m in members]


def _close(name: str, known: Iterable[str]) -> str:
    close = closest(name, known)
    return f"; did you mean '{close}'?" if close else ""


def _data_path(loc: Iterable[str | int], data: Any, name_last: bool = False) -> DataPath:
    """Drop the union tags pydantic adds to ``loc``, keeping keys the user wrote.

    With ``name_last`` the final element is kept even when the data lacks it (a
    missing or unknown field), so the message can name it.
    """
    loc = list(loc)
    path: list[str | int] = []
    node = data
    for index, key in enumerate(loc):
        in_mapping = isinstance(node, dict) and key in node
        in_list = isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)
        # A union's tag can share its name with a field (the 'place' event has a
        # 'place' field): a key equal to this mapping's discriminator is the tag.
        is_tag = (
            isinstance(node, dict)
            and index < len(loc) - 1
            and any(node.get(field) == key for field in _DISCRIMINATORS)
        )
        if (in_mapping or in_list) and not is_tag:
            node = node[key]
            path.append(key)
        elif name_last and index == len(loc) - 1:
            path.append(key)
    return tuple(path)


def _problem(
    path: DataPath, message: str, positions: dict[DataPath, Position], file: Path
) -> Problem:
    position = Position(str(file))
    for length in range(len(path), -1, -1):
        if path[:length] in positions:
            position = positions[path[:length]]
            break
    field = ".".join(str(p) for p in path)
    return Problem(message, position.file, position.line, position.column, field)


# ------------------------------------------------------------------------------ quotes


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    for fancy, plain in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("—", "-"), ("–", "-")):
        text = text.replace(fancy, plain)
    return re.sub(r"\s+", " ", text).strip().lower()


def quote_found(quote: str, text: str) -> bool:
    """Whether ``quote`` stands in ``text``; ``...`` in a quote skips words, in order."""
    haystack = _normalise(text)
    start = 0
    for fragment in re.split(r"\.\.\.|…", _normalise(quote)):
        fragment = fragment.strip(" \"'")
        if not fragment:
            continue
        found = haystack.find(fragment, start)
        if found < 0:
            return False
        start = found + len(fragment)
    return True


def source_text_file(source_id: str, folder: Path) -> Path | None:
    """The text of a source in ``folder``: ``<id>.txt``, ``<id>.md`` or ``<id>``."""
    for suffix in SOURCE_SUFFIXES:
        candidate = folder / f"{source_id}{suffix}"
        if os.path.lexists(candidate):
            return candidate
    return None


def _check_quotes(scenario: Scenario, folder: Path) -> tuple[list[tuple[DataPath, str]], list[str]]:
    """Quotes not found in their source's text, and notes on sources with no text."""
    texts: dict[str, str | None] = {}
    notes: list[str] = []
    findings: list[tuple[DataPath, str]] = []
    if not os.path.isdir(folder):
        return [((), f"{folder}: not a folder")], []
    for path, node in walk(scenario):
        if not isinstance(node, Provenance) or node.source is None or node.quote is None:
            continue
        if node.source not in texts:
            texts[node.source] = None
            text_file = source_text_file(node.source, folder)
            if text_file is None:
                notes.append(
                    f"source '{node.source}': no {node.source}.txt in {folder}, "
                    "so its quotes were not checked"
                )
            else:
                try:
                    texts[node.source] = read_text(text_file, MAX_SOURCE_BYTES)
                except UnreadableFile as exc:
                    findings.append(
                        (("sources", node.source), f"cannot read its text {text_file}: {exc}")
                    )
        text = texts[node.source]
        if text is not None and not quote_found(node.quote, text):
            findings.append(((*path, "quote"), f"quote not found in source '{node.source}'"))
    return findings, notes
