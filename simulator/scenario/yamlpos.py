"""YAML reading that remembers where every value came from.

PyYAML's composer gives nodes with line and column marks; this module turns a node
tree into plain Python data (dicts, lists, scalars) and a table from each data path
to its position, so that a validation error on ``actors.russia.resolve`` can name the
file, line and column where the user wrote it.
"""

from __future__ import annotations

import functools
import pickle
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .textfile import MAX_SCENARIO_BYTES, read_text

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


MAX_DEPTH = 64
"""The deepest nesting of mappings and lists a scenario may use (the baseline uses 7)."""

MAX_NODES = 20_000
"""More values than any scenario needs (the baseline has about 1,200): stops alias bombs
(aliases of aliases) and bounds the time the pure-Python parser can take on a file
within the size limit."""

_CORE_SCALARS = (  # YAML 1.2 core schema: `1e308` is a float, `yes` and `010` are not 1.1's
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
)


class _Loader(yaml.SafeLoader):
    """Safe loader for scenarios: YAML 1.2 core scalars, no tags, bounded nesting.

    Dates stay strings so that pydantic parses and reports them. A tag (``!!str``,
    ``!custom``, on a scalar or a collection) is refused rather than ignored, and
    nesting is checked while composing, before the recursive composer can overflow.
    """

    depth = 0
    composed = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        self.composed += 1
        if self.composed > MAX_NODES:
            raise yaml.composer.ComposerError(
                None, None, f"more than {MAX_NODES:,} values", event.start_mark
            )
        if getattr(event, "tag", None) is not None:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"tags such as '{event.tag.replace('tag:yaml.org,2002:', '!!')}' are not "
                "allowed in a scenario",
                event.start_mark,
            )
        opens = isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent)
        if opens:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels", event.start_mark
                )
        try:
            return super().compose_node(parent, index)
        finally:
            if opens:
                self.depth -= 1

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        text = self.construct_scalar(node)
        try:
            return int(text, 0) if text[:2] in ("0o", "0x") else int(text, 10)
        except ValueError:
            raise yaml.constructor.ConstructorError(
                None, None, f"the integer {text[:20]}... has too many digits", node.start_mark
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.yaml_implicit_resolvers = {
    key: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag.rsplit(":", 1)[1] not in ("timestamp", "bool", "int", "float")
    ]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _tag, _pattern, _first in _CORE_SCALARS:
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


if getattr(yaml, "__with_libyaml__", False):
    from yaml._yaml import CParser

    class _FastLoader(CParser, _Loader):
        """:class:`_Loader` reading its events from libyaml's parser (about 6 times
        faster on the baseline); the composing, and so every check above, stays."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self.anchors = {}

        get_single_node = yaml.composer.Composer.get_single_node
        compose_document = yaml.composer.Composer.compose_document

else:  # pragma: no cover - PyYAML built without libyaml
    _FastLoader = None  # type: ignore[assignment,misc]


def load_yaml_text(text: str, origin: str) -> tuple[Any, dict[DataPath, Position]]:
    """Parse YAML text into data and a path -> position table.

    A well-formed text is read through libyaml where PyYAML has it; a text that fails
    there is read again by the pure-Python parser, whose messages are the ones users see.

    Args:
        text: the YAML document.
        origin: the name used in positions (usually the file path).

    Raises:
        YamlSyntaxError: on malformed YAML, several documents, or duplicate keys.
    """
    frozen, positions = _parsed(text, origin)
    return pickle.loads(frozen), dict(positions)


@functools.lru_cache(maxsize=16)
def _parsed(text: str, origin: str) -> tuple[bytes, dict[DataPath, Position]]:
    """A text parsed once per process (a sweep loads one file hundreds of times), kept
    pickled so that every caller gets data of its own to change."""
    data, positions = _parse(text, origin)
    return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL), positions


def _parse(text: str, origin: str) -> tuple[Any, dict[DataPath, Position]]:
    if _FastLoader is not None:
        try:
            return _load_yaml_text(text, origin, _FastLoader)
        except Exception:  # whatever libyaml made of it, the reference parser has the say
            pass
    return _load_yaml_text(text, origin, _Loader)


def _load_yaml_text(text: str, origin: str, kind: type) -> tuple[Any, dict[DataPath, Position]]:
    try:
        loader = kind(text)
    except yaml.reader.ReaderError as exc:  # a control character the YAML spec forbids
        line = text.count("\n", 0, exc.position) + 1
        raise YamlSyntaxError(
            f"invalid YAML: control character U+{exc.character:04X} is not allowed",
            Position(origin, line),
        ) from None
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = _with_hint(exc.problem or str(exc))
        raise YamlSyntaxError(f"invalid YAML: {message}", _position(origin, mark)) from None
    except (yaml.YAMLError, ValueError) as exc:  # libyaml's own errors are not all marked
        raise YamlSyntaxError(f"invalid YAML: {exc}", Position(origin)) from None
    finally:
        loader.dispose()
    if node is None:
        return None, {}
    builder = _Builder(origin, loader)
    try:
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or str(exc)
        raise YamlSyntaxError(f"invalid YAML: {message}", _position(origin, mark)) from None
    return data, builder.positions


INDENTATION_SLIPS = (
    "expected <block end>",
    "mapping values are not allowed here",
    "could not find expected ':'",
    "did not find expected key",
    "did not find expected '-' indicator",
)
"""The parser's words for what is, nearly always, a line indented too far or too little."""


def _with_hint(problem: str) -> str:
    """The parser's message, with a hint where it usually means an indentation slip."""
    if any(slip in problem for slip in INDENTATION_SLIPS):
        return f"{problem} (check the indentation of this line and the lines above it)"
    return problem


def load_yaml_file(path: Path) -> tuple[Any, dict[DataPath, Position]]:
    """Read and parse a YAML file safely; see :func:`load_yaml_text`.

    Raises:
        UnreadableFile: if the file is not a regular UTF-8 file within the size limit.
    """
    return load_yaml_text(read_text(path, MAX_SCENARIO_BYTES), str(path))


def _position(origin: str, mark: Any) -> Position:
    if mark is None:
        return Position(origin)
    return Position(origin, mark.line + 1, mark.column + 1)


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Characters a scenario string may not hold: C0 and C1 controls (tab and newline
excepted) and the bidirectional overrides. Escaped in double quotes (``"\\e[31m"``) they
would otherwise reach the terminal, CSV and charts raw."""


def _plain(value: Any, origin: str, node: yaml.Node) -> Any:
    if isinstance(value, str):
        found = CONTROL.search(value)
        if found:
            raise YamlSyntaxError(
                f"control character U+{ord(found.group()):04X} is not allowed in a scenario string",
                _position(origin, node.start_mark),
            )
    return value


class _Builder:
    """Turns composed YAML nodes into data, recording each value's position."""

    def __init__(self, origin: str, loader: _Loader):
        self.origin = origin
        self.loader = loader
        self.positions: dict[DataPath, Position] = {}
        self.visited = 0
        self.ancestors: set[int] = set()

    def build(self, node: yaml.Node, path: DataPath) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise YamlSyntaxError(
                f"invalid YAML: more than {MAX_NODES:,} values (aliases expanding without end?)",
                _position(self.origin, node.start_mark),
            )
        if len(path) > MAX_DEPTH:  # aliases can nest deeper than the text
            raise YamlSyntaxError(
                f"invalid YAML: nested deeper than {MAX_DEPTH} levels",
                _position(self.origin, node.start_mark),
            )
        if id(node) in self.ancestors:
            raise YamlSyntaxError(
                "invalid YAML: an alias refers to a value that contains it",
                _position(self.origin, node.start_mark),
            )
        self.positions.setdefault(path, _position(self.origin, node.start_mark))
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            self.ancestors.add(id(node))
            try:
                if isinstance(node, yaml.MappingNode):
                    return self._mapping(node, path)
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            finally:
                self.ancestors.discard(id(node))
        return _plain(self.loader.construct_object(node), self.origin, node)

    def _mapping(self, node: yaml.MappingNode, path: DataPath) -> dict[str, Any]:
        # Keys written here override keys brought in by a `<<:` merge; only a key
        # written twice here is a duplicate.
        own_keys = {id(k) for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge"}
        self.loader.flatten_mapping(node)
        chosen: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        written_here: set[str] = set()
        for key_node, value_node in node.value:
            key = _plain(self.loader.construct_object(key_node), self.origin, key_node)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise YamlSyntaxError(
                    "invalid YAML: mapping keys must be plain names",
                    _position(self.origin, key_node.start_mark),
                )
            key = str(key)
            if key in written_here:
                raise YamlSyntaxError(
                    f"duplicate key '{key}'",
                    _position(self.origin, key_node.start_mark),
                    ".".join(map(str, (*path, key))),
                )
            if id(key_node) in own_keys:
                written_here.add(key)
            chosen.pop(key, None)  # a merged key overridden here: only the last one is built
            chosen[key] = (key_node, value_node)
        result: dict[str, Any] = {}
        for key, (key_node, value_node) in chosen.items():
            here = (*path, key)
            self.positions[here] = _position(self.origin, key_node.start_mark)
            result[key] = self.build(value_node, here)
        return result
