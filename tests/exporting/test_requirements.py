"""What an exporter needs installed, and how a failing plugin exporter is reported."""

from __future__ import annotations

import json
import pickle
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from onaccount.exporting import (
    ExporterRegistry,
    ExporterUnavailable,
    ExportFailed,
    Requirements,
    UnknownExporter,
    export_to_directory,
    export_to_file,
)
from onaccount.exporting._requirements import pip_install
from onaccount.testing._registry import entry_points_from, write_distribution
from onaccount.testing._samples import sample_ledger, sample_run
from onaccount_exporters import CsvExporter, SepaExporter

# The interpreter's own pip: the hint works whether or not its virtual environment is active.
PIP = f"{shlex.quote(sys.executable)} -m pip"

# The samples' statement, plan and run read their purchases back from this ledger.
SAMPLES = sample_ledger()


# A plugin module with one exporter that needs MODULE and writes, or fails with BEHAVIOUR.
_PLUGIN = """
import attrs
from onaccount.exporting import Exporter, ExportOptions, Requirements, hookimpl


@attrs.frozen(kw_only=True)
class NeedyOptions(ExportOptions):
    pass


class Needy(Exporter[NeedyOptions]):
    identifier = "IDENT"
    title = "Needy IDENT"
    description = "Writes one line, with a library that may be missing."
    media_type = "text/plain"
    extension = "txt"
    Options = NeedyOptions
    requires = Requirements(modules=(MODULES), extra="xml")

    def write(self, document, stream, options):
        stream.write(b"half a file")
        BEHAVIOUR


@hookimpl
def onaccount_register_exporters(registry):
    registry.add(Needy())
"""


def plugin(identifier: str, modules: str = "", behaviour: str = "pass") -> str:
    """Source of a plugin module with one exporter needing ``modules``."""
    return (
        _PLUGIN.replace("IDENT", identifier)
        .replace("MODULES", modules)
        .replace("BEHAVIOUR", behaviour)
    )


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


@pytest.fixture
def needy(site: Path) -> ExporterRegistry:
    """A registry with 'needy', which needs an absent module, and 'plain', which needs os."""
    write_distribution(
        site,
        "fake-needy",
        "1.4",
        entry_points={"needy": "fake_needy"},
        modules={"fake_needy": plugin("needy", "'os', 'fake_absent_library'")},
    )
    write_distribution(
        site,
        "fake-plain",
        entry_points={"plain": "fake_plain"},
        modules={"fake_plain": plugin("plain", "'os',")},
    )
    return ExporterRegistry(entry_points=entry_points_from([site])).load_entry_points()


def test_an_exporter_missing_a_module_is_described_unavailable_with_its_install_hint(
    needy: ExporterRegistry,
) -> None:
    """describe() lists an exporter whose modules are missing, with what and how to install."""
    infos = {info.identifier: info for info in needy.describe()}
    assert sorted(infos) == ["needy", "plain"]
    assert infos["plain"].available
    assert infos["plain"].missing == ()
    assert infos["needy"].available is False
    assert infos["needy"].missing == ("fake_absent_library",)
    assert infos["needy"].install == f"{PIP} install 'fake-needy[xml]'"
    assert infos["needy"].unavailable_reason == (
        f"needs the 'xml' extra (fake_absent_library missing): {PIP} install 'fake-needy[xml]'"
    )
    assert infos["plain"].unavailable_reason is None
    assert needy.info("needy") == infos["needy"]


@pytest.mark.parametrize(
    ("origin", "command"),
    [
        (None, "install 'fake-needy[xml]'"),
        (
            {"url": "file:///home/club/fake%20needy", "dir_info": {}},
            "install '/home/club/fake needy[xml]'",
        ),
        (
            {"url": "file:///home/club/needy", "dir_info": {"editable": True}},
            "install -e '/home/club/needy[xml]'",
        ),
        (
            {"url": "https://example.org/needy.git", "vcs_info": {"vcs": "git"}},
            "install 'fake-needy[xml] @ git+https://example.org/needy.git'",
        ),
        (
            {"url": "https://example.org/needy-1.4.tar.gz", "archive_info": {}},
            "install 'fake-needy[xml] @ https://example.org/needy-1.4.tar.gz'",
        ),
    ],
)
def test_the_install_hint_installs_the_extra_from_where_the_distribution_came(
    site: Path, origin: dict[str, object] | None, command: str
) -> None:
    """A clone's hint names its folder (-e if editable), a Git install its URL, else PyPI."""
    folder = write_distribution(
        site, "fake-needy", "1.4", entry_points={"needy": "fake_needy"}, modules={}
    )
    if origin is not None:
        (folder / "direct_url.json").write_text(json.dumps(origin), encoding="utf-8")
    assert pip_install("fake-needy", "xml") == f"{PIP} {command}"
    assert Requirements(modules=("x",), extra="xml").install_hint("fake-needy") == (
        f"{PIP} {command}"
    )


def test_the_install_hint_of_a_clone_names_the_clone() -> None:
    """This checkout's onaccount is installed from its folder: the hint installs from there."""
    clone = Path(__file__).resolve().parents[2]
    hint = pip_install("onaccount", "sepa")
    assert hint.startswith(f"{PIP} install ")
    assert hint.endswith(" " + shlex.quote(f"{clone}[sepa]"))


def test_everything_the_registry_hands_out_is_available(needy: ExporterRegistry) -> None:
    """identifiers(), exporters() and iteration give only the exporters that can run."""
    assert needy.identifiers() == ("plain",)
    assert [e.identifier for e in needy.exporters()] == ["plain"]
    assert [e.identifier for e in needy] == ["plain"]
    assert "needy" not in needy
    assert len(needy) == 1


def test_using_an_unavailable_exporter_is_refused_with_the_install_hint(
    needy: ExporterRegistry,
) -> None:
    """get() refuses an unavailable exporter naming the missing module and the pip command."""
    with pytest.raises(ExporterUnavailable) as caught:
        needy.get("needy")
    message = caught.value.message
    assert "'needy'" in message
    assert "fake_absent_library" in message
    assert "pip install 'fake-needy[xml]'" in message
    assert caught.value.value == "needy"
    again = pickle.loads(pickle.dumps(caught.value))
    assert (type(again), again.message) == (ExporterUnavailable, message)


def test_an_unavailable_exporter_opens_no_file(site: Path, tmp_path: Path) -> None:
    """Exporting with an exporter that cannot run is refused before any file or folder exists."""
    write_distribution(
        site,
        "fake-direct",
        entry_points={"direct": "fake_direct"},
        modules={"fake_direct": plugin("direct", "'fake_absent_library',")},
    )
    module = __import__("fake_direct")
    exporter = module.Needy()
    target = tmp_path / "out"
    with pytest.raises(ExporterUnavailable, match=r"pip install 'fake-direct\[xml\]'"):
        export_to_directory(exporter, sample_run(), target, ledger=SAMPLES)
    assert not target.exists()
    with pytest.raises(ExporterUnavailable):
        export_to_file(exporter, sample_run(), tmp_path / "one.txt", ledger=SAMPLES)
    assert list(tmp_path.iterdir()) == [site]


def test_requirements_report_what_is_missing() -> None:
    """Requirements.missing() names the modules that cannot be imported, in order given."""
    assert Requirements().missing() == ()
    assert Requirements(modules=("os", "fake_absent_library")).missing() == (
        "fake_absent_library",
    )
    with pytest.raises(TypeError, match="tuple of module names"):
        Requirements(modules="sepaxml")  # type: ignore[arg-type]  # the refusal is the point


def test_the_sepa_exporter_declares_the_sepa_extra() -> None:
    """The built-in sepa exporter needs sepaxml and schwifty from the 'sepa' extra."""
    assert SepaExporter.requires.extra == "sepa"
    assert {"sepaxml", "schwifty"} <= set(SepaExporter.requires.modules)
    assert CsvExporter.requires == Requirements()


def test_an_exporter_failing_in_write_is_export_failed_naming_its_plugin(
    site: Path, tmp_path: Path
) -> None:
    """A plugin's exception in write becomes ExportFailed naming exporter, plugin, version."""
    write_distribution(
        site,
        "fake-crashes",
        "2.0.1",
        entry_points={"crashy": "fake_crashes"},
        modules={"fake_crashes": plugin("crashy", "", "raise RuntimeError('disk says no')")},
    )
    registry = ExporterRegistry(entry_points=entry_points_from([site])).load_entry_points()
    exporter = registry.get("crashy")
    run = sample_run()
    earlier = tmp_path / "exports"
    (written,) = export_to_directory(CsvExporter(), run, earlier, ledger=SAMPLES)
    target = earlier / written.name.replace(".csv", ".txt")
    target.write_bytes(b"an earlier export")
    with pytest.raises(ExportFailed) as caught:
        export_to_directory(exporter, run, earlier, overwrite=True, ledger=SAMPLES)
    message = caught.value.message
    for part in ("'crashy'", "'crashy' (fake-crashes 2.0.1)", "RuntimeError: disk says no"):
        assert part in message
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert target.read_bytes() == b"an earlier export"
    assert sorted(p.name for p in earlier.iterdir()) == sorted([written.name, target.name])
    again = pickle.loads(pickle.dumps(caught.value))
    assert (type(again), again.message) == (ExportFailed, message)


def test_an_exporter_calling_sys_exit_in_write_is_export_failed(site: Path) -> None:
    """SystemExit from a plugin's write is its failure, not the host's exit."""
    write_distribution(
        site,
        "fake-quits",
        entry_points={"quits": "fake_quits"},
        modules={"fake_quits": plugin("quits", "", "raise SystemExit(3)")},
    )
    registry = ExporterRegistry(entry_points=entry_points_from([site])).load_entry_points()
    with pytest.raises(ExportFailed, match="SystemExit: 3"):
        registry.get("quits").export_bytes(sample_run(), ledger=SAMPLES)


def test_an_unknown_name_mentions_the_exporters_that_miss_modules(
    needy: ExporterRegistry,
) -> None:
    """A typo's refusal lists what runs and what is installed without its modules."""
    with pytest.raises(UnknownExporter) as caught:
        needy.get("neddy")
    assert str(caught.value) == (
        "exporter 'neddy' is not registered (did you mean 'needy'?); the available "
        "exporters are 'plain'; 'needy' is installed without the modules it needs"
    )
