"""The scenario format's field reference, rendered from the schema itself.

`docs/SCENARIOS.md` is this module's output (`ceasefire schema --format markdown`),
so the reference cannot drift from the models that validate scenarios.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel

from . import quantities, schema
from .loader import MAX_EXTENDS
from .textfile import MAX_SCENARIO_BYTES
from .yamlpos import MAX_DEPTH

INTRO = """\
# Scenario format, version 1: field reference

Generated from the schema by `ceasefire schema --format markdown`; do not edit by
hand. For what the fields mean in the model, see [MODEL.md](MODEL.md).

Every *quantity* (a number with provenance) is a mapping with `value` (a number or a
distribution: `{{dist: uniform, low, high}}`, `{{dist: normal, mean, sd, low?, high?}}`,
`{{dist: triangular, low, mode, high}}`, `{{dist: beta, alpha, beta, low?, high?}}`), an
optional `unit`, and its provenance: either `assumption: <why>` or a sourced claim with
`source` (an id in `sources`), `quote` (the source's words), `claimed_by` and
`verified`. An assumption may also cite the quote that informs it. A source is a
bibliographic record; the repository does not hold its text. Whoever holds the texts
can check every quote: `ceasefire validate --sources DIR` reads `DIR/<source id>.txt`
(or `.md`, or no suffix).

A file may start with `extends: other.yaml` (relative to itself) or `extends: baseline`
(a bundled scenario). A name is looked up as on the command line, from the scenario's
own folder: the regular file of exactly that name there, else NAME.yaml there (for a
name without .yaml or .yml), else the bundled scenario of that name; a folder never
counts. Mappings merge deeply, anything
else replaces the parent's value, and `key: null` removes the parent's `key`. `extends`
may not leave the scenario's folder and the bundled scenarios unless the command is
given `--allow-outside`; chains stop at {max_extends} files.

Limits, checked before a file is parsed: a scenario is a regular UTF-8 file of at most
{max_bytes:,} bytes, without NUL bytes; mappings and lists nest at most {max_depth} levels
(in `--set` values too); YAML tags (`!!str`, `!custom`) are refused. Scalars follow YAML
1.2: `1e308` is a number, `yes`, `on` and `010` are a word, a word and ten. On the
command line,
`--set dotted.path=value` overrides one value (a quantity keeps its unit and becomes an
assumption naming the command line); `--set dotted.path=null` removes an optional field.
"""


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        return " or ".join(dict.fromkeys(names))
    if origin is typing.Literal:
        return " / ".join(f"`{a}`" for a in args)
    if origin is dict:
        return f"mapping of id to {_type_name(args[1])}"
    if origin in (list, tuple):
        return f"list of {_type_name(args[0])}"
    if isinstance(annotation, type) and issubclass(annotation, quantities.Quantity):
        low, high = annotation.bounds
        if (low, high) == (None, None):
            return "quantity"
        return f"quantity in [{low:g}, {'inf' if high is None else f'{high:g}'}]"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return getattr(annotation, "__name__", str(annotation))


def _models() -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in seen or issubclass(model, quantities.Quantity):
            return
        seen.append(model)
        for field in model.model_fields.values():
            for inner in _inner_models(field.annotation):
                visit(inner)

    visit(schema.Scenario)
    return seen


def _inner_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found = []
    for arg in typing.get_args(annotation):
        found += _inner_models(arg)
    return found


def markdown() -> str:
    """The field reference as Markdown."""
    parts = [
        INTRO.format(max_extends=MAX_EXTENDS, max_bytes=MAX_SCENARIO_BYTES, max_depth=MAX_DEPTH)
    ]
    for model in _models():
        parts.append(f"## {model.__name__}\n")
        doc = (model.__doc__ or "").strip().split("\n\n")[0]
        if doc:
            parts.append(" ".join(doc.split()) + "\n")
        parts.append("| field | type | required | description |\n|---|---|---|---|")
        for name, field in model.model_fields.items():
            if (
                model is not schema.Scenario
                and issubclass(model, quantities.Provenance)
                and name in quantities.Provenance.model_fields
            ):
                continue
            required = "yes" if field.is_required() else "no"
            description = " ".join((field.description or "").split())
            parts.append(
                f"| `{name}` | {_type_name(field.annotation)} | {required} | {description} |"
            )
        if issubclass(model, quantities.Provenance):
            parts.append(
                "| *provenance* | `assumption`, or `source` + `quote` + `claimed_by` "
                "+ `verified` | yes | Where the value came from. |"
            )
        parts.append("")
    return "\n".join(parts)
