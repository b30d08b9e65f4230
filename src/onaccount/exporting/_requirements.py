"""What an exporter needs installed, where an exporter comes from, and how it failed.

An exporter declares the modules it imports when it writes (``requires``); the registry
lists an exporter whose modules are missing as unavailable, with the command that
installs them, and nothing hands one out or opens a file for it. An exporter that fails
while writing is reported with the plugin and distribution that ship it.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import shlex
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs

from onaccount._install import pip_install
from onaccount._words import either_way, named

from ._errors import ExporterUnavailable, ExportFailed
from ._hookspecs import ENTRY_POINT_GROUP

if TYPE_CHECKING:
    from ._exporter import Exporter

__all__ = [
    "PluginInfo",
    "Requirements",
    "export_failed",
    "needs",
    "origin_of",
    "pip_install",
    "require_available",
]


def _module_names(instance: Requirements, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(m, str) and m for m in value):
        raise TypeError(
            f"Requirements modules {value!r} is no tuple of module names; write e.g. "
            "modules=('sepaxml', 'schwifty')"
        )


@attrs.frozen(kw_only=True)
class Requirements:
    """The modules an exporter imports when it writes, and the extra that brings them.

    ``extra`` is the optional-dependency group of the exporter's distribution (``sepa``
    gives ``python -m pip install 'onaccount[sepa]'``, see `pip_install`); ``install``
    replaces that command when the modules come some other way.
    """

    modules: tuple[str, ...] = attrs.field(default=(), validator=_module_names)
    extra: str | None = None
    install: str | None = None

    def missing(self) -> tuple[str, ...]:
        """The modules that cannot be imported here, in the order declared."""
        return tuple(name for name in self.modules if not _importable(name))

    def install_hint(self, distribution: str | None) -> str:
        """The command that installs what is missing, for the exporter's ``distribution``."""
        if self.install:
            return self.install
        if self.extra and distribution:
            return pip_install(distribution, self.extra)
        return "install the " + named("module", self.missing() or self.modules)


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


@attrs.frozen
class PluginInfo:
    """A plugin: the name it is registered under and the distribution that ships it."""

    name: str
    distribution: str | None = None
    version: str | None = None

    @property
    def label(self) -> str:
        """``'acme' (acme-onaccount 1.2)``, or just ``'acme'`` without a distribution."""
        if self.distribution is None:
            return repr(self.name)
        return f"{self.name!r} ({self.distribution} {self.version or 'unknown version'})"


def origin_of(
    exporter: Exporter[Any],
    entry_points: Iterable[importlib.metadata.EntryPoint] | None = None,
) -> PluginInfo | None:
    """The installed plugin whose entry point's module holds ``exporter``'s class, if any."""
    module = type(exporter).__module__
    found = (
        importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
        if entry_points is None
        else entry_points
    )
    for ep in sorted(found, key=lambda ep: ep.name):
        home = ep.module
        if module == home or module.startswith(home + "."):
            dist = ep.dist
            if dist is None:
                return PluginInfo(ep.name)
            return PluginInfo(ep.name, dist.name, dist.version)
    return None


def require_available(exporter: Exporter[Any], plugin: PluginInfo | None = None) -> None:
    """Raise `ExporterUnavailable` with the install command if ``exporter`` cannot run here."""
    requirements = exporter.requires
    if not requirements.modules:
        return
    missing = requirements.missing()
    if not missing:
        return
    if plugin is None:
        plugin = origin_of(exporter)
    raise unavailable(exporter.identifier, requirements, missing, plugin)


def unavailable(
    identifier: str,
    requirements: Requirements,
    missing: tuple[str, ...],
    plugin: PluginInfo | None,
) -> ExporterUnavailable:
    """The refusal of an exporter whose ``missing`` modules are not installed."""
    hint = requirements.install_hint(None if plugin is None else plugin.distribution)
    return ExporterUnavailable(
        f"exporter {identifier!r} {needs(requirements, missing, hint)}",
        value=identifier,
        field="identifier",
        missing=missing,
        install=hint,
    )


def needs(requirements: Requirements, missing: tuple[str, ...], hint: str) -> str:
    """``needs the 'sepa' extra (schwifty missing): pip install 'onaccount[sepa]'``."""
    what = f"the {requirements.extra!r} extra" if requirements.extra else "more modules"
    return f"needs {what} ({', '.join(missing)} missing): {hint}"


def leave_out(name: str) -> str:
    """How to load exporters without plugin ``name``, in Python and on the command line."""
    return either_way(f"block=[{name!r}]", f"--block-plugin {shlex.quote(name)}")


def export_failed(exporter: Exporter[Any], error: BaseException) -> ExportFailed:
    """``error``, raised by ``exporter``'s write, as an `ExportFailed` naming where it is from."""
    plugin = origin_of(exporter)
    identifier = getattr(exporter, "identifier", "?")
    if plugin is None:
        where = f"class {type(exporter).__module__}.{type(exporter).__qualname__}"
        remedy = "fix the exporter"
    else:
        where = f"plugin {plugin.label}"
        remedy = (
            f"report it to the makers of {plugin.distribution or plugin.name}, or leave the "
            f"plugin out with {leave_out(plugin.name)}"
        )
    return ExportFailed(
        f"exporter {identifier!r} of {where} failed while writing: "
        f"{type(error).__name__}: {error}; {remedy}",
        value=identifier,
        plugin=plugin,
    )
