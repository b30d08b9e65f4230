"""The exporter registry: discovery, isolation of broken plugins, duplicates, description."""

from __future__ import annotations

import importlib.metadata
import pickle
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import onaccount_exporters
from onaccount.exporting import (
    PLUGIN_API_VERSION,
    DuplicateExporter,
    ExporterRegistry,
    FailureStage,
    InvalidExporter,
    PluginLoadError,
    PluginWarning,
    Registrar,
    UnknownExporter,
    hookimpl,
    load_exporters,
)
from onaccount.testing._registry import entry_points_from, isolated_registry, write_distribution
from onaccount_exporters import CsvExporter, XlsxExporter

#: What the built-in plugin registers, sorted.
BUILTIN_IDENTIFIERS = ("csv", "debtors", "journal", "sepa", "ubl", "xaf", "xlsx")

# A plugin module with one small exporter; IDENT is replaced by its identifier.
_HEALTHY = """
import attrs
from onaccount.exporting import Exporter, ExportOptions, export_document, hookimpl


@attrs.frozen(kw_only=True)
class TotalsOptions(ExportOptions):
    pass


class Totals(Exporter[TotalsOptions]):
    identifier = "IDENT"
    title = "Totals IDENT"
    description = "The total per currency, one line each."
    media_type = "text/plain"
    extension = "txt"
    Options = TotalsOptions

    def write(self, source, stream, options):
        for currency, total in export_document(source).totals.items():
            stream.write(f"{currency} {total}\\n".encode())


@hookimpl
def onaccount_register_exporters(registry):
    registry.add(Totals())
"""


def healthy(identifier: str) -> str:
    """Source of a plugin module registering one exporter under ``identifier``."""
    return _HEALTHY.replace("IDENT", identifier)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path for fake distributions; their modules are forgotten afterwards."""
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    before = set(sys.modules)
    yield folder
    for name in set(sys.modules) - before:
        if name.startswith("fake_"):
            del sys.modules[name]


def test_builtin_plugin_is_found_through_its_entry_point() -> None:
    """The installed entry point 'builtin' registers the built-ins, with its distribution."""
    registry = ExporterRegistry(allow=["builtin"]).load_entry_points()
    assert registry.identifiers() == BUILTIN_IDENTIFIERS
    version = importlib.metadata.version("onaccount")
    assert [(i.identifier, i.plugin, i.distribution, i.version) for i in registry.describe()] == [
        (identifier, "builtin", "onaccount", version) for identifier in BUILTIN_IDENTIFIERS
    ]
    assert registry.failures == ()


def test_load_exporters_finds_every_installed_plugin_without_failures() -> None:
    """load_exporters() loads all installed plugins (the built-ins at least) cleanly."""
    registry = load_exporters()
    assert {"csv", "xlsx"} <= set(registry.identifiers())
    assert registry.failures == ()


def test_nothing_is_loaded_at_import_time() -> None:
    """Importing onaccount and onaccount.exporting imports no plugin module."""
    code = (
        "import sys, onaccount, onaccount.exporting, onaccount.testing._registry\n"
        "print('onaccount_exporters' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_registry_loads_nothing_until_asked() -> None:
    """A new registry is empty; load_entry_points is what finds plugins."""
    registry = ExporterRegistry(allow=["builtin"])
    assert registry.identifiers() == ()
    assert registry.plugins == ()


def test_describe_gives_identifier_title_plugin_distribution_and_version(site: Path) -> None:
    """describe() names each exporter's title, plugin, distribution, version and options."""
    write_distribution(
        site,
        "fake-totals",
        "2.5.1",
        entry_points={"totals": "fake_totals_describe"},
        modules={"fake_totals_describe": healthy("totals")},
    )
    registry = isolated_registry(entry_points=entry_points_from([site]))
    (info,) = registry.describe()
    assert (info.identifier, info.title, info.plugin, info.distribution, info.version) == (
        "totals",
        "Totals totals",
        "totals",
        "fake-totals",
        "2.5.1",
    )
    assert info.media_type == "text/plain"
    assert info.extension == "txt"
    assert info.options == ()
    assert registry.info("totals") == info


def test_exporters_are_listed_by_identifier_not_load_order() -> None:
    """Plugins load in name order, but exporters are listed sorted by identifier."""
    registry = isolated_registry(
        plugins={"a-plugin": _Plugin(XlsxExporter()), "z-plugin": _Plugin(CsvExporter())}
    )
    assert registry.identifiers() == ("csv", "xlsx")
    assert [type(e) for e in registry.exporters()] == [CsvExporter, XlsxExporter]
    assert [i.plugin for i in registry.describe()] == ["z-plugin", "a-plugin"]
    assert [p.name for p in registry.plugins] == ["a-plugin", "z-plugin"]


class _Plugin:
    """A plugin object adding the exporters it is given and counting its calls."""

    def __init__(self, *exporters: Any) -> None:
        self.exporters = exporters
        self.registrars: list[Registrar] = []

    @hookimpl
    def onaccount_register_exporters(self, registry: Registrar) -> None:
        """Add the exporters."""
        self.registrars.append(registry)
        registry.add(*self.exporters)


def test_each_plugin_hook_is_called_once_on_its_own() -> None:
    """Each plugin's hook runs once, with a registrar of its own, whatever registers later."""
    first, second = _Plugin(CsvExporter()), _Plugin(XlsxExporter())
    registry = ExporterRegistry(entry_points=lambda: ())
    registry.register(first, name="first")
    registry.register(second, name="second")
    assert len(first.registrars) == 1
    assert len(second.registrars) == 1
    assert first.registrars[0].plugin.name == "first"
    assert second.registrars[0].plugin.name == "second"
    assert first.registrars[0] is not second.registrars[0]


def test_plugin_whose_import_raises_is_reported_and_the_others_load(site: Path) -> None:
    """A plugin failing at import is reported with name, distribution and version; others load."""
    write_distribution(
        site,
        "fake-broken-import",
        "0.3",
        entry_points={"broken": "fake_broken_import"},
        modules={"fake_broken_import": "raise RuntimeError('database driver missing')\n"},
    )
    write_distribution(
        site,
        "fake-good",
        "1.0",
        entry_points={"good": "fake_good_import"},
        modules={"fake_good_import": healthy("good")},
    )
    with pytest.raises(PluginLoadError) as caught:
        ExporterRegistry(entry_points=entry_points_from([site])).load_entry_points()
    (failure,) = caught.value.failures
    assert (failure.plugin, failure.distribution, failure.version, failure.stage) == (
        "broken",
        "fake-broken-import",
        "0.3",
        FailureStage.LOAD,
    )
    assert "RuntimeError: database driver missing" in failure.message
    assert "fake-broken-import 0.3" in failure.message
    assert "block=['broken']" in failure.message
    assert isinstance(failure.error, RuntimeError)
    assert "database driver missing" in str(caught.value)

    registry = ExporterRegistry(on_error="warn", entry_points=entry_points_from([site]))
    with pytest.warns(PluginWarning, match="database driver missing"):
        registry.load_entry_points()
    assert registry.identifiers() == ("good",)
    assert [f.plugin for f in registry.failures] == ["broken"]


def test_raise_mode_registers_the_healthy_plugins_before_raising(site: Path) -> None:
    """After PluginLoadError the registry still holds every healthy plugin's exporters."""
    write_distribution(
        site,
        "fake-broken-two",
        entry_points={"broken": "fake_broken_two"},
        modules={"fake_broken_two": "import fake_module_that_does_not_exist\n"},
    )
    write_distribution(
        site,
        "fake-good-two",
        entry_points={"good": "fake_good_two"},
        modules={"fake_good_two": healthy("good")},
    )
    registry = ExporterRegistry(entry_points=entry_points_from([site]))
    with pytest.raises(PluginLoadError, match="fake_module_that_does_not_exist"):
        registry.load_entry_points()
    assert registry.identifiers() == ("good",)
    assert registry.get("good").title == "Totals good"


def test_plugin_whose_hook_raises_is_reported_and_keeps_none_of_its_exporters(
    site: Path,
) -> None:
    """A hook that adds an exporter and then raises registers nothing; the others load."""
    write_distribution(
        site,
        "fake-hook-raises",
        "4.0",
        entry_points={"flaky": "fake_hook_raises"},
        modules={
            "fake_hook_raises": healthy("flaky")
            + "\n\n@hookimpl\ndef onaccount_register_exporters(registry):\n"
            "    registry.add(Totals())\n"
            "    raise KeyError('licence')\n"
        },
    )
    write_distribution(
        site,
        "fake-good-three",
        entry_points={"good": "fake_good_three"},
        modules={"fake_good_three": healthy("good")},
    )
    registry = ExporterRegistry(on_error="warn", entry_points=entry_points_from([site]))
    with pytest.warns(PluginWarning, match="licence"):
        registry.load_entry_points()
    assert registry.identifiers() == ("good",)
    (failure,) = registry.failures
    assert (failure.plugin, failure.distribution, failure.version, failure.stage) == (
        "flaky",
        "fake-hook-raises",
        "4.0",
        FailureStage.HOOK,
    )
    assert "KeyError: 'licence'" in failure.message
    assert [p.name for p in registry.plugins] == ["good"]


def test_two_plugins_claiming_one_identifier_both_lose_it_and_are_named(site: Path) -> None:
    """A duplicate identifier is refused naming both plugins; their other exporters stay."""
    write_distribution(
        site,
        "fake-acme",
        "1.1",
        entry_points={"acme": "fake_acme"},
        modules={"fake_acme": healthy("totals")},
    )
    write_distribution(
        site,
        "fake-other",
        "2.2",
        entry_points={"other": "fake_other"},
        modules={
            "fake_other": healthy("totals")
            + "\n\nclass Lines(Totals):\n    identifier = 'lines'\n\n\n"
            "@hookimpl\ndef onaccount_register_exporters(registry):\n"
            "    registry.add(Totals(), Lines())\n"
        },
    )
    write_distribution(
        site,
        "fake-good-four",
        entry_points={"good": "fake_good_four"},
        modules={"fake_good_four": healthy("good")},
    )
    registry = ExporterRegistry(entry_points=entry_points_from([site]))
    with pytest.raises(PluginLoadError) as caught:
        registry.load_entry_points()
    assert registry.identifiers() == ("good", "lines")
    failures = caught.value.failures
    assert [(f.plugin, f.stage, f.identifier) for f in failures] == [
        ("acme", FailureStage.DUPLICATE, "totals"),
        ("other", FailureStage.DUPLICATE, "totals"),
    ]
    for failure in failures:
        assert "'acme' (fake-acme 1.1)" in failure.message
        assert "'other' (fake-other 2.2)" in failure.message
        assert isinstance(failure.error, DuplicateExporter)
        assert failure.error.plugins == ("acme", "other")
    with pytest.raises(UnknownExporter, match="claimed by several plugins"):
        registry.get("totals")


def test_a_duplicate_registered_later_also_refuses_the_first() -> None:
    """An identifier claimed again by a later registration is withdrawn from both."""
    registry = isolated_registry(CsvExporter())
    assert "csv" in registry
    with pytest.raises(PluginLoadError, match="'host' and 'test'"):
        registry.add(CsvExporter(), plugin="host")
    assert "csv" not in registry
    assert len(registry) == 0


def test_plugin_adding_one_identifier_twice_is_refused() -> None:
    """A plugin that adds the same identifier twice fails at the hook stage."""
    registry = isolated_registry(on_error="warn")
    with pytest.warns(PluginWarning, match="adds exporter identifier 'csv' twice"):
        registry.register(_Plugin(CsvExporter(), CsvExporter()), name="twice")
    assert registry.failures[0].stage is FailureStage.HOOK


def test_the_host_adding_an_invalid_exporter_is_refused_at_its_call() -> None:
    """add() refuses the host's own broken exporter with InvalidExporter: no plugin to block."""
    registry = ExporterRegistry(entry_points=lambda: ())
    with pytest.raises(InvalidExporter) as caught:
        registry.add(CsvExporter)  # type: ignore[arg-type]  # the class: the refusal under test
    message = str(caught.value)
    assert message == "CsvExporter is an exporter class; register an instance, CsvExporter()"
    assert (registry.failures, registry.plugins, len(registry)) == ((), (), 0)
    registry.add(XlsxExporter())
    assert [i.plugin for i in registry.describe()] == ["host"]


def test_the_host_adding_one_identifier_twice_is_refused_at_its_call() -> None:
    """add() with one identifier twice raises DuplicateExporter as the host's, registering none."""
    registry = isolated_registry(on_error="warn")
    with pytest.raises(DuplicateExporter) as caught:
        registry.add(XlsxExporter(), CsvExporter(), CsvExporter())
    assert str(caught.value) == (
        "the host adds exporter identifier 'csv' twice; give each exporter its own identifier"
    )
    assert (registry.failures, len(registry)) == ((), 0)


def test_a_duplicate_of_the_host_s_exporter_advises_blocking_only_the_plugin() -> None:
    """A host's exporter and a plugin's sharing an identifier: only the plugin is blockable."""
    registry = isolated_registry(on_error="warn")
    registry.register(_Plugin(CsvExporter()), name="acme")
    with pytest.warns(PluginWarning):
        registry.add(CsvExporter())
    messages = {failure.plugin: failure.message for failure in registry.failures}
    assert set(messages) == {"acme", "host"}
    assert "block=['host']" not in " ".join(messages.values())
    assert messages["host"].endswith(
        "leave one out, e.g. block=['acme'] (--block-plugin acme "
        "on the command line), or uninstall it"
    )
    assert messages["acme"].endswith(
        "give the exporter the host adds another identifier, or leave this plugin out with "
        "block=['acme'] (--block-plugin acme on the command line)"
    )


def test_two_host_additions_sharing_an_identifier_are_told_to_rename() -> None:
    """Two add() calls claiming one identifier are told to give each its own identifier."""
    registry = isolated_registry(on_error="warn")
    registry.add(CsvExporter())
    with pytest.warns(PluginWarning, match="give each exporter the host adds its own identifier"):
        registry.add(CsvExporter())
    assert {failure.plugin for failure in registry.failures} == {"host", "host-2"}
    assert "block=" not in " ".join(failure.message for failure in registry.failures)


def test_plugin_adding_an_invalid_exporter_is_reported_at_the_hook_stage() -> None:
    """Adding an exporter class instead of an instance is a hook failure naming the fix."""
    registry = isolated_registry(on_error="warn")
    with pytest.warns(PluginWarning, match=r"register an instance, CsvExporter\(\)"):
        registry.register(_Plugin(CsvExporter), name="careless")
    (failure,) = registry.failures
    assert failure.stage is FailureStage.HOOK
    assert isinstance(failure.error, InvalidExporter)


class _Misspelled:
    """A plugin whose hook name has a typo."""

    @hookimpl
    def onaccount_register_exporter(self, registry: Registrar) -> None:
        """Never called."""


class _WrongArguments:
    """A plugin whose hook asks for an argument the spec does not have."""

    @hookimpl
    def onaccount_register_exporters(self, registry: Registrar, settings: object) -> None:
        """Never called."""


def test_plugins_that_pluggy_refuses_are_reported_at_the_register_stage() -> None:
    """A misspelled hook, wrong hook arguments and no hook at all are register failures."""
    registry = ExporterRegistry(on_error="warn", entry_points=lambda: ())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        registry.register(_Misspelled(), name="typo")
        registry.register(_WrongArguments(), name="greedy")
        registry.register(object(), name="empty")
        registry.register(_Plugin(CsvExporter()), name="fine")
    assert [w.category for w in caught] == [PluginWarning] * 3
    stages = {f.plugin: (f.stage, f.message) for f in registry.failures}
    assert stages["typo"][0] is FailureStage.REGISTER
    assert "unknown hook 'onaccount_register_exporter'" in stages["typo"][1]
    assert stages["greedy"][0] is FailureStage.REGISTER
    assert "settings" in stages["greedy"][1]
    assert "implements no onaccount hook" in stages["empty"][1]
    assert registry.identifiers() == ("csv",)
    assert [p.name for p in registry.plugins] == ["fine"]


def test_the_same_plugin_object_under_two_names_is_refused_the_second_time() -> None:
    """Pluggy refuses a plugin registered twice; the registry reports it and goes on."""
    plugin = _Plugin(CsvExporter())
    registry = isolated_registry(plugins={"one": plugin}, on_error="warn")
    with pytest.warns(PluginWarning, match="already registered"):
        registry.register(plugin, name="two")
    assert registry.identifiers() == ("csv",)


def test_allow_and_block_lists_choose_plugins_by_name(site: Path) -> None:
    """Allow keeps only the named plugins, block leaves the named ones out, both are skipped."""
    for name in ("alpha", "beta", "gamma"):
        write_distribution(
            site,
            f"fake-{name}",
            entry_points={name: f"fake_{name}_allow"},
            modules={f"fake_{name}_allow": healthy(name)},
        )
    source = entry_points_from([site])
    allowed = ExporterRegistry(allow=["alpha", "gamma"], entry_points=source)
    assert allowed.load_entry_points().identifiers() == ("alpha", "gamma")
    assert allowed.skipped == ("beta",)
    blocked = ExporterRegistry(block=["alpha"], entry_points=source)
    assert blocked.load_entry_points().identifiers() == ("beta", "gamma")
    assert blocked.skipped == ("alpha",)
    both = ExporterRegistry(allow=["alpha", "beta"], block=["beta"], entry_points=source)
    assert both.load_entry_points().identifiers() == ("alpha",)
    with pytest.raises(ValueError, match=r"a list of plugin names such as \['alpha'\]"):
        ExporterRegistry(allow="alpha")


def test_a_blocked_plugin_is_not_even_imported(site: Path) -> None:
    """Blocking a plugin whose import would fail avoids the failure altogether."""
    write_distribution(
        site,
        "fake-blocked",
        entry_points={"broken": "fake_blocked"},
        modules={"fake_blocked": "raise SystemError('never imported')\n"},
    )
    registry = ExporterRegistry(block=["broken"], entry_points=entry_points_from([site]))
    assert registry.load_entry_points().failures == ()
    assert "fake_blocked" not in sys.modules


def test_loading_twice_loads_nothing_twice(site: Path) -> None:
    """A second load_entry_points call neither reloads nor reports anything."""
    write_distribution(
        site,
        "fake-once",
        entry_points={"once": "fake_once"},
        modules={"fake_once": healthy("once")},
    )
    registry = ExporterRegistry(entry_points=entry_points_from([site]))
    registry.load_entry_points().load_entry_points()
    assert registry.identifiers() == ("once",)
    assert registry.failures == ()


def test_two_distributions_with_one_plugin_name_are_reported(tmp_path: Path, site: Path) -> None:
    """Two distributions declaring the same entry-point name: the second is refused, named."""
    write_distribution(
        site,
        "fake-first",
        "1.0",
        entry_points={"same": "fake_same_first"},
        modules={"fake_same_first": healthy("first")},
    )
    other = tmp_path / "other-site"
    write_distribution(
        other,
        "fake-second",
        "2.0",
        entry_points={"same": "fake_same_second"},
        modules={"fake_same_second": healthy("second")},
    )
    registry = ExporterRegistry(on_error="warn", entry_points=entry_points_from([site, other]))
    with pytest.warns(PluginWarning, match="has the name of plugin 'same' \\(fake-first 1.0\\)"):
        registry.load_entry_points()
    assert registry.identifiers() == ("first",)
    assert registry.failures[0].distribution == "fake-second"


def test_unknown_identifier_names_the_available_exporters() -> None:
    """get() of an unknown identifier raises UnknownExporter listing what there is."""
    registry = isolated_registry(CsvExporter(), XlsxExporter())
    with pytest.raises(UnknownExporter, match=r"'pdf' is not registered.*'csv', 'xlsx'") as caught:
        registry.get("pdf")
    assert caught.value.value == "pdf"
    assert isinstance(caught.value, LookupError)
    with pytest.raises(UnknownExporter, match=r"'cvs' is not registered \(did you mean 'csv'\?\)"):
        registry.get("cvs")


def test_on_error_must_be_raise_or_warn() -> None:
    """An unknown on_error choice is refused with the choices."""
    with pytest.raises(ValueError, match="use 'raise' or 'warn'"):
        ExporterRegistry(on_error="ignore")  # type: ignore[arg-type]  # wrong on purpose


def test_plugin_api_version_is_published_to_plugins() -> None:
    """PLUGIN_API_VERSION is a positive int and each registrar reports it."""
    plugin = _Plugin(CsvExporter())
    isolated_registry(plugins={"p": plugin})
    assert isinstance(PLUGIN_API_VERSION, int)
    assert PLUGIN_API_VERSION >= 1
    assert plugin.registrars[0].api_version == PLUGIN_API_VERSION


def test_builtin_module_is_a_plugin_like_any_other() -> None:
    """Registering the onaccount_exporters module directly gives the built-in exporters."""
    registry = isolated_registry(plugins={"builtin": onaccount_exporters})
    assert registry.identifiers() == BUILTIN_IDENTIFIERS


def test_registry_is_iterable_and_sized() -> None:
    """Iterating a registry gives its exporters by identifier; len counts them."""
    registry = isolated_registry(XlsxExporter(), CsvExporter())
    assert [e.identifier for e in registry] == ["csv", "xlsx"]
    assert len(registry) == 2
    assert "csv" in registry
    assert 3 not in registry
    assert "csv" in repr(registry)


def test_plugin_calling_sys_exit_at_import_is_a_recorded_load_failure(site: Path) -> None:
    """sys.exit() in a plugin's module is a load failure with the plugin's name; others load."""
    write_distribution(
        site,
        "fake-exits",
        "0.9",
        entry_points={"quitter": "fake_exits"},
        modules={"fake_exits": "import sys\nsys.exit(3)\n"},
    )
    write_distribution(
        site,
        "fake-good-exit",
        entry_points={"good": "fake_good_exit"},
        modules={"fake_good_exit": healthy("good")},
    )
    registry = ExporterRegistry(on_error="warn", entry_points=entry_points_from([site]))
    with pytest.warns(PluginWarning, match="SystemExit"):
        registry.load_entry_points()
    assert registry.identifiers() == ("good",)
    (failure,) = registry.failures
    assert (failure.plugin, failure.distribution, failure.stage) == (
        "quitter",
        "fake-exits",
        FailureStage.LOAD,
    )
    assert isinstance(failure.error, SystemExit)
    assert "fake-exits 0.9" in failure.message


def test_plugin_hook_raising_base_exceptions_is_a_recorded_hook_failure() -> None:
    """A hook raising SystemExit is a recorded hook failure, not an exit of the host."""

    class Quitting:
        @hookimpl
        def onaccount_register_exporters(self, registry: Registrar) -> None:
            """Leave the interpreter instead of registering."""
            raise SystemExit(4)

    with pytest.warns(PluginWarning, match="SystemExit: 4"):
        registry = isolated_registry(plugins={"quits": Quitting()}, on_error="warn")
    assert registry.identifiers() == ()
    (failure,) = registry.failures
    assert failure.stage is FailureStage.HOOK
    assert isinstance(failure.error, SystemExit)
    assert "'quits'" in failure.message


def test_keyboard_interrupt_at_plugin_import_still_stops_the_load(site: Path) -> None:
    """Ctrl-C while a plugin imports stops loading: it is the user's, not the plugin's."""
    write_distribution(
        site,
        "fake-interrupted",
        entry_points={"slow": "fake_interrupted"},
        modules={"fake_interrupted": "raise KeyboardInterrupt\n"},
    )
    with pytest.raises(KeyboardInterrupt):
        ExporterRegistry(entry_points=entry_points_from([site])).load_entry_points()


def test_an_unknown_identifier_error_pickles() -> None:
    """UnknownExporter from a real registry crosses to another process with its message."""
    with pytest.raises(UnknownExporter) as caught:
        load_exporters().get("cvs")
    restored = pickle.loads(pickle.dumps(caught.value))
    assert (type(restored), restored.message, restored.value, restored.field) == (
        UnknownExporter,
        caught.value.message,
        "cvs",
        "identifier",
    )


def test_an_identifier_that_is_not_text_is_refused_by_name() -> None:
    """get() of a number says what it got and what an identifier is, not a difflib error."""
    registry = isolated_registry(CsvExporter())
    with pytest.raises(UnknownExporter, match=r"exporter identifier 5 is not text"):
        registry.get(5)  # type: ignore[arg-type]  # wrong on purpose


class _Fussy(Exception):
    """A plugin's own exception whose constructor takes what pickle cannot give it."""

    def __init__(self, code: int, *, detail: str) -> None:
        super().__init__(f"{code}: {detail}")


class _RaisingPlugin:
    @hookimpl
    def onaccount_register_exporters(self, registry: Registrar) -> None:
        raise _Fussy(7, detail="licence expired")


def test_a_load_error_pickles_whatever_the_plugin_raised() -> None:
    """PluginLoadError pickles though the plugin's exception does not; its text stays."""
    with pytest.raises(PluginLoadError) as caught:
        isolated_registry(plugins={"fussy": _RaisingPlugin()})
    restored = pickle.loads(pickle.dumps(caught.value))
    assert restored.message == caught.value.message
    assert "licence expired" in restored.failures[0].message
    assert restored.failures[0].error is None
    assert isinstance(caught.value.failures[0].error, _Fussy)


def test_a_load_error_hands_over_the_registry_of_the_healthy_plugins(site: Path) -> None:
    """A host catching PluginLoadError from load_exporters carries on with error.registry."""
    write_distribution(
        site,
        "fake-broken-four",
        entry_points={"broken": "fake_broken_four"},
        modules={"fake_broken_four": "raise ImportError('no licence module')\n"},
    )
    with pytest.raises(PluginLoadError) as caught:
        load_exporters()
    registry = caught.value.registry
    assert registry is not None
    assert "csv" in registry.identifiers()
    assert registry.get("csv").identifier == "csv"
    assert pickle.loads(pickle.dumps(caught.value)).registry is None


def test_a_plugin_warning_points_at_the_line_that_loaded_the_plugins(site: Path) -> None:
    """Warnings name the host's own call, however it loads, not a line inside onaccount."""
    write_distribution(
        site,
        "fake-broken-five",
        entry_points={"broken": "fake_broken_five"},
        modules={"fake_broken_five": "raise ImportError('no licence module')\n"},
    )
    with pytest.warns(PluginWarning) as shortcut:
        load_exporters(on_error="warn")
    with pytest.warns(PluginWarning) as direct:
        ExporterRegistry(on_error="warn").load_entry_points()
    assert [w.filename for w in [*shortcut, *direct]] == [__file__, __file__]


def test_a_misspelt_allow_or_block_name_is_warned_of_with_the_name_meant(site: Path) -> None:
    """block=['exmaple-totals'] would block nothing: the host is told the name it meant."""
    write_distribution(
        site,
        "fake-example",
        entry_points={"example-totals": "fake_example_block"},
        modules={"fake_example_block": healthy("totals")},
    )
    source = entry_points_from([site])
    registry = ExporterRegistry(block=["exmaple-totals"], entry_points=source)
    with pytest.warns(PluginWarning) as caught:
        registry.load_entry_points()
    assert [str(w.message) for w in caught] == [
        "block names plugin 'exmaple-totals', which is not installed (did you mean "
        "'example-totals'?); plugins are named as in the 'from' column of `onaccount exporters`"
    ]
    assert registry.identifiers() == ("totals",)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        registry.load_entry_points()  # loading again warns no more
        # A name far from any installed plugin, or another version of one, keeps that
        # one out should it be installed.
        ExporterRegistry(block=["acme-legacy"], entry_points=source).load_entry_points()
        ExporterRegistry(block=["example-totals2"], entry_points=source).load_entry_points()
        ExporterRegistry(allow=["example-totals"], entry_points=source).load_entry_points()
