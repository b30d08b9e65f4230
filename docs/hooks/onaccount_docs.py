"""MkDocs hook: reference content generated from the code, so it cannot drift.

A page asks for generated content with a marker on a line of its own:

- ``<!-- generated: exporter-options -->``: every built-in exporter, its metadata and a
  table of its options, read from ``Options.describe()``;
- ``<!-- generated: command-line -->``: every command of ``onaccount`` with its help, as
  click prints it;
- ``<!-- generated: error-tree -->``: the exception hierarchy under `OnAccountError`,
  walked from the classes themselves.

mkdocs loads this file through ``hooks:`` in ``mkdocs.yml``; ``tests/test_docs.py``
imports it to check what it generates.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import click

import onaccount
import onaccount.exporting
import onaccount_exporters
from onaccount.cli import cli
from onaccount.exporting import ExporterInfo, ExporterRegistry

__all__ = [
    "GENERATORS",
    "builtin_exporters",
    "command_line_markdown",
    "commands",
    "error_tree_markdown",
    "exporter_options_markdown",
    "on_page_markdown",
]

#: Help is wrapped at this width, as a wide terminal would show it.
_HELP_WIDTH = 88


def _cell(value: object) -> str:
    """Text that is safe inside a Markdown table cell."""
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _json(value: object) -> str:
    if value is None:
        return "`null`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    return f"`{value}`"


def builtin_exporters() -> tuple[ExporterInfo, ...]:
    """The exporters ``onaccount_exporters`` registers, by identifier.

    Only the built-in plugin is loaded, so third-party plugins installed beside the docs
    do not appear in them.
    """
    registry = ExporterRegistry(entry_points=lambda: ())
    registry.register(onaccount_exporters, name="builtin")
    return registry.describe()


def exporter_options_markdown() -> str:
    """A section per built-in exporter: its metadata and a table of its options."""
    parts: list[str] = []
    for info in builtin_exporters():
        parts += [
            f"### `{info.identifier}`: {info.title}",
            "",
            info.description,
            "",
            f"Media type `{info.media_type}`, file extension `.{info.extension}`.",
            "",
            "| option | type | default | choices | what it does |",
            "|---|---|---|---|---|",
        ]
        for option in info.options:
            choices = (
                ", ".join(_json(c) for c in option.choices) if option.choices is not None else ""
            )
            parts.append(
                f"| `{option.name}` | {option.type} | {_json(option.default)} | "
                f"{_cell(choices)} | {_cell(option.help)} |"
            )
        parts.append("")
    return "\n".join(parts)


def commands() -> Iterator[tuple[str, click.Command, click.Context]]:
    """Every command of the command line with its full name, depth first, as click lists them."""

    def walk(
        command: click.Command, name: str, parent: click.Context | None
    ) -> Iterator[tuple[str, click.Command, click.Context]]:
        settings: dict[str, Any] = {
            **command.context_settings,
            "terminal_width": _HELP_WIDTH,
            "max_content_width": _HELP_WIDTH,
        }
        ctx = click.Context(command, info_name=name.rsplit(" ", 1)[-1], parent=parent, **settings)
        yield name, command, ctx
        if isinstance(command, click.Group):
            for sub in command.list_commands(ctx):
                child = command.get_command(ctx, sub)
                if child is not None and not child.hidden:
                    yield from walk(child, f"{name} {sub}", ctx)

    return walk(cli, "onaccount", None)


def command_line_markdown() -> str:
    """A section per command: its first help line and its ``--help`` output."""
    parts: list[str] = []
    for name, command, ctx in commands():
        summary = inspect.cleandoc(command.help or "").split("\n\n", 1)[0].replace("\n", " ")
        parts += [
            f"### `{name}`",
            "",
            summary,
            "",
            "```text",
            command.get_help(ctx),
            "```",
            "",
        ]
    return "\n".join(parts)


def _public_errors() -> dict[type, str]:
    """Every public exception class, mapped to the path its reference entry has."""
    found: dict[type, str] = {}
    for module in (onaccount, onaccount.exporting, onaccount_exporters):
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type) and issubclass(value, BaseException):
                found.setdefault(value, f"{module.__name__}.{name}")
    return found


def error_tree_markdown() -> str:
    """The exceptions under `OnAccountError` as a nested list, each with its first line.

    A class with several onaccount bases is listed under the first; the others, and the
    built-in exceptions it also is, follow its name.
    """
    public = _public_errors()
    lines: list[str] = []

    def describe(cls: type, depth: int) -> None:
        path = public[cls]
        others = [b.__name__ for b in cls.__bases__[1:]]
        also = f" (also {', '.join(others)})" if others else ""
        doc = inspect.getdoc(cls) or ""
        first = doc.split("\n\n", 1)[0].replace("\n", " ")
        lines.append(f"{'    ' * depth}- [`{cls.__name__}`][{path}]{also}: {first}")
        children = [c for c in cls.__subclasses__() if c in public and c.__bases__[0] is cls]
        for child in sorted(children, key=lambda c: c.__name__):
            describe(child, depth + 1)

    describe(onaccount.OnAccountError, 0)
    return "\n".join(lines) + "\n"


#: Each marker and the function whose Markdown replaces it.
GENERATORS: dict[str, Callable[[], str]] = {
    "<!-- generated: exporter-options -->": exporter_options_markdown,
    "<!-- generated: command-line -->": command_line_markdown,
    "<!-- generated: error-tree -->": error_tree_markdown,
}


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Replace each generated-content marker in a page with what it stands for."""
    for marker, generate in GENERATORS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, generate())
    return markdown
