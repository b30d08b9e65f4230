"""The exceptions of exporting and the plugin system, all under `OnAccountError`.

::

    OnAccountError
    └── ExportError                          exporting or loading exporters went wrong
        ├── InvalidExporter (TypeError)      an exporter that breaks the exporter contract
        ├── InvalidOptions (InvalidValue)    export options with an unknown key or a bad value
        ├── UnsupportedSource (TypeError)    something other than a statement, plan or run
        ├── UnknownExporter (LookupError)    no registered exporter has this identifier
        ├── ExporterUnavailable (LookupError)
        │                                    an exporter whose modules are not installed
        ├── ExportFailed                     an exporter raised while writing
        ├── DuplicateExporter                two plugins claim one identifier
        ├── PluginLoadError                  plugins failed to load or register (``raise`` mode)
        └── ExportTargetExists (FileExistsError)
                                             an export would overwrite a file

`PluginWarning` is the warning category of plugin trouble that does not stop loading: a
plugin failing in ``warn`` mode, an allow or block name one typo from a plugin's, an
option declared without `option`.

Like every onaccount error these carry the offending value in ``value`` and, where there is
one, the object it belongs to in ``obj`` and the field in ``field``.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from onaccount._errors import InvalidValue, OnAccountError, portable

if TYPE_CHECKING:
    from ._registry import ExporterRegistry, PluginFailure
    from ._requirements import PluginInfo

__all__ = [
    "DuplicateExporter",
    "ExportError",
    "ExportFailed",
    "ExportTargetExists",
    "ExporterUnavailable",
    "InvalidExporter",
    "InvalidOptions",
    "LedgerRequired",
    "PluginLoadError",
    "PluginWarning",
    "UnknownExporter",
    "UnsupportedSource",
]


class ExportError(OnAccountError):
    """Exporting, or loading the exporters, went wrong."""


class InvalidExporter(ExportError, TypeError):
    """An exporter that breaks the contract: a bad identifier, missing metadata or options."""


class InvalidOptions(ExportError, InvalidValue):
    """Export options with an unknown key or a value the exporter cannot use."""


class UnsupportedSource(ExportError, TypeError):
    """An export of something other than a `Statement`, `Plan` or `InvoiceRun`."""


class LedgerRequired(ExportError, TypeError):
    """An export that reads purchases back, asked for without the ledger that holds them."""


class UnknownExporter(ExportError, LookupError):
    """No registered exporter has this identifier."""


class ExporterUnavailable(ExportError, LookupError):
    """An exporter whose modules are not installed; the message gives the install command."""

    def __init__(
        self,
        message: str,
        *,
        value: Any = None,
        field: str | None = None,
        missing: Sequence[str] = (),
        install: str = "",
    ) -> None:
        super().__init__(message, value=value, field=field)
        #: The modules that cannot be imported.
        self.missing = tuple(missing)
        #: The command that installs them, e.g. ``pip install 'onaccount[sepa]'``.
        self.install = install

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_unavailable,
            (self.message, self.value, self.field, self.missing, self.install),
        )


def _rebuild_unavailable(
    message: str, value: Any, field: str | None, missing: tuple[str, ...], install: str
) -> ExporterUnavailable:
    return ExporterUnavailable(message, value=value, field=field, missing=missing, install=install)


class ExportFailed(ExportError):
    """An exporter raised while writing; ``plugin`` is the plugin that ships it, if known.

    The exception it raised is the ``__cause__``. Nothing was written: the target file,
    if there was one, is as it was.
    """

    def __init__(self, message: str, *, value: Any = None, plugin: PluginInfo | None = None):
        super().__init__(message, value=value, field="exporter")
        #: The plugin, distribution and version the exporter comes from, or None.
        self.plugin = plugin

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_failed, (self.message, self.value, self.plugin))


def _rebuild_failed(message: str, value: Any, plugin: PluginInfo | None) -> ExportFailed:
    return ExportFailed(message, value=value, plugin=plugin)


class DuplicateExporter(ExportError):
    """Two plugins claim the same exporter identifier; neither gets it."""

    def __init__(self, message: str, *, value: Any = None, plugins: Sequence[str] = ()) -> None:
        super().__init__(message, value=value, field="identifier")
        #: The names of every plugin that claims the identifier, sorted.
        self.plugins = tuple(plugins)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_duplicate, (self.message, self.value, self.plugins))


def _rebuild_duplicate(message: str, value: Any, plugins: tuple[str, ...]) -> DuplicateExporter:
    return DuplicateExporter(message, value=value, plugins=plugins)


class PluginLoadError(ExportError):
    """One or more plugins failed to load or register; ``failures`` says which and why.

    The registry stays usable: the healthy plugins' exporters are registered before this
    is raised, and ``registry`` is that registry, so a host may catch it, report it and
    carry on (``load_exporters()`` returns nothing when it raises).
    """

    def __init__(
        self,
        message: str,
        *,
        failures: Sequence[PluginFailure] = (),
        registry: ExporterRegistry | None = None,
    ) -> None:
        super().__init__(message, value=tuple(f.plugin for f in failures), field="plugins")
        #: What went wrong, one entry per failed plugin and stage.
        self.failures = tuple(failures)
        #: The registry with the healthy plugins' exporters; None once pickled, since a
        #: registry holds modules.
        self.registry = registry

    def __reduce__(self) -> tuple[Any, ...]:
        # A plugin's own exception may not survive pickling; its text is in the message.
        failures = tuple(
            f if portable(f.error) is f.error else attrs.evolve(f, error=None)
            for f in self.failures
        )
        return (_rebuild_load_error, (self.message, failures))


def _rebuild_load_error(message: str, failures: tuple[PluginFailure, ...]) -> PluginLoadError:
    return PluginLoadError(message, failures=failures)


class ExportTargetExists(ExportError, FileExistsError):
    """An export would overwrite an existing file and overwriting was not asked for."""


class PluginWarning(UserWarning):
    """Plugin trouble that does not stop loading: a failure in ``warn`` mode, a likely typo.

    Issued through `warn_plugin`, pointing at the host's or plugin's own line.
    """


#: Modules a warning looks past to the line of the host or plugin that caused it.
_OURS = ("onaccount.exporting", "onaccount.testing")


def warn_plugin(message: str) -> None:
    """Issue `PluginWarning` ``message`` at the caller's first frame outside our code.

    Loading goes through `load_exporters`, the registry or the testing helpers, and an
    exporter is checked from the plugin's hook, so the warning counts its way out
    rather than assuming a depth.
    """
    frame, level = sys._getframe(1), 2
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith(_OURS):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, PluginWarning, stacklevel=level)
