"""Commands that read scenarios without running them: list, validate, explain, schema,
protocols."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from simulator.cli.base import examples, fail, flagged, load, main, set_option, text_width


@main.command(
    "list",
    short_help="The bundled scenarios, with their descriptions.",
    epilog=examples(
        "ceasefire list",
        "ceasefire list | grep us-",
    ),
)
def list_scenarios() -> None:
    """List the bundled scenarios with their descriptions."""
    from simulator.errors import ScenarioError
    from simulator.outputs.text import wrap_lines
    from simulator.scenario import bundled_scenarios, load_scenario
    from simulator.scenario.loader import BUNDLED_DIR

    width = text_width()
    for path in bundled_scenarios():
        name = path.relative_to(BUNDLED_DIR).with_suffix("").as_posix()
        try:
            description = " ".join(load_scenario(path).description.split())
        except ScenarioError as exc:
            description = f"(invalid: {exc.problems[0]})"
        click.echo(wrap_lines(f"{name:24}  {description}", width))


@main.command(
    short_help="Check scenario files: 'ok', or every problem.",
    epilog=examples(
        "ceasefire validate my-scenario.yaml",
        "ceasefire validate my-scenario.yaml --sources texts/",
    ),
)
@click.argument("files", nargs=-1, required=True)
@set_option
@click.option(
    "--sources",
    "sources",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Check every quote against its source's text, DIR/<source id>.txt (or .md).",
)
def validate(files: tuple[str, ...], overrides: tuple[str, ...], sources: Path | None) -> None:
    """Check scenario FILES; print 'ok' or every problem, one per line.

    The repository holds sources as bibliographic records, not their text. With
    --sources DIR, each quote must stand in its source's text (DIR/kurakhove.txt for
    the source 'kurakhove'); sources with no text there are noted, not checked.
    """
    from simulator.errors import ScenarioError
    from simulator.scenario import load_scenario, resolve_scenario_path

    if sources is not None and not sources.is_dir():
        fail(f"--sources {sources}: not a folder")
    failed = False
    for file in files:
        try:
            loaded = load_scenario(file, overrides, sources=sources)
        except ScenarioError as exc:
            failed = True
            for problem in exc.problems:
                click.echo(flagged(str(problem)), err=True)
        else:
            click.echo(f"{resolve_scenario_path(file)}: ok")
            for note in loaded.notes:
                click.echo(f"{resolve_scenario_path(file)}: note: {note}")
    if failed:
        sys.exit(2)


@main.command(
    short_help="Each actor's demands and red lines, with their sources.",
    epilog=examples(
        "ceasefire explain",
        "ceasefire explain stalemate | less",
    ),
)
@click.argument("scenario", required=False)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a value before explaining it.",
)
def explain(scenario: str | None, overrides: tuple[str, ...]) -> None:
    """Show each actor's demands, red lines and resources, with quotes and claimants.

    SCENARIO is a file or a bundled name (default: baseline). Values a source gives
    show the quote, who claimed it and whether it is verified; the rest are marked
    ASSUMPTION with the reason for the value.
    """
    from simulator.outputs.explain import explain as render
    from simulator.outputs.text import wrap_lines

    width = text_width()
    click.echo(wrap_lines(render(load(scenario, overrides), width), width))


@main.command(
    short_help="The scenario format: JSON Schema or a field reference.",
    epilog=examples(
        "ceasefire schema > scenario.schema.json",
        "ceasefire schema --format markdown",
    ),
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "markdown"]),
    default="json",
    show_default=True,
    help="JSON Schema for editors, or the Markdown reference.",
)
def schema(fmt: str) -> None:
    """Print the scenario format: JSON Schema (for editors) or a field reference."""
    if fmt == "markdown":
        from simulator.scenario.reference import markdown

        click.echo(markdown(), nl=False)
        return
    import json

    from simulator.scenario import json_schema

    click.echo(json.dumps(json_schema(), indent=2))


@main.command(
    short_help="Talks protocols, negotiators, drafting rules, mediators.",
    epilog=examples(
        "ceasefire protocols | less",
    ),
)
def protocols() -> None:
    """List talks protocols, negotiator strategies, drafting rules and mediator policies."""
    from simulator.outputs.text import wrap
    from simulator.talks import listing

    width = text_width()
    for kind, entries in listing().items():
        click.echo(f"{kind}s:")
        for name, cls in entries.items():
            click.echo(wrap(cls.description, width, f"  {name:22}  ", " " * 26))
            traits = ", ".join(k.replace("_", " ") for k, v in cls.classifier.items() if v)
            if traits:
                click.echo(wrap(f"({traits})", width, " " * 26))
            for spec in cls.params:
                click.echo(
                    wrap(
                        f"{spec.name} (default {spec.default:g}, {spec.low:g}..{spec.high:g}): "
                        f"{spec.description}",
                        width,
                        " " * 26,
                        " " * 30,
                    )
                )
        click.echo("")
