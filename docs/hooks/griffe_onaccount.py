"""A griffe extension that reads onaccount's docstrings the way their authors wrote them.

onaccount documents module constants and class attributes with ``#:`` comments (as
Sphinx and attrs do) and shows examples in reST literal blocks (a paragraph ending in
``::`` followed by an indented block). griffe knows neither, so this extension:

- turns the ``#:`` comment lines right above an attribute (or after it on its line) into
  the attribute's docstring, where it has none;
- turns each ``::`` literal block into a fenced code block, guessing its language;
- gives each attrs class the ``__init__`` signature attrs generates for it (read from the
  imported class), so the reference shows how to build it;
- documents each member of an enumeration with its value, so the reference lists them.

mkdocs loads it through the mkdocstrings option ``extensions`` in ``mkdocs.yml``.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import re
from typing import Any

import attrs
import griffe

_LITERAL_INTRO = re.compile(r"^(?P<indent>\s*)(?P<text>.*?)\s*::\s*$")


def _comment_docstring(attr: griffe.Attribute) -> str | None:
    """The ``#:`` comment that documents ``attr``, or None."""
    if attr.lineno is None or attr.filepath is None:
        return None
    try:
        lines = attr.lines_collection[attr.filepath]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    index = attr.lineno - 1
    if not 0 <= index < len(lines):
        return None
    found: list[str] = []
    above = index - 1
    while above >= 0 and lines[above].strip().startswith("#:"):
        found.insert(0, lines[above].strip()[2:].strip())
        above -= 1
    if not found and "#:" in lines[index]:
        found.append(lines[index].split("#:", 1)[1].strip())
    return "\n".join(found) or None


def _language(block: list[str]) -> str:
    text = "\n".join(block)
    if any(c in text for c in "├└│"):
        return "text"
    if block and block[0].lstrip().startswith("[") and "=" in text:
        return "toml"
    return "python"


def literal_blocks_to_fences(text: str) -> str:
    """``text`` with every reST ``::`` literal block written as a fenced code block."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        match = _LITERAL_INTRO.match(line)
        if match is None or line.strip().startswith((">>>", "#")):
            out.append(line)
            i += 1
            continue
        indent = len(match["indent"])
        # The block: blank lines, then lines indented deeper than the paragraph.
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        block_start = j
        while j < len(lines) and (
            not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent
        ):
            j += 1
        block = lines[block_start:j]
        while block and not block[-1].strip():
            block.pop()
        if not block:
            out.append(line)
            i += 1
            continue
        depth = min(len(b) - len(b.lstrip()) for b in block if b.strip())
        text_before = match["text"]
        if text_before:
            out.append(" " * indent + text_before + ":")
            out.append("")
        pad = " " * indent
        out.append(f"{pad}```{_language(block)}")
        out.extend(pad + b[depth:] if b.strip() else "" for b in block)
        out.append(f"{pad}```")
        out.append("")
        i = j
    return "\n".join(out)


def _runtime_class(cls: griffe.Class) -> type | None:
    """The imported class ``cls`` describes, if it is one of onaccount's."""
    module = cls.module.path
    if not module.split(".")[0].startswith("onaccount"):
        return None
    try:
        found: Any = importlib.import_module(module)
        for part in cls.path[len(module) + 1 :].split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError):
        return None
    return found if isinstance(found, type) else None


def _default(field: attrs.Attribute[Any]) -> str | None:
    default = field.default
    if default is attrs.NOTHING:
        return None
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        factory = default.factory  # type: ignore[attr-defined]
        return f"{getattr(factory, '__name__', 'factory')}()"
    if isinstance(default, enum.Enum):
        return f"{type(default).__name__}.{default.name}"
    return repr(default)


def _annotation(cls: griffe.Class, name: str) -> str | griffe.Expr | None:
    for klass in [cls, *cls.mro()]:
        member = klass.members.get(name)
        if isinstance(member, griffe.Attribute) and member.annotation is not None:
            return member.annotation
    return None


def _attrs_init(cls: griffe.Class, runtime: type) -> griffe.Function:
    """An ``__init__`` with the parameters attrs generated for ``runtime``."""
    kinds = {
        inspect.Parameter.POSITIONAL_OR_KEYWORD: griffe.ParameterKind.positional_or_keyword,
        inspect.Parameter.KEYWORD_ONLY: griffe.ParameterKind.keyword_only,
    }
    fields = {f.alias or f.name: f for f in attrs.fields(runtime) if f.init}
    parameters = [griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)]
    for name, param in inspect.signature(runtime).parameters.items():
        field = fields.get(name)
        parameters.append(
            griffe.Parameter(
                name,
                annotation=_annotation(cls, field.name if field else name),
                kind=kinds.get(param.kind, griffe.ParameterKind.positional_or_keyword),
                default=None if field is None else _default(field),
            )
        )
    return griffe.Function(
        "__init__",
        lineno=0,
        endlineno=0,
        parent=cls,
        parameters=griffe.Parameters(*parameters),
        returns="None",
    )


class OnaccountDocstrings(griffe.Extension):
    """Reads ``#:`` attribute comments and reST literal blocks."""

    def on_attribute_instance(self, *, attr: griffe.Attribute, **kwargs: Any) -> None:
        """Give an undocumented attribute the ``#:`` comment above it."""
        if attr.docstring is None:
            text = _comment_docstring(attr)
            if text:
                attr.docstring = griffe.Docstring(text, parent=attr)

    def on_class(self, *, cls: griffe.Class, **kwargs: Any) -> None:
        """Give an attrs class its ``__init__`` and an enumeration's members their values."""
        runtime = _runtime_class(cls)
        if runtime is None:
            return
        if attrs.has(runtime) and "__init__" not in cls.members:
            cls.set_member("__init__", _attrs_init(cls, runtime))
        if issubclass(runtime, enum.Enum):
            for member in runtime:
                attribute = cls.members.get(member.name)
                if isinstance(attribute, griffe.Attribute) and attribute.docstring is None:
                    attribute.docstring = griffe.Docstring(
                        f"The value `{member.value!r}`.", parent=attribute
                    )

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite literal blocks in every docstring."""
        if obj.docstring is not None and "::" in obj.docstring.value:
            obj.docstring.value = literal_blocks_to_fences(obj.docstring.value)
