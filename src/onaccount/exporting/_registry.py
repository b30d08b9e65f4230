"""The exporter registry: plugins found on request, each plugin's hook called on its own.

It refuses duplicate identifiers and reports every failure with the plugin's name,
distribution and version.
"""

from __future__ import annotations

import difflib
import enum
import importlib.metadata
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal

import attrs
import pluggy

from onaccount._errors import InvalidValue
from onaccount._words import counted, in_number, named

from . import _hookspecs
from ._errors import DuplicateExporter, PluginLoadError, UnknownExporter, warn_plugin
from ._exporter import Exporter, OptionInfo, validate_exporter
from ._hookspecs import ENTRY_POINT_GROUP, PROJECT_NAME, REGISTER_EXPORTERS, hookimpl
from ._requirements import PluginInfo, leave_out, needs, unavailable

__all__ = [
    "EntryPointSource",
    "ExporterInfo",
    "ExporterRegistry",
    "FailureStage",
    "OnError",
    "PluginFailure",
    "PluginInfo",
    "Registrar",
    "installed_entry_points",
    "load_exporters",
]

#: What the registry does when a plugin fails: raise `PluginLoadError` once all plugins
#: are loaded, or issue one `PluginWarning` per failure.
OnError = Literal["raise", "warn"]

#: Where the registry finds entry points; the installed distributions by default.
EntryPointSource = Callable[[], Iterable[importlib.metadata.EntryPoint]]


def installed_entry_points() -> tuple[importlib.metadata.EntryPoint, ...]:
    """The entry points of the ``onaccount`` group in the installed distributions."""
    return tuple(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))


class FailureStage(enum.Enum):
    """Where a plugin failed."""

    #: Importing the entry point raised.
    LOAD = "load"
    #: pluggy refused the plugin: a hook with the wrong arguments, an unknown or no hook, a
    #: name or object registered already.
    REGISTER = "register"
    #: The plugin's ``onaccount_register_exporters`` raised, or added an invalid exporter.
    HOOK = "hook"
    #: The plugin claims an exporter identifier another plugin claims too.
    DUPLICATE = "duplicate"


@attrs.frozen
class PluginFailure:
    """One plugin failing at one stage, with a message that says what to do."""

    plugin: str
    distribution: str | None
    version: str | None
    stage: FailureStage
    message: str
    #: The exception raised, with its traceback, for logs; None if nothing raised.
    error: BaseException | None = attrs.field(default=None, eq=False, repr=False)
    #: For a duplicate: the identifier claimed twice.
    identifier: str | None = None

    def __str__(self) -> str:
        return self.message


@attrs.frozen
class ExporterInfo:
    """What a host shows about an installed exporter, and where it comes from."""

    identifier: str
    title: str
    description: str
    media_type: str
    extension: str
    plugin: str
    distribution: str | None
    version: str | None
    options: tuple[OptionInfo, ...]
    #: Whether the modules the exporter needs are installed, so it can be used.
    available: bool = True
    #: The modules it needs that are not installed.
    missing: tuple[str, ...] = ()
    #: The command that installs them, when some are missing.
    install: str | None = None
    #: Why it cannot be used, e.g. ``needs the 'sepa' extra (schwifty missing): pip
    #: install 'onaccount[sepa]'``; None when it can.
    unavailable_reason: str | None = None


class Registrar:
    """Handed to one plugin's ``onaccount_register_exporters``: add exporters here."""

    def __init__(self, plugin: PluginInfo) -> None:
        self._plugin = plugin
        self._exporters: dict[str, Exporter[Any]] = {}

    @property
    def plugin(self) -> PluginInfo:
        """The plugin whose hook is being called."""
        return self._plugin

    @property
    def api_version(self) -> int:
        """The plugin interface version of this onaccount, `PLUGIN_API_VERSION`."""
        return _hookspecs.PLUGIN_API_VERSION

    def add(self, *exporters: Exporter[Any]) -> None:
        """Register ``exporters`` (instances of `Exporter` subclasses) for this plugin.

        Raises `InvalidExporter` for one that breaks the contract and `DuplicateExporter`
        for an identifier this plugin added already.
        """
        for exporter in exporters:
            self._add(validate_exporter(exporter))

    def _add(self, checked: Exporter[Any]) -> None:
        """Register ``checked``, which `validate_exporter` passed already."""
        identifier = checked.identifier
        if identifier in self._exporters:
            raise DuplicateExporter(
                f"plugin {self._plugin.label} adds exporter identifier {identifier!r} "
                "twice; give each exporter its own identifier",
                value=identifier,
                plugins=(self._plugin.name,),
            )
        self._exporters[identifier] = checked

    @property
    def exporters(self) -> tuple[Exporter[Any], ...]:
        """What this plugin added so far, sorted by identifier."""
        return tuple(self._exporters[i] for i in sorted(self._exporters))


class _PluginHost:
    """A typed façade over pluggy: registration and the one hook call, nothing untyped."""

    def __init__(self) -> None:
        self._manager = pluggy.PluginManager(PROJECT_NAME)
        self._manager.add_hookspecs(_hookspecs)

    def add(self, plugin: object, name: str) -> None:
        """Register ``plugin``; raises what pluggy raises for a plugin it refuses."""
        self._manager.register(plugin, name=name)

    def remove(self, plugin: object) -> None:
        """Unregister ``plugin`` if it is registered."""
        if self._manager.is_registered(plugin):
            self._manager.unregister(plugin)

    def hooks_of(self, plugin: object) -> tuple[tuple[str, bool], ...]:
        """The hooks ``plugin`` implements, each with whether it has a specification."""
        callers = self._manager.get_hookcallers(plugin) or []
        return tuple(sorted((caller.name, caller.has_spec()) for caller in callers))

    def register_exporters(self, plugin: object, registrar: Registrar) -> None:
        """Call ``plugin``'s ``onaccount_register_exporters`` and no other plugin's."""
        others = [p for p in self._manager.get_plugins() if p is not plugin]
        caller = self._manager.subset_hook_caller(REGISTER_EXPORTERS, remove_plugins=others)
        caller(registry=registrar)


@attrs.frozen
class _Claim:
    exporter: Exporter[Any]
    plugin: PluginInfo
    # Looked up once, when the plugin registers: what the exporter needs and lacks.
    missing: tuple[str, ...]


class _StaticPlugin:
    """A plugin built from exporter instances, for hosts and tests that have them at hand.

    The host checked them already (`ExporterRegistry.add`), so its own mistakes are
    refused at its call rather than reported as a plugin's failure.
    """

    def __init__(self, exporters: tuple[Exporter[Any], ...]) -> None:
        self._exporters = exporters

    @hookimpl
    def onaccount_register_exporters(self, registry: Registrar) -> None:
        """Add the exporters given."""
        for exporter in self._exporters:
            registry._add(exporter)


def _the_hosts(exporters: Iterable[Exporter[Any]], plugin: str) -> tuple[Exporter[Any], ...]:
    """The exporters a host adds, checked; `InvalidExporter` or `DuplicateExporter` if not."""
    checked: dict[str, Exporter[Any]] = {}
    for exporter in exporters:
        valid = validate_exporter(exporter)
        if valid.identifier in checked:
            raise DuplicateExporter(
                f"the host adds exporter identifier {valid.identifier!r} twice; give each "
                "exporter its own identifier",
                value=valid.identifier,
                plugins=(plugin,),
            )
        checked[valid.identifier] = valid
    return tuple(checked.values())


def _names(value: Iterable[str] | None, field: str) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        raise InvalidValue(
            f"{field} {value!r} is a single string; pass a list of plugin names such as "
            f"[{value!r}]",
            value=value,
            field=field,
        )
    return frozenset(value)


class ExporterRegistry:
    """The exporters a host can use, with where each came from and what failed.

    Nothing is loaded when the registry is built: call `load_entry_points` to find the
    installed plugins (entry-point group ``onaccount``), or `register` to add a plugin
    object directly. ``allow`` (when given) and ``block`` name plugins by their
    entry-point name. With ``on_error="raise"`` (the default) a load that had failures
    raises `PluginLoadError` after registering every healthy plugin; with ``"warn"`` it
    issues one `PluginWarning` per failure. Either way `failures` keeps the record.
    """

    def __init__(
        self,
        *,
        on_error: OnError = "raise",
        allow: Iterable[str] | None = None,
        block: Iterable[str] = (),
        entry_points: EntryPointSource = installed_entry_points,
    ) -> None:
        if on_error not in ("raise", "warn"):
            raise InvalidValue(
                f"on_error {on_error!r} is not a choice; use 'raise' or 'warn'",
                value=on_error,
                field="on_error",
            )
        self._on_error: OnError = on_error
        self._allow = _names(allow, "allow")
        self._block = _names(block, "block") or frozenset()
        self._entry_points = entry_points
        self._host = _PluginHost()
        self._plugins: dict[str, PluginInfo] = {}
        self._seen: dict[str, PluginInfo] = {}
        self._claims: dict[str, list[_Claim]] = {}
        self._failures: list[PluginFailure] = []
        self._skipped: set[str] = set()
        self._reported_duplicates: set[tuple[str, str]] = set()
        self._warned: set[str] = set()
        self._static_count = 0
        # The plugin names of exporters the host added itself: there is no plugin to block.
        self._added: set[str] = set()

    # -- loading ---------------------------------------------------------------------------

    def _selected(self, name: str) -> bool:
        if name in self._block or (self._allow is not None and name not in self._allow):
            self._skipped.add(name)
            return False
        return True

    def load_entry_points(self) -> ExporterRegistry:
        """Load every allowed, unblocked plugin of the entry-point group ``onaccount``.

        Plugins are loaded in name order, each on its own; a plugin name loaded already is
        left alone, so calling this twice loads nothing twice. Returns the registry.
        """
        start = len(self._failures)
        found = sorted(
            self._entry_points(),
            key=lambda ep: (ep.name, _dist_name(ep) or "", ep.value),
        )
        for ep in found:
            if ep.group != ENTRY_POINT_GROUP or not self._selected(ep.name):
                continue
            info = PluginInfo(ep.name, _dist_name(ep), _dist_version(ep))
            seen = self._seen.get(ep.name)
            if seen is not None:
                if seen != info:
                    self._fail(
                        info,
                        FailureStage.REGISTER,
                        f"plugin {info.label} has the name of plugin {seen.label}, loaded "
                        "already; rename one entry point or uninstall one distribution",
                    )
                continue
            self._seen[ep.name] = info
            try:
                plugin = ep.load()
            except KeyboardInterrupt:
                raise
            except BaseException as error:
                # SystemExit and the like from a plugin's import are its failure, not an
                # order to the host; only the user's Ctrl-C stops the load.
                self._fail(
                    info,
                    FailureStage.LOAD,
                    f"plugin {info.label} could not be imported from {ep.value!r}: "
                    f"{type(error).__name__}: {error}; fix or reinstall "
                    f"{info.distribution or 'it'}, or leave it out with {leave_out(ep.name)}",
                    error,
                )
                continue
            self._add_plugin(plugin, info, where=ep.value)
        self._warn_of_misspelt({ep.name for ep in found if ep.group == ENTRY_POINT_GROUP})
        self._report(start)
        return self

    def _warn_of_misspelt(self, installed: set[str]) -> None:
        """Warn of an allow or block name that misses an installed plugin's by a letter or two.

        A name far from any, or another version of one (``sepa-v1`` beside ``sepa-v2``),
        is left alone: blocking a plugin that may be installed later is a choice.
        """
        for option, names in (("allow", self._allow or frozenset()), ("block", self._block)):
            for name in sorted(names - installed - self._warned):
                self._warned.add(name)  # a second load says nothing new
                close = [
                    near
                    for near in difflib.get_close_matches(name, sorted(installed), cutoff=0.85)
                    if _VERSION.sub("", near) != _VERSION.sub("", name)
                ]
                if close:
                    warn_plugin(
                        f"{option} names plugin {name!r}, which is not installed (did you "
                        f"mean {close[0]!r}?); plugins are named as in the 'from' column of "
                        "`onaccount exporters`"
                    )

    def register(
        self,
        plugin: object,
        *,
        name: str,
        distribution: str | None = None,
        version: str | None = None,
    ) -> ExporterRegistry:
        """Register a plugin object (a module or any object with the hook) directly.

        Failures are recorded and raised or warned as for `load_entry_points`. Returns
        the registry.
        """
        start = len(self._failures)
        if self._selected(name):
            self._add_plugin(plugin, PluginInfo(name, distribution, version), where=repr(plugin))
        self._report(start)
        return self

    def add(self, *exporters: Exporter[Any], plugin: str | None = None) -> ExporterRegistry:
        """Register exporter instances directly, as a plugin named ``plugin``.

        Without a name the plugin is called ``host`` (``host-2``, … for later calls).
        The exporters are the host's own, so they are checked here: one that breaks the
        contract raises `InvalidExporter`, and an identifier given twice
        `DuplicateExporter`, before anything is registered. An identifier an installed
        plugin claims too is refused to both, as between plugins. Returns the registry.
        """
        count = self._static_count + 1
        name = plugin if plugin is not None else "host" if count == 1 else f"host-{count}"
        checked = _the_hosts(exporters, name)
        if plugin is None:
            self._static_count = count
        self._added.add(name)
        return self.register(_StaticPlugin(checked), name=name)

    def _add_plugin(self, plugin: object, info: PluginInfo, *, where: str) -> None:
        if info.name in self._plugins:
            self._fail(
                info,
                FailureStage.REGISTER,
                f"plugin {info.label} has the name of plugin {self._plugins[info.name].label}, "
                "registered already; register it under another name",
            )
            return
        try:
            self._host.add(plugin, info.name)
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            self._fail(
                info,
                FailureStage.REGISTER,
                f"plugin {info.label} from {where} was refused: {error}; give "
                f"{REGISTER_EXPORTERS} the signature ({REGISTER_EXPORTERS}(registry))",
                error,
            )
            return
        hooks = self._host.hooks_of(plugin)
        unknown = [name for name, known in hooks if not known]
        if unknown or not hooks:
            self._host.remove(plugin)
            what = (
                f"implements unknown {named('hook', (repr(u) for u in unknown))}"
                if unknown
                else "implements no onaccount hook"
            )
            self._fail(
                info,
                FailureStage.REGISTER,
                f"plugin {info.label} from {where} {what}; mark a function "
                f"{REGISTER_EXPORTERS}(registry) with onaccount.exporting.hookimpl",
            )
            return
        registrar = Registrar(info)
        try:
            self._host.register_exporters(plugin, registrar)
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            self._host.remove(plugin)
            self._fail(
                info,
                FailureStage.HOOK,
                f"plugin {info.label} failed in {REGISTER_EXPORTERS}: "
                f"{type(error).__name__}: {error}; none of its exporters were registered, "
                f"fix the plugin or leave it out with {leave_out(info.name)}",
                error,
            )
            return
        self._plugins[info.name] = info
        for exporter in registrar.exporters:
            claim = _Claim(exporter, info, exporter.requires.missing())
            self._claims.setdefault(exporter.identifier, []).append(claim)
        self._record_duplicates()

    def _record_duplicates(self) -> None:
        for identifier, claims in sorted(self._claims.items()):
            if len(claims) < 2:
                continue
            owners = sorted(claims, key=lambda c: c.plugin.name)
            labels = [c.plugin.label for c in owners]
            names = [c.plugin.name for c in owners]
            listed = " and ".join([", ".join(labels[:-1]), labels[-1]])
            for claim in owners:
                key = (identifier, claim.plugin.name)
                if key in self._reported_duplicates:
                    continue
                self._reported_duplicates.add(key)
                both = "both" if len(owners) == 2 else "all"
                message = (
                    f"plugins {listed} {both} register exporter identifier {identifier!r}, "
                    f"so none of them gets it; {self._settle(claim.plugin.name, names)}"
                )
                error = DuplicateExporter(message, value=identifier, plugins=names)
                self._fail(
                    claim.plugin, FailureStage.DUPLICATE, message, error, identifier=identifier
                )

    def _settle(self, plugin: str, names: list[str]) -> str:
        """How ``plugin`` gets an identifier the plugins ``names`` all claim."""
        others = [n for n in names if n != plugin and n not in self._added]
        if others:
            return f"leave one out, e.g. {leave_out(others[0])}, or uninstall it"
        if plugin in self._added:
            return "give each exporter the host adds its own identifier"
        return (
            f"give the exporter the host adds another identifier, or leave this plugin out "
            f"with {leave_out(plugin)}"
        )

    def _fail(
        self,
        info: PluginInfo,
        stage: FailureStage,
        message: str,
        error: BaseException | None = None,
        *,
        identifier: str | None = None,
    ) -> None:
        self._failures.append(
            PluginFailure(
                plugin=info.name,
                distribution=info.distribution,
                version=info.version,
                stage=stage,
                message=message,
                error=error,
                identifier=identifier,
            )
        )

    def _report(self, start: int) -> None:
        new = self._failures[start:]
        if not new:
            return
        if self._on_error == "warn":
            for failure in new:
                warn_plugin(failure.message)
            return
        count = len(new)
        details = "\n".join(f"- {failure.message}" for failure in new)
        raise PluginLoadError(
            f"{counted(count, 'plugin failure')}; the healthy plugins are registered:\n{details}",
            failures=new,
            registry=self,
        )

    # -- reading -----------------------------------------------------------------------------

    def _registered(self) -> dict[str, _Claim]:
        return {
            identifier: claims[0]
            for identifier, claims in sorted(self._claims.items())
            if len(claims) == 1
        }

    def _available(self) -> dict[str, _Claim]:
        return {i: claim for i, claim in self._registered().items() if not claim.missing}

    @property
    def failures(self) -> tuple[PluginFailure, ...]:
        """Every failure so far, in the order they happened."""
        return tuple(self._failures)

    @property
    def plugins(self) -> tuple[PluginInfo, ...]:
        """The plugins registered, sorted by name."""
        return tuple(self._plugins[name] for name in sorted(self._plugins))

    @property
    def skipped(self) -> tuple[str, ...]:
        """The plugin names left out by ``allow`` or ``block``, sorted."""
        return tuple(sorted(self._skipped))

    def identifiers(self) -> tuple[str, ...]:
        """The identifiers of the exporters that can be used here, sorted.

        An exporter whose modules are missing is left out, as are refused duplicates;
        `describe` lists the former with the command that installs what it needs.
        """
        return tuple(self._available())

    def exporters(self) -> tuple[Exporter[Any], ...]:
        """The exporters that can be used here, sorted by identifier (see `identifiers`)."""
        return tuple(claim.exporter for claim in self._available().values())

    def get(self, identifier: str) -> Exporter[Any]:
        """The exporter with ``identifier``; `UnknownExporter` names the ones there are.

        An exporter whose modules are missing raises `ExporterUnavailable` with the
        command that installs them.
        """
        self._check_text(identifier)
        claim = self._registered().get(identifier)
        if claim is not None:
            if claim.missing:
                raise unavailable(identifier, claim.exporter.requires, claim.missing, claim.plugin)
            return claim.exporter
        raise self._unknown(identifier)

    def _check_text(self, identifier: object) -> None:
        if not isinstance(identifier, str):
            known = ", ".join(repr(i) for i in self.identifiers()) or "none"
            raise UnknownExporter(
                f"exporter identifier {identifier!r} is not text; give one of the available "
                f"exporters, {known}",
                value=identifier,
                obj=self,
                field="identifier",
            )

    def _unknown(self, identifier: str) -> UnknownExporter:
        if identifier in self._claims:
            owners = ", ".join(c.plugin.label for c in self._claims[identifier])
            reason = f"is claimed by several plugins ({owners}), so none gets it"
        else:
            reason = "is not registered"
        registered = self._registered()
        close = difflib.get_close_matches(identifier, list(registered), n=1)
        if close:
            reason += f" (did you mean {close[0]!r}?)"
        known = ", ".join(repr(i) for i in self.identifiers()) or "none"
        unready = [repr(i) for i, claim in registered.items() if claim.missing]
        if unready:
            n = len(unready)
            known += (
                f"; {', '.join(unready)} {in_number(n, 'is', 'are')} installed without the "
                f"modules {in_number(n, 'it needs', 'they need')}"
            )
        return UnknownExporter(
            f"exporter {identifier!r} {reason}; the available exporters are {known}",
            value=identifier,
            obj=self,
            field="identifier",
        )

    def info(self, identifier: str) -> ExporterInfo:
        """What `describe` says about one exporter, available or not."""
        self._check_text(identifier)
        claim = self._registered().get(identifier)
        if claim is None:
            raise self._unknown(identifier)
        return _info(claim)

    def describe(self) -> tuple[ExporterInfo, ...]:
        """Every registered exporter with its plugin, distribution, version and availability.

        Exporters whose modules are missing are listed too, with ``available`` False and
        the command that installs them; refused duplicates are not.
        """
        return tuple(_info(claim) for claim in self._registered().values())

    def __contains__(self, identifier: object) -> bool:
        return isinstance(identifier, str) and identifier in self._available()

    def __iter__(self) -> Iterator[Exporter[Any]]:
        return iter(self.exporters())

    def __len__(self) -> int:
        return len(self._available())

    def __repr__(self) -> str:
        return (
            f"<ExporterRegistry exporters={list(self.identifiers())!r} "
            f"failures={len(self._failures)}>"
        )


def _info(claim: _Claim) -> ExporterInfo:
    exporter = claim.exporter
    install = exporter.requires.install_hint(claim.plugin.distribution) if claim.missing else None
    return ExporterInfo(
        identifier=exporter.identifier,
        title=exporter.title,
        description=exporter.description,
        media_type=exporter.media_type,
        extension=exporter.extension,
        plugin=claim.plugin.name,
        distribution=claim.plugin.distribution,
        version=claim.plugin.version,
        options=exporter.Options.describe(),
        available=not claim.missing,
        missing=claim.missing,
        install=install,
        unavailable_reason=None
        if install is None
        else needs(exporter.requires, claim.missing, install),
    )


def _dist_name(ep: importlib.metadata.EntryPoint) -> str | None:
    dist = ep.dist
    return None if dist is None else dist.name


def _dist_version(ep: importlib.metadata.EntryPoint) -> str | None:
    dist = ep.dist
    return None if dist is None else dist.version


#: The digits of a name, which tell versions of one plugin apart.
_VERSION = re.compile(r"\d+")


def load_exporters(
    *,
    on_error: OnError = "raise",
    allow: Iterable[str] | None = None,
    block: Iterable[str] = (),
) -> ExporterRegistry:
    """A registry with the installed plugins loaded.

    Short for ``ExporterRegistry(...).load_entry_points()``.
    """
    return ExporterRegistry(on_error=on_error, allow=allow, block=block).load_entry_points()
