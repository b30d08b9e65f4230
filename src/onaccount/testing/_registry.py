"""Registries that see only what a test gives them, and real distributions built on disk.

`isolated_registry` gives each test its own plugin manager, untouched by whatever is
installed. `write_distribution` writes an installed-looking distribution (a ``dist-info``
folder with ``METADATA`` and ``entry_points.txt``, plus modules) so tests drive the real
entry-point path; `entry_points_from` reads its entry points back for a registry.
"""

from __future__ import annotations

import importlib.metadata
import os
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from onaccount._errors import InvalidValue
from onaccount.exporting import (
    ENTRY_POINT_GROUP,
    EntryPointSource,
    Exporter,
    ExporterRegistry,
    OnError,
)

__all__ = ["entry_points_from", "isolated_registry", "write_distribution"]


def isolated_registry(
    *exporters: Exporter[Any],
    plugins: Mapping[str, object] | None = None,
    on_error: OnError = "raise",
    entry_points: EntryPointSource | None = None,
) -> ExporterRegistry:
    """A fresh registry with its own plugin manager that sees no installed plugin.

    ``exporters`` are registered as plugin ``test``; ``plugins`` (name to module or
    object) are registered by name, in name order. With ``entry_points`` the registry
    loads those entry points (and only those) as well.
    """
    registry = ExporterRegistry(
        on_error=on_error, entry_points=(lambda: ()) if entry_points is None else entry_points
    )
    if entry_points is not None:
        registry.load_entry_points()
    for name, plugin in sorted((plugins or {}).items()):
        registry.register(plugin, name=name)
    if exporters:
        registry.add(*exporters, plugin="test")
    return registry


def write_distribution(
    directory: str | os.PathLike[str],
    name: str,
    version: str = "1.0",
    *,
    entry_points: Mapping[str, str],
    modules: Mapping[str, str] | None = None,
    group: str = ENTRY_POINT_GROUP,
) -> Path:
    """Write distribution ``name`` ``version`` into ``directory`` as pip would install it.

    ``entry_points`` maps plugin names to targets (``"module"`` or ``"module:object"``)
    in ``group``; ``modules`` maps module names to their source, written as
    ``<module>.py`` beside the ``dist-info`` folder (dedented). Returns the ``dist-info``
    folder. Put ``directory`` on ``sys.path`` to import the modules.
    """
    if not entry_points:
        raise InvalidValue(
            f"distribution {name!r} has no entry points; give at least one, e.g. "
            f"{{'{name}': 'module'}}",
            value=entry_points,
            field="entry_points",
        )
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    folder = root / f"{name.replace('-', '_')}-{version}.dist-info"
    folder.mkdir()
    (folder / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    lines = [f"[{group}]", *(f"{key} = {value}" for key, value in sorted(entry_points.items()))]
    (folder / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for module, source in (modules or {}).items():
        (root / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return folder


def entry_points_from(
    paths: Iterable[str | os.PathLike[str]], group: str = ENTRY_POINT_GROUP
) -> EntryPointSource:
    """An entry-point source for `ExporterRegistry` reading only distributions in ``paths``.

    Each entry point knows its distribution, so failures name it and its version.
    """
    folders = [os.fspath(p) for p in paths]

    def source() -> tuple[importlib.metadata.EntryPoint, ...]:
        found: list[importlib.metadata.EntryPoint] = []
        for dist in importlib.metadata.distributions(path=folders):
            found.extend(ep for ep in dist.entry_points if ep.group == group)
        return tuple(found)

    return source
