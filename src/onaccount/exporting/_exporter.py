"""The exporter contract: metadata, options as data, and one method that writes."""

from __future__ import annotations

import abc
import enum
import inspect
import io
import json
import re
import typing
from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO, ClassVar, Generic, Literal, TypeAlias, TypeVar

import attrs

from onaccount._errors import OnAccountError
from onaccount._invoices import InvoiceRun, Plan
from onaccount._statement import PurchaseReader, Statement
from onaccount._words import a_type, with_article

from ._document import Exportable, ExportDocument, export_document
from ._errors import InvalidExporter, InvalidOptions, UnsupportedSource, warn_plugin
from ._report import ExportProgress, ExportReport
from ._requirements import Requirements, export_failed, require_available

__all__ = [
    "IDENTIFIER_PATTERN",
    "ExportOptions",
    "Exporter",
    "JsonScalar",
    "OptionInfo",
    "option",
    "validate_exporter",
]

#: The values export options may hold, so that they survive a trip through JSON.
JsonScalar: TypeAlias = str | int | bool | None

#: An exporter identifier: a lowercase slug such as ``csv`` or ``exact-online``.
IDENTIFIER_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
_EXTENSION = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)*")
_OPTION_TYPES = (bool, int, str)
_KIND_WORDS = {"bool": "true or false", "int": "a whole number", "str": "a text"}
#: What attrs.field() (and so option()) returns: attrs' marker, which becomes a field
#: only when the class is decorated; left in an undecorated class it is no option.
_UNMADE_FIELD = type(attrs.field())


def _option_type(default: JsonScalar) -> type:
    """The type of an option: its default's, exactly (``True`` makes a bool, not an int).

    The values it takes, the type `ExportOptions.describe` shows, how `from_text` reads
    a text, and the annotation `validate_exporter` asks for all follow from this.
    """
    return type(default)


@attrs.frozen
class OptionInfo:
    """One export option as data: what a form, a command line or an API shows for it."""

    name: str
    type: str
    default: JsonScalar
    help: str
    choices: tuple[JsonScalar, ...] | None = None


def _what_to_give(default: JsonScalar) -> str:
    """``give a whole number such as 1``: what an option of ``default``'s type takes."""
    kind = _option_type(default).__name__
    words = _KIND_WORDS.get(kind, kind)
    if default == "" or isinstance(default, bool):
        return f"give {words}"
    return f"give {words} such as {default!r}"


#: The words a text may use for a boolean option, in any case.
_BOOLEAN_WORDS = {
    **dict.fromkeys(("true", "yes", "on", "1"), True),
    **dict.fromkeys(("false", "no", "off", "0"), False),
}


def _from_text(owner: str, name: str, text: str, default: JsonScalar) -> JsonScalar:
    """``text`` as a value of the type of ``default``; `InvalidOptions` if it is none."""
    if not isinstance(text, str):
        raise InvalidOptions(
            f"{owner} option {name!r} is {text!r} ({type(text).__name__}); from_text reads "
            "texts, pass typed values to from_json",
            value=text,
            field=name,
        )
    if isinstance(default, bool):
        value: JsonScalar | None = _BOOLEAN_WORDS.get(text.strip().lower())
    elif isinstance(default, int):
        try:
            value = int(text.strip())
        except ValueError:
            value = None
    else:
        return text
    if value is None:
        raise InvalidOptions(
            f"{owner} option {name!r} is {text!r}; {_what_to_give(default)}",
            value=text,
            field=name,
        )
    return value


def _check_option(
    default: JsonScalar, choices: tuple[JsonScalar, ...] | None
) -> Any:  # Any: an attrs validator, whose signature attrs does not export
    kind = _option_type(default)

    def validate(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        owner = type(instance).__name__
        # bool is an int to Python but not to JSON readers; compare types exactly.
        if type(value) is not kind and not (value is None and default is None):
            raise InvalidOptions(
                f"{owner} option {attribute.name!r} is {value!r} ({type(value).__name__}); "
                + _what_to_give(default),
                value=value,
                obj=instance,
                field=attribute.name,
            )
        if choices is not None and value not in choices:
            known = ", ".join(repr(c) for c in choices)
            raise InvalidOptions(
                f"{owner} option {attribute.name!r} is {value!r}; use one of {known}",
                value=value,
                obj=instance,
                field=attribute.name,
            )

    return validate


def option(
    default: JsonScalar,
    *,
    help: str,
    choices: Sequence[JsonScalar] | None = None,
) -> Any:  # Any: attrs.field's result, which mypy's attrs plugin types as the field's type
    """An export option field: a JSON scalar with a default, a help text and maybe choices.

    The option's type is the default's, exactly (``True`` is no ``int`` here), and the
    field's annotation must say so (``copies: int = option(1, ...)``; `validate_exporter`
    refuses another). A value must have that type and, with ``choices``, be one of them;
    otherwise building the options raises `InvalidOptions`.
    """
    if not isinstance(default, _OPTION_TYPES):
        raise InvalidExporter(
            f"option default {default!r} is {a_type(default)}; options hold str, "
            "int or bool so that they survive JSON",
            value=default,
            field="default",
        )
    if not isinstance(help, str) or not help.strip():
        raise InvalidExporter(
            f"option with default {default!r} has help {help!r}; say what it does",
            value=help,
            field="help",
        )
    allowed = None if choices is None else tuple(choices)
    if allowed is not None and default not in allowed:
        raise InvalidExporter(
            f"option default {default!r} is not among its choices {allowed!r}; pick a default "
            "from the choices",
            value=default,
            field="default",
        )
    return attrs.field(
        default=default,
        validator=_check_option(default, allowed),
        metadata={"onaccount.help": help.strip(), "onaccount.choices": allowed},
    )


def _init_name(attribute: attrs.Attribute[Any]) -> str:
    return attribute.alias or attribute.name


def _to_json_value(value: object, *, owner: str, name: str) -> JsonScalar:
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None or isinstance(value, (str, bool, int)):
        return value
    raise InvalidOptions(
        f"{owner} option {name!r} holds {value!r}, {a_type(value)}, which JSON "
        "cannot carry exactly; declare it with option() as a str, int or bool",
        value=value,
        field=name,
    )


@attrs.frozen(kw_only=True)
class ExportOptions:
    """Base of every exporter's ``Options``: frozen, validated, and round-trips through JSON.

    Subclass it with ``@attrs.frozen(kw_only=True)`` and declare each option with
    `option`, so it has a default, a help text and a validator; each class that declares
    options needs the decorator, or attrs never makes them options (`validate_exporter`
    refuses such a class)::

        @attrs.frozen(kw_only=True)
        class Options(ExportOptions):
            layout: str = option("lines", choices=("lines", "days"), help="Rows per line or day.")
    """

    @classmethod
    def from_json(cls: type[_O], data: Mapping[str, object] | str | bytes) -> _O:
        """Build options from a JSON object (or its text), refusing unknown keys."""
        owner = cls.__name__
        if isinstance(data, (str, bytes)):
            try:
                data = json.loads(data)
            except ValueError as error:
                raise InvalidOptions(
                    f"{owner} options {data!r} are not JSON ({error}); pass "
                    + cls._json_example(),
                    value=data,
                ) from None
        if not isinstance(data, Mapping):
            raise InvalidOptions(
                f"{owner} options {data!r} are {a_type(data)}; pass a JSON object "
                "(a mapping of option names to values)",
                value=data,
            )
        known = {_init_name(a) for a in attrs.fields(cls) if a.init}
        unknown = sorted(str(key) for key in data if key not in known)
        if unknown:
            listed = ", ".join(repr(name) for name in sorted(known)) or "none"
            raise InvalidOptions(
                f"{owner} has no option {', '.join(repr(u) for u in unknown)}; "
                f"its options are {listed}",
                value=unknown[0] if len(unknown) == 1 else tuple(unknown),
                field=unknown[0],
            )
        try:
            return cls(**{str(k): v for k, v in data.items()})
        except OnAccountError:
            raise
        except (TypeError, ValueError) as error:
            raise InvalidOptions(
                f"{owner} options {dict(data)!r} are refused: {error}; check the values",
                value=dict(data),
            ) from error

    @classmethod
    def _json_example(cls) -> str:
        """``an object such as {"layout": "lines"}``, of this class's own first option."""
        described = cls.describe()
        if not described:
            return f"an empty object, {{}}: {cls.__name__} has no options"
        first = described[0]
        return f"an object such as {json.dumps({first.name: first.default})}"

    @classmethod
    def from_text(cls: type[_O], data: Mapping[str, str]) -> _O:
        """Build options from texts, as a command line or a form gives them.

        Each text is read as its option's type: ``"3"`` as 3 for a number, ``true``,
        ``yes``, ``on``, ``1`` (or ``false``, ``no``, ``off``, ``0``) in any case for a
        boolean, and kept as it is for a text, so ``debtors_account=1300`` stays
        ``"1300"``. Unknown names and refused values raise `InvalidOptions` as
        `from_json` does.
        """
        defaults = {info.name: info.default for info in cls.describe()}
        return cls.from_json(
            {
                name: text
                if name not in defaults
                else _from_text(cls.__name__, name, text, defaults[name])
                for name, text in data.items()
            }
        )

    def to_json(self) -> dict[str, JsonScalar]:
        """The options as a JSON object that `from_json` reads back to equal options."""
        owner = type(self).__name__
        return {
            _init_name(a): _to_json_value(getattr(self, a.name), owner=owner, name=a.name)
            for a in attrs.fields(type(self))
            if a.init
        }

    @classmethod
    def describe(cls) -> tuple[OptionInfo, ...]:
        """Every option as data, in declaration order."""
        infos = []
        for a in attrs.fields(cls):
            if not a.init:
                continue
            default = a.default
            factory = getattr(default, "factory", None)  # an attrs.Factory
            if callable(factory):
                default = factory()
            infos.append(
                OptionInfo(
                    name=_init_name(a),
                    type=_option_type(default).__name__,
                    default=_to_json_value(default, owner=cls.__name__, name=a.name),
                    help=str(a.metadata.get("onaccount.help", "")),
                    choices=a.metadata.get("onaccount.choices"),
                )
            )
        return tuple(infos)


_O = TypeVar("_O", bound=ExportOptions)
OptionsT = TypeVar("OptionsT", bound=ExportOptions)


class Exporter(abc.ABC, Generic[OptionsT]):
    """Base class of every exporter: metadata, an ``Options`` class and `write`.

    A subclass sets the class attributes and implements `write`; hosts call `export`,
    which builds and checks the options and the source first. ``write`` must not change
    its input and must give the same bytes for the same input: no clock, no random ids,
    no ordering by hash or by load order.
    """

    #: A lowercase slug, unique among installed exporters, e.g. ``"csv"``.
    identifier: ClassVar[str]
    #: A short human title, e.g. ``"CSV"``.
    title: ClassVar[str]
    #: One or two sentences on what the output holds and who reads it.
    description: ClassVar[str]
    #: The IANA media type of the output, e.g. ``"text/csv"``.
    media_type: ClassVar[str]
    #: The file extension without the dot, e.g. ``"csv"``.
    extension: ClassVar[str]
    #: The `ExportOptions` subclass; ``Options()`` must give working defaults.
    Options: type[OptionsT]
    #: The class ``Options`` must extend: a base class that reads options of its own
    #: (the table exporters' language, dialect, totals) names them here.
    options_base: ClassVar[type[ExportOptions]] = ExportOptions
    #: The modules `write` imports beyond onaccount's own, and the extra that brings them.
    requires: ClassVar[Requirements] = Requirements()

    @abc.abstractmethod
    def write(
        self,
        document: ExportDocument,
        stream: BinaryIO,
        options: OptionsT,
        *,
        progress: ExportProgress | None = None,
    ) -> ExportReport | None:
        """Write ``document`` (a statement, plan or run) to the binary ``stream``.

        The document reads purchases back from the ledger `export` was given.

        Return an `ExportReport` saying how many documents or rows were written and what
        was refused, and call ``progress`` (if given) as the work goes, e.g. through
        `tracked`. An exporter written before reports existed may return None and leave
        out ``progress``: `export` then reports that it wrote without counting.
        """

    def file_label(self, options: OptionsT) -> str:
        """A word that tells files of this export from other exports of the same source.

        It ends the file name, e.g. ``lines`` or ``days`` for the CSV layouts
        (``run-2026-10-demo-2026-10-lines.csv`` for a run of 2026-10 under key
        ``demo-2026-10``), so exports with other options never overwrite each other.
        Empty (the default): nothing added.
        """
        return ""

    def options(self, options: OptionsT | Mapping[str, object] | str | None = None) -> OptionsT:
        """Options for this exporter from an instance, a JSON object or text, or defaults."""
        if options is None:
            return self.Options()
        if isinstance(options, self.Options):
            return options
        if isinstance(options, ExportOptions):
            raise InvalidOptions(
                f"{type(options).__name__} are options of another exporter; exporter "
                f"{self.identifier!r} takes {self.Options.__name__}",
                value=options,
                obj=self,
                field="options",
            )
        if isinstance(options, (Mapping, str)):
            return self.Options.from_json(options)
        raise InvalidOptions(
            f"options {options!r} for exporter {self.identifier!r} are "
            f"{a_type(options)}; pass {self.Options.__name__}, a mapping or None",
            value=options,
            obj=self,
            field="options",
        )

    def export(
        self,
        source: Exportable,
        stream: BinaryIO,
        options: OptionsT | Mapping[str, object] | str | None = None,
        *,
        ledger: PurchaseReader | None = None,
        progress: ExportProgress | None = None,
    ) -> ExportReport:
        """Write ``source`` to ``stream`` with ``options`` (defaults when None).

        ``ledger`` is where the statement, plan or run came from: exports that write
        purchase lines read them back from it, and raise `LedgerRequired` without it.

        Returns what `write` reports, with the exporter's identifier and, for a plan,
        the accounts it had nothing to invoice for. Raises `ExporterUnavailable` before
        writing if the modules in ``requires`` are missing, and `ExportFailed` if `write`
        raises anything but an onaccount error.
        """
        require_available(self)
        # Hosts pass whatever they have; check the value, not just its declared type.
        checked: object = source
        if not isinstance(checked, (Statement, Plan, InvoiceRun)):
            raise UnsupportedSource(
                f"exporter {self.identifier!r} cannot write {source!r}, "
                f"{a_type(source)}; pass a Statement, a Plan or an InvoiceRun",
                value=source,
                obj=self,
                field="source",
            )
        resolved = self.options(options)
        document = export_document(source, ledger)
        host_error: BaseException | None = None
        try:
            if progress is not None and _takes_progress(self.write):
                result = self.write(document, stream, resolved, progress=_hosted(progress))
            else:
                result = self.write(document, stream, resolved)
        except _HostFailed as failed:
            host_error = failed.error
        except (KeyboardInterrupt, OnAccountError):
            raise
        except BaseException as error:
            # A plugin's bug, or its sys.exit(), is reported with where it comes from.
            raise export_failed(self, error) from error
        if host_error is not None:
            # The host's own callback broke: its error as it raised it, cause and all,
            # raised outside the handler so that nothing of ours is chained to it.
            raise host_error
        return finish_report(self, source, result)

    def export_bytes(
        self,
        source: Exportable,
        options: OptionsT | Mapping[str, object] | str | None = None,
        *,
        ledger: PurchaseReader | None = None,
    ) -> bytes:
        """What `export` writes, as bytes."""
        buffer = io.BytesIO()
        self.export(source, buffer, options, ledger=ledger)
        return buffer.getvalue()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {getattr(self, 'identifier', '?')!r}>"


class _HostFailed(BaseException):
    """What the host's progress callback raised, carried past an exporter's handlers."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(error)
        self.error = error


def _hosted(progress: ExportProgress) -> ExportProgress:
    """``progress``, its failures marked as the host's so that `export` re-raises them."""

    def told(done: int, total: int, unit: str) -> None:
        try:
            progress(done, total, unit)
        except BaseException as error:
            raise _HostFailed(error) from error

    return told


def _takes_progress(write: Any) -> bool:
    """Whether a ``write`` method accepts ``progress`` (older plugins' do not)."""
    try:
        parameters = inspect.signature(write).parameters
    except (TypeError, ValueError):  # pragma: no cover - a builtin or C-level callable
        return False
    return "progress" in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


def finish_report(exporter: Exporter[Any], source: Exportable, result: object) -> ExportReport:
    """The report of an export: what ``write`` returned, completed from ``source``.

    A plugin's ``write`` that returns None gets a report without counts; anything else
    than a report or None is a broken exporter.
    """
    if result is None:
        report = ExportReport(exporter=exporter.identifier)
    elif isinstance(result, ExportReport):
        report = attrs.evolve(result, exporter=exporter.identifier)
    else:
        raise InvalidExporter(
            f"exporter {exporter.identifier!r} write() returned {result!r}, "
            f"{a_type(result)}; return an ExportReport (or None)",
            value=result,
            obj=exporter,
            field="write",
        )
    checked: object = source
    if isinstance(checked, Plan) and checked.nothing_to_invoice and not report.nothing_to_invoice:
        report = attrs.evolve(report, nothing_to_invoice=checked.nothing_to_invoice)
    return report


def _public_name(cls: type) -> str:
    """Where a class is imported from: ``onaccount.exporting.X`` for this package's."""
    module = cls.__module__
    if module.startswith("onaccount.exporting._"):
        module = "onaccount.exporting"
    return f"{module}.{cls.__qualname__}"


def validate_exporter(exporter: object) -> Exporter[Any]:
    """Return ``exporter`` if it keeps the contract, else raise `InvalidExporter` saying how."""
    if isinstance(exporter, type) and issubclass(exporter, Exporter):
        raise InvalidExporter(
            f"{exporter.__name__} is an exporter class; register an instance, "
            f"{exporter.__name__}()",
            value=exporter,
        )
    if not isinstance(exporter, Exporter):
        raise InvalidExporter(
            f"{exporter!r} is {a_type(exporter)}, not an Exporter; subclass "
            "onaccount.exporting.Exporter",
            value=exporter,
        )
    name = type(exporter).__name__

    def text(field: str) -> str:
        value = getattr(exporter, field, None)
        if not isinstance(value, str) or not value.strip():
            raise InvalidExporter(
                f"exporter {name} has {field} {value!r}; set the class attribute {field} "
                "to a non-empty string",
                value=value,
                obj=exporter,
                field=field,
            )
        return value

    for field, pattern, example in (
        ("identifier", IDENTIFIER_PATTERN, "'csv' or 'exact-online'"),
        ("media_type", _MEDIA_TYPE, "'text/csv'"),
        ("extension", _EXTENSION, "'csv' (no dot)"),
    ):
        value = text(field)
        if not pattern.fullmatch(value):
            raise InvalidExporter(
                f"exporter {name} has {field} {value!r}; write a lowercase value like {example}",
                value=value,
                obj=exporter,
                field=field,
            )
    text("title")
    text("description")
    if not isinstance(getattr(exporter, "requires", None), Requirements):
        raise InvalidExporter(
            f"exporter {name} has requires {getattr(exporter, 'requires', None)!r}; set it to "
            "onaccount.exporting.Requirements(modules=(...), extra=...)",
            value=getattr(exporter, "requires", None),
            obj=exporter,
            field="requires",
        )
    options = getattr(exporter, "Options", None)
    if not (
        isinstance(options, type) and attrs.has(options) and issubclass(options, ExportOptions)
    ):
        raise InvalidExporter(
            f"exporter {name} has Options {options!r}; set it to an @attrs.frozen subclass "
            "of onaccount.exporting.ExportOptions",
            value=options,
            obj=exporter,
            field="Options",
        )
    _check_declared(exporter, options)
    base = getattr(exporter, "options_base", ExportOptions)
    if not (isinstance(base, type) and issubclass(base, ExportOptions)):
        raise InvalidExporter(
            f"exporter {name} has options_base {base!r}; set it to a subclass of "
            "onaccount.exporting.ExportOptions, or leave it out",
            value=base,
            obj=exporter,
            field="options_base",
        )
    if not issubclass(options, base):
        kind = next(
            (c.__name__ for c in type(exporter).__mro__ if c.__dict__.get("options_base") is base),
            type(exporter).__name__,
        )
        fields = ", ".join(f.name for f in attrs.fields(base)) if attrs.has(base) else ""
        raise InvalidExporter(
            f"exporter {name} has Options {options.__name__}; {with_article(kind)}'s Options "
            f"extend {_public_name(base)}{f' ({fields})' if fields else ''}: subclass it",
            value=options,
            obj=exporter,
            field="Options",
        )
    _check_annotations(exporter, options)
    try:
        defaults = options()
        defaults.to_json()
    except Exception as error:
        raise InvalidExporter(
            f"exporter {name} options {options.__name__}() fail with defaults ({error}); "
            "give every option a working default",
            value=options,
            obj=exporter,
            field="Options",
        ) from error
    for attribute in attrs.fields(options):
        if attribute.init and "onaccount.help" not in attribute.metadata:
            # Still usable, so a warning: hosts show no help and check no values for it.
            warn_plugin(
                f"exporter {name} option {attribute.name!r} of {options.__name__} is declared "
                f"without option(), so it has no help and its values are not checked; "
                f"declare it as {_declaration(attribute.name, getattr(defaults, attribute.name))}"
            )
    return exporter


def _check_declared(exporter: Exporter[Any], options: type[ExportOptions]) -> None:
    """Refuse ``options`` if it or a base declares option() fields without being decorated."""
    for cls in options.__mro__:
        if "__attrs_attrs__" in cls.__dict__:
            continue  # decorated: attrs made its fields and took the markers away
        unmade = [name for name, value in vars(cls).items() if isinstance(value, _UNMADE_FIELD)]
        if unmade:
            which = "which" if cls is options else f"whose base {cls.__name__}"
            raise InvalidExporter(
                f"exporter {type(exporter).__name__} has Options {options.__name__}, {which} "
                f"declares option {unmade[0]!r} but is not decorated, so attrs never made it "
                f"an option; decorate {cls.__name__} with @attrs.frozen(kw_only=True)",
                value=cls,
                obj=exporter,
                field="Options",
            )


def _check_annotations(exporter: Exporter[Any], options: type[ExportOptions]) -> None:
    """Refuse an option() field annotated with another type than its default's."""
    try:
        hints = typing.get_type_hints(options)
    except Exception:  # a name imported for type checkers only: read the text as written
        hints = {}
    for attribute in attrs.fields(options):
        if "onaccount.help" not in attribute.metadata:
            continue  # a plain attrs field, warned of as such
        default = attribute.default
        kind = _option_type(default)
        hint = hints.get(attribute.name, attribute.type)
        if _names_type(hint, kind):
            continue
        written = _type_text(attribute.type, hint)
        other = ""
        if isinstance(hint, type) and hint in _OPTION_TYPES:
            other = f", or give it {with_article(hint.__name__)} default"
        raise InvalidExporter(
            f"exporter {type(exporter).__name__} option {attribute.name!r} of "
            f"{options.__name__} is annotated {written}, but its default {default!r} is "
            f"{a_type(default)}; an option has its default's type: declare it as "
            f"{_declaration(attribute.name, default)}{other}",
            value=default,
            obj=exporter,
            field=attribute.name,
        )


def _names_type(hint: object, kind: type) -> bool:
    """Whether annotation ``hint`` says an option is of type ``kind``."""
    if hint is None or hint is kind:
        return True  # no annotation has nothing to disagree with
    if isinstance(hint, str):
        # Text that could not be resolved: read it by name; a generic (Literal[...],
        # Annotated[...]) cannot be read without its names, so it is not refused.
        return "[" in hint or hint.rpartition(".")[2] == kind.__name__
    # Literal["lines", "days"] names values of the option's type, as its choices do.
    args = typing.get_args(hint)
    return typing.get_origin(hint) is Literal and all(type(a) is kind for a in args)


def _type_text(written: object, hint: object) -> str:
    """An annotation as its author wrote it: ``str``, ``str | None``, ``Literal[1, 2]``."""
    if isinstance(written, str):
        return written
    return hint.__name__ if isinstance(hint, type) else str(hint).replace("typing.", "")


def _declaration(name: str, default: object) -> str:
    """How to declare an option of ``default`` with `option`, for a plugin author to paste."""
    if isinstance(default, enum.Enum):
        values = tuple(member.value for member in type(default))
        return f"{name}: str = option({default.value!r}, choices={values!r}, help=...)"
    if isinstance(default, _OPTION_TYPES):
        return f"{name}: {_option_type(default).__name__} = option({default!r}, help=...)"
    return f"{name} with option(), whose default is a str, int or bool"
