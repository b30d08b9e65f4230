"""The hooks an onaccount plugin implements, and the markers to implement them with.

A plugin is a module (or any object) named by an entry point in the ``onaccount`` group::

    [project.entry-points.onaccount]
    acme = "acme_onaccount"

whose hook is marked with `hookimpl`::

    from onaccount.exporting import hookimpl

    @hookimpl
    def onaccount_register_exporters(registry):
        registry.add(AcmeExporter())
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import pluggy

if TYPE_CHECKING:
    from ._registry import Registrar

__all__ = [
    "ENTRY_POINT_GROUP",
    "PLUGIN_API_VERSION",
    "PROJECT_NAME",
    "REGISTER_EXPORTERS",
    "hookimpl",
    "hookspec",
    "onaccount_register_exporters",
]

#: The pluggy project name; hook markers of other projects are not seen.
PROJECT_NAME: Final = "onaccount"
#: The entry-point group plugins are found through.
ENTRY_POINT_GROUP: Final = "onaccount"
#: The version of the plugin interface: the hooks below, `Registrar` and the `Exporter`
#: contract. It goes up when a change would break existing plugins.
PLUGIN_API_VERSION: Final = 1
#: The name of the one hook.
REGISTER_EXPORTERS: Final = "onaccount_register_exporters"

#: Marks the hook specifications below.
hookspec: Final = pluggy.HookspecMarker(PROJECT_NAME)
#: Marks a plugin's hook implementation: ``@hookimpl def onaccount_register_exporters(...)``.
hookimpl: Final = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def onaccount_register_exporters(registry: Registrar) -> None:
    """Add this plugin's exporters with ``registry.add(exporter, ...)``.

    Called once per plugin, on its own, when a host loads the plugins; never at import
    time. ``registry`` belongs to this plugin alone: it records which plugin added which
    exporter. An exception here discards this plugin's exporters and is reported with the
    plugin's name, distribution and version; the other plugins load as usual. An
    identifier another plugin registers too is refused for both.
    """
