"""YAML reading that remembers where every value came from.

PyYAML's composer gives nodes with line and column marks; this module turns a node
tree into plain Python data (dicts, lists, scalars) and a table from each data path
to its position, so that a validation error on ``actors.russia.resolve`` can name the
file, line and column where the user wrote it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DataPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Position:
    """Where a value was written: a file (or other origin) and a 1-based line/column."""

    file: str
    line: int | None = None
    column: int | None = None


class YamlSyntaxError(Exception):
    """The text is not well-formed YAML (or uses a feature scenarios forbid)."""

    def __init__(self, message: str, position: Position, field: str = ""):
        super().__init__(message)
        self.position = position
        self.field = field


class _Loader(yaml.SafeLoader):
    """Safe loader; dates stay strings so that pydantic parses and reports them."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml_text(text: str, origin: str) -> tuple[Any, dict[DataPath, Position]]:
    """Parse YAML text into data and a path -> position table.

    Args:
        text: the YAML document.
        origin: the name used in positions (usually the file path).

    Raises:
        YamlSyntaxError: on malformed YAML, several documents, or duplicate keys.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or str(exc)
        raise YamlSyntaxError(f"invalid YAML: {message}", _position(origin, mark)) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"invalid YAML: {exc}", Position(origin)) from None
    finally:
        loader.dispose()
    positions: dict[DataPath, Position] = {}
    if node is None:
        return None, positions
    data = _build(node, (), origin, positions, loader)
    return data, positions


def load_yaml_file(path: Path) -> tuple[Any, dict[DataPath, Position]]:
    """Read and parse a YAML file; see :func:`load_yaml_text`."""
    text = path.read_text(encoding="utf-8")
    return load_yaml_text(text, str(path))


def _position(origin: str, mark: Any) -> Position:
    if mark is None:
        return Position(origin)
    return Position(origin, mark.line + 1, mark.column + 1)


def _build(
    node: yaml.Node,
    path: DataPath,
    origin: str,
    positions: dict[DataPath, Position],
    loader: _Loader,
) -> Any:
    positions.setdefault(path, _position(origin, node.start_mark))
    if isinstance(node, yaml.MappingNode):
        # Keys written here override keys brought in by a `<<:` merge; only a key
        # written twice here is a duplicate.
        own_keys = {id(k) for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge"}
        loader.flatten_mapping(node)
        result: dict[str, Any] = {}
        written_here: set[str] = set()
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise YamlSyntaxError(
                    "invalid YAML: mapping keys must be plain names",
                    _position(origin, key_node.start_mark),
                )
            key = str(key)
            if key in written_here:
                raise YamlSyntaxError(
                    f"duplicate key '{key}'",
                    _position(origin, key_node.start_mark),
                    ".".join(map(str, (*path, key))),
                )
            if id(key_node) in own_keys:
                written_here.add(key)
            result.pop(key, None)
            for stale in [p for p in positions if p[: len(path) + 1] == (*path, key)]:
                del positions[stale]
            positions[(*path, key)] = _position(origin, key_node.start_mark)
            result[key] = _build(value_node, (*path, key), origin, positions, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*path, index), origin, positions, loader)
            for index, item in enumerate(node.value)
        ]
    value = loader.construct_object(node)
    if isinstance(value, dt.date):  # pragma: no cover - timestamps are disabled above
        return value.isoformat()
    return value
