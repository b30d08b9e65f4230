"""The exporter contract: options as validated JSON data, metadata checks, export()."""

from __future__ import annotations

import enum
import importlib
import io
import json
import pickle
import sys
from pathlib import Path
from typing import Any, BinaryIO, Literal

import attrs
import pytest

from onaccount import InvalidValue, OnAccountError
from onaccount.exporting import (
    ExportDocument,
    Exporter,
    ExportOptions,
    InvalidExporter,
    InvalidOptions,
    JsonScalar,
    OptionInfo,
    PluginWarning,
    UnsupportedSource,
    XlsxTableExporter,
    option,
    validate_exporter,
)
from onaccount.testing._samples import sample_ledger, sample_run, sample_statement
from onaccount_exporters import CsvExporter, CsvOptions, XlsxOptions

# The samples' statement, plan and run read their purchases back from this ledger.
SAMPLES = sample_ledger()


@attrs.frozen(kw_only=True)
class DemoOptions(ExportOptions):
    """Options of the demo exporter."""

    layout: str = option("wide", choices=("wide", "narrow"), help="How wide.")
    copies: int = option(1, help="How many copies.")
    header: bool = option(True, help="Whether to write a header.")


class Demo(Exporter[DemoOptions]):
    """Writes the options and the source's type."""

    identifier = "demo-export"
    title = "Demo"
    description = "Writes its options."
    media_type = "text/plain"
    extension = "txt"
    Options = DemoOptions

    def write(self, document: ExportDocument, stream: BinaryIO, options: DemoOptions) -> None:
        """Write what the document was made from and the options, as JSON."""
        stream.write(json.dumps([document.kind.value, options.to_json()]).encode())


def test_options_build_with_defaults_and_round_trip_through_json() -> None:
    """Default options build and from_json(to_json()) gives them back, as text too."""
    options = DemoOptions()
    assert options.to_json() == {"layout": "wide", "copies": 1, "header": True}
    assert DemoOptions.from_json(json.loads(json.dumps(options.to_json()))) == options
    assert DemoOptions.from_json('{"layout": "narrow"}') == DemoOptions(layout="narrow")
    assert DemoOptions.from_json(b'{"copies": 3}') == DemoOptions(copies=3)


@attrs.frozen(kw_only=True)
class TextOptions(ExportOptions):
    """Options with a text default that looks like nothing, and numbers kept as text."""

    account: str = option("", help="A ledger account, such as 1300.")
    copies: int = option(1, help="How many copies.")


def test_options_from_text_read_each_value_as_its_option_type() -> None:
    """from_text reads '3' as 3 for an int, 'false' as False, and keeps '1300' text."""
    assert DemoOptions.from_text({"copies": " 3 ", "header": "false", "layout": "narrow"}) == (
        DemoOptions(copies=3, header=False, layout="narrow")
    )
    for word, value in (("TRUE", True), ("yes", True), ("1", True), ("No", False), ("0", False)):
        assert DemoOptions.from_text({"header": word}).header is value
    assert TextOptions.from_text({"account": "1300"}) == TextOptions(account="1300")
    assert DemoOptions.from_text({}) == DemoOptions()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"copies": "two"}, "DemoOptions option 'copies' is 'two'; give a whole number such as 1"),
        ({"header": "maybe"}, "DemoOptions option 'header' is 'maybe'; give true or false"),
        ({"layout": "tall"}, "option 'layout' is 'tall'; use one of 'wide', 'narrow'"),
        ({"colour": "red"}, "DemoOptions has no option 'colour'"),
        ({"copies": 3}, r"option 'copies' is 3 \(int\); from_text reads texts"),
    ],
)
def test_options_from_text_refuse_naming_the_option_and_what_to_give(
    data: dict[str, Any], words: str
) -> None:
    """A text that is no value of its option's type is refused, saying what to give."""
    with pytest.raises(InvalidOptions, match=words):
        DemoOptions.from_text(data)


def test_a_text_option_refused_names_no_empty_example() -> None:
    """An option whose default is empty text asks for a text, without an example of ''."""
    with pytest.raises(InvalidOptions) as caught:
        TextOptions(account=1300)  # type: ignore[arg-type] # the refusal under test
    assert str(caught.value).endswith("give a text")


def test_unknown_option_keys_are_refused_naming_them_and_the_known_ones() -> None:
    """from_json refuses unknown keys, naming each and listing the options there are."""
    with pytest.raises(InvalidOptions) as caught:
        DemoOptions.from_json({"layuot": "wide", "colour": "red"})
    message = str(caught.value)
    assert "no option 'colour', 'layuot'" in message
    assert "its options are 'copies', 'header', 'layout'" in message
    assert isinstance(caught.value, InvalidValue)
    assert isinstance(caught.value, OnAccountError)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"layout": "tall"}, "option 'layout' is 'tall'; use one of 'wide', 'narrow'"),
        ({"copies": "2"}, "option 'copies' is '2' (str); give a whole number such as 1"),
        ({"copies": True}, "option 'copies' is True (bool)"),
        ({"header": 1}, "option 'header' is 1 (int); give true or false"),
        ({"layout": None}, "option 'layout' is None"),
        ("[1, 2]", "are a list; pass a JSON object"),
        ("{not json", "are not JSON"),
        (42, "are an int; pass a JSON object"),
    ],
)
def test_bad_option_values_are_refused_saying_what_to_give(data: Any, words: str) -> None:
    """Wrong types (bool is no int), values outside the choices and non-objects are refused."""
    with pytest.raises(InvalidOptions) as caught:
        DemoOptions.from_json(data)
    assert words in str(caught.value)


@attrs.frozen(kw_only=True)
class _NoLayoutOptions(ExportOptions):
    """Options without a layout, as a plugin's may be."""

    min_total: str = option("0", help="Leave out accounts invoiced less than this.")


@attrs.frozen(kw_only=True)
class _NoOptions(ExportOptions):
    """Options of an exporter that has none."""


@pytest.mark.parametrize(
    ("options", "example"),
    [
        (DemoOptions, 'pass an object such as {"layout": "wide"}'),
        (_NoLayoutOptions, 'pass an object such as {"min_total": "0"}'),
        (_NoOptions, "pass an empty object, {}: _NoOptions has no options"),
    ],
)
def test_options_that_are_not_json_are_shown_an_object_of_their_own_options(
    options: type[ExportOptions], example: str
) -> None:
    """The not-JSON refusal's example object uses the class's own first option, never another's."""
    with pytest.raises(InvalidOptions) as caught:
        options.from_json("min_total=5")
    assert str(caught.value).endswith(example), caught.value


def test_a_table_exporter_s_wrong_options_are_named_with_the_right_article() -> None:
    """An XlsxTableExporter whose Options miss the table base is 'an XlsxTableExporter's'."""

    class Sheet(XlsxTableExporter[Any]):
        identifier = "sheet"
        title = "Sheet"
        description = "A sheet."
        Options = ExportOptions

        def tables(self, document: ExportDocument, options: Any, progress: Any) -> list[Any]:
            return []

    with pytest.raises(InvalidExporter) as caught:
        validate_exporter(Sheet())
    assert "; an XlsxTableExporter's Options extend onaccount.exporting." in str(caught.value)


def test_options_describe_themselves_as_data() -> None:
    """describe() lists name, type, default, help and choices of every option in order."""
    assert DemoOptions.describe() == (
        OptionInfo("layout", "str", "wide", "How wide.", ("wide", "narrow")),
        OptionInfo("copies", "int", 1, "How many copies."),
        OptionInfo("header", "bool", True, "Whether to write a header."),
    )
    assert [i.name for i in CsvOptions.describe()] == ["language", "dialect", "header", "layout"]
    assert [i.name for i in XlsxOptions.describe()] == [
        "language",
        "totals",
        "paper",
        "seller_name",
        "layout",
        "lines",
        "days",
    ]


def test_option_declarations_are_checked() -> None:
    """option() refuses defaults JSON cannot carry, defaults outside the choices, no help."""
    with pytest.raises(InvalidExporter, match="options hold str, int or bool"):
        option(1.5, help="x")  # type: ignore[arg-type]  # a float on purpose
    with pytest.raises(InvalidExporter, match="not among its choices"):
        option("c", choices=("a", "b"), help="x")
    with pytest.raises(InvalidExporter, match="say what it does"):
        option("a", help=" ")


def test_plain_attrs_fields_with_other_values_are_refused_by_to_json() -> None:
    """An option holding something JSON cannot carry is refused when serialised."""

    @attrs.frozen(kw_only=True)
    class Loose(ExportOptions):
        ratio: float = 0.5

    with pytest.raises(InvalidOptions, match=r"option 'ratio' holds 0\.5, a float"):
        Loose().to_json()


def test_exporter_options_accept_instances_mappings_text_and_none() -> None:
    """Exporter.options builds options from its own instances, JSON objects, text or None."""
    demo = Demo()
    assert demo.options() == DemoOptions()
    assert demo.options(DemoOptions(copies=2)) == DemoOptions(copies=2)
    assert demo.options({"copies": 2}) == DemoOptions(copies=2)
    assert demo.options('{"copies": 2}') == DemoOptions(copies=2)
    with pytest.raises(InvalidOptions, match="options of another exporter"):
        demo.options(CsvOptions())  # type: ignore[arg-type]  # another exporter's on purpose
    with pytest.raises(InvalidOptions, match="are a list; pass DemoOptions"):
        demo.options([("copies", 2)])  # type: ignore[arg-type]  # wrong on purpose


def test_export_writes_statements_plans_and_runs_and_refuses_anything_else() -> None:
    """export() writes the three sources and raises UnsupportedSource for other values."""
    demo = Demo()
    assert json.loads(demo.export_bytes(sample_run(), {"copies": 2}, ledger=SAMPLES)) == [
        "run",
        {"layout": "wide", "copies": 2, "header": True},
    ]
    assert json.loads(demo.export_bytes(sample_statement(), ledger=SAMPLES))[0] == "statement"
    not_a_source: Any = {"run": 1}
    with pytest.raises(UnsupportedSource, match="a dict; pass a Statement, a Plan or an"):
        demo.export(not_a_source, io.BytesIO(), ledger=SAMPLES)


def _exporter_with(**changes: Any) -> Exporter[Any]:
    cls = type("Broken", (Demo,), changes)
    return cls()  # type: ignore[no-any-return]  # type() builds an untyped class


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"identifier": "CSV"}, "identifier 'CSV'; write a lowercase value like 'csv'"),
        ({"identifier": "my_csv"}, "identifier 'my_csv'"),
        ({"identifier": "-csv"}, "identifier '-csv'"),
        ({"identifier": ""}, "identifier ''; set the class attribute identifier"),
        ({"title": " "}, "title ' '; set the class attribute title"),
        ({"description": None}, "description None"),
        ({"media_type": "csv"}, "media_type 'csv'"),
        ({"extension": ".csv"}, "extension '.csv'"),
        ({"Options": dict}, "set it to an @attrs.frozen subclass"),
        ({"options_base": int}, "options_base <class 'int'>; set it to a subclass of"),
    ],
)
def test_exporters_breaking_the_contract_are_refused(changes: dict[str, Any], words: str) -> None:
    """validate_exporter names the broken field and how to fix it."""
    with pytest.raises(InvalidExporter) as caught:
        validate_exporter(_exporter_with(**changes))
    assert words in str(caught.value)


def test_options_without_working_defaults_are_refused() -> None:
    """An Options class that cannot be built without arguments breaks the contract."""

    @attrs.frozen(kw_only=True)
    class Needy(ExportOptions):
        path: str

    with pytest.raises(InvalidExporter, match="give every option a working default"):
        validate_exporter(_exporter_with(Options=Needy))


class _Layout(enum.Enum):
    WIDE = "wide"
    NARROW = "narrow"


@pytest.mark.parametrize(
    ("default", "declaration"),
    [
        ("wide", "layout: str = option('wide', help=...)"),
        (_Layout.WIDE, "layout: str = option('wide', choices=('wide', 'narrow'), help=...)"),
        (None, "layout with option(), whose default is a str, int or bool"),
    ],
)
def test_options_declared_without_option_are_warned_of_with_the_declaration(
    default: object, declaration: str
) -> None:
    """A plain attrs field works but has no help or checks: the warning says what to write."""
    plain = attrs.make_class(
        "Plain", {"layout": attrs.field(default=default)}, bases=(ExportOptions,), frozen=True
    )
    exporter = _exporter_with(Options=plain)
    with pytest.warns(PluginWarning) as caught:
        assert validate_exporter(exporter) is exporter
    assert [str(w.message) for w in caught] == [
        "exporter Broken option 'layout' of Plain is declared without option(), so it has no "
        f"help and its values are not checked; declare it as {declaration}"
    ]
    assert caught[0].filename == __file__


def test_classes_and_foreign_objects_are_not_exporters() -> None:
    """A class instead of an instance, or an object of another type, is refused."""
    with pytest.raises(InvalidExporter, match=r"register an instance, CsvExporter\(\)"):
        validate_exporter(CsvExporter)
    with pytest.raises(InvalidExporter, match=r"subclass onaccount\.exporting\.Exporter"):
        validate_exporter(object())
    assert validate_exporter(Demo()).identifier == "demo-export"
    assert repr(Demo()) == "<Demo 'demo-export'>"


def test_options_not_decorated_with_attrs_are_refused_saying_to_decorate_them() -> None:
    """An ExportOptions subclass whose option() fields attrs never made is refused by name."""

    class Undecorated(ExportOptions):
        n: str = option("a", help="x")

    with pytest.raises(InvalidExporter) as caught:
        validate_exporter(_exporter_with(Options=Undecorated))
    message = str(caught.value)
    assert "has Options Undecorated, which declares option 'n' but is not decorated" in message
    assert message.endswith("decorate Undecorated with @attrs.frozen(kw_only=True)")
    assert caught.value.value is Undecorated
    assert pickle.loads(pickle.dumps(caught.value)).message == caught.value.message


def test_options_extending_an_undecorated_class_name_the_class_to_decorate() -> None:
    """A decorated Options over an undecorated base of options is refused, naming the base."""

    class Shared(ExportOptions):
        n: str = option("a", help="x")

    @attrs.frozen(kw_only=True)
    class Decorated(Shared):
        m: int = option(1, help="y")

    with pytest.raises(InvalidExporter) as caught:
        validate_exporter(_exporter_with(Options=Decorated))
    message = str(caught.value)
    assert "has Options Decorated, whose base Shared declares option 'n'" in message
    assert message.endswith("decorate Shared with @attrs.frozen(kw_only=True)")


def test_an_undecorated_subclass_adding_no_option_keeps_the_contract() -> None:
    """A subclass that only renames its base, declaring nothing, has its base's options."""

    class Renamed(DemoOptions):
        """The demo's options under another name."""

    assert validate_exporter(_exporter_with(Options=Renamed)).Options is Renamed


def _options_with(annotation: object, default: JsonScalar) -> type[ExportOptions]:
    """Options with one option ``n``, annotated ``annotation``, whose default is ``default``."""
    body = {"__annotations__": {"n": annotation}, "n": option(default, help="x")}
    made: type[ExportOptions] = attrs.frozen(kw_only=True)(
        type("Mismatched", (ExportOptions,), body)
    )
    return made


@pytest.mark.parametrize(
    ("annotation", "default", "said"),
    [
        (str, 5, "annotated str, but its default 5 is an int; an option has its default's type"),
        (int, True, "annotated int, but its default True is a bool"),
        (bool, "yes", "annotated bool, but its default 'yes' is a str"),
        (str | None, "a", "annotated str | None, but its default 'a' is a str"),
        (Literal[1, 2], "a", "annotated Literal[1, 2], but its default 'a' is a str"),
        ("str", 5, "annotated str, but its default 5 is an int"),
    ],
    ids=["str-int", "int-bool", "bool-str", "optional", "literal", "text"],
)
def test_an_option_whose_default_disagrees_with_its_annotation_is_refused(
    annotation: object, default: JsonScalar, said: str
) -> None:
    """An option's annotation must name its default's type, which describe() reports."""
    with pytest.raises(InvalidExporter) as caught:
        validate_exporter(_exporter_with(Options=_options_with(annotation, default)))
    message = str(caught.value)
    assert message.startswith(f"exporter Broken option 'n' of Mismatched is {said}"), message
    kind = type(default).__name__
    assert f"declare it as n: {kind} = option({default!r}, help=...)" in message
    assert caught.value.field == "n"


def test_an_option_annotated_with_its_default_s_type_or_literals_of_it_is_kept() -> None:
    """str, a Literal of texts for a text option, and annotations kept as text all agree."""

    @attrs.frozen(kw_only=True)
    class Agreeing(ExportOptions):
        layout: Literal["wide", "narrow"] = option(
            "wide", choices=("wide", "narrow"), help="How wide."
        )
        copies: int = option(1, help="How many copies.")

    # This module's annotations are text (from __future__ import annotations).
    assert attrs.fields(Agreeing).copies.type == "int"
    for options in (Agreeing, _options_with(str, "a"), _options_with(bool, False)):
        assert validate_exporter(_exporter_with(Options=options)).Options is options


_DEFERRED_OPTIONS = """
from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from onaccount.exporting import ExportOptions, option

if TYPE_CHECKING:
    from typing import Literal as Choice


@attrs.frozen(kw_only=True)
class DeferredOptions(ExportOptions):
    layout: Choice["lines", "days"] = option("lines", choices=("lines", "days"), help="x")
    copies: int = option(1, help="y")
"""


def test_options_whose_annotations_name_type_checking_imports_are_read_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a name only type checkers import, a Literal option is not taken for a mistake."""
    (tmp_path / "deferred_options.py").write_text(_DEFERRED_OPTIONS, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("deferred_options")

    class Deferred(Exporter[Any]):
        identifier = "deferred"
        title = "Deferred"
        description = "Options annotated as text."
        media_type = "text/plain"
        extension = "txt"
        Options = module.DeferredOptions

        def write(self, document: Any, stream: Any, options: Any, *, progress: Any = None) -> Any:
            raise NotImplementedError  # never written: only registered

    assert validate_exporter(Deferred()).identifier == "deferred"
    sys.modules.pop("deferred_options", None)
