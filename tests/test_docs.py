"""The documentation site: every public name is in the reference, every example runs.

- Each public module's ``__all__`` and each hookspec must have a ``::: identifier`` in
  ``docs/reference/``, so a new name cannot ship undocumented.
- Every ```` ```python ```` block in ``docs/`` runs, a page's blocks in order in one
  namespace and in a fresh working directory. A block directly followed by a
  ```` ```text title="Output" ```` block must print exactly that; one that prints
  without such a block fails, so a page never leaves what it prints unsaid. Blocks whose fence
  carries the class ``no-run`` (```` ```{.python .no-run} ````) are only shown.
- A ``--8<-- "path"`` line in a block stands for that file of the repository, as
  pymdownx.snippets includes it.
- A block titled with a file name (```` ```toml title="pyproject.toml" ````) is written to
  that file in the working directory instead, so a guide can build a project.
- Every ```` ```console ```` block runs its commands: ``onaccount …`` through click's test
  runner, ``python -m pytest …`` in a subprocess (with the page's ``src`` on the path,
  standing in for the editable install the page asks for), and ``export NAME=VALUE``
  or ``export NAME=$(onaccount … | jq -r '.[0].id')`` for the commands after it, which
  may use ``$NAME``. The lines after a command are its
  expected output, where ``...`` matches anything.
- The site builds with ``mkdocs build --strict``.
"""

from __future__ import annotations

import contextlib
import doctest
import importlib
import importlib.util
import io
import json
import os
import pkgutil
import re
import shlex
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

import onaccount
import onaccount_exporters
from onaccount.exporting import _hookspecs

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference"
HOOKS = DOCS / "hooks"

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*)$")
_IDENTIFIER = re.compile(r"^[ \t]*:::[ \t]+(?P<identifier>\S+)[ \t]*$", re.MULTILINE)
_OUTPUT = re.compile(r'title="Output"')
#: A pymdownx.snippets line, which includes a file of the repository.
_SNIPPET = re.compile(r'^--8<-- "(?P<path>[^"]+)"$', re.MULTILINE)
_FILE_TITLE = re.compile(r'title="(?P<path>[\w./-]+\.\w+)"')
_CAPTURE = re.compile(
    r"^export (?P<name>\w+)=\$\((?P<command>onaccount .+?) "
    r"\| jq -r '(?P<path>[^']+)'\)$"
)
_JQ_STEP = re.compile(r"\.(?:\[(?P<index>-?\d+)\]|(?P<key>\w+))")
#: Pages whose examples talk to the PostgreSQL test server.
_POSTGRES_PAGES = frozenset({"howto/postgresql.md"})


def _load_hook() -> types.ModuleType:
    """The MkDocs hook that generates reference content, imported from ``docs/hooks``."""
    spec = importlib.util.spec_from_file_location("onaccount_docs", HOOKS / "onaccount_docs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- reading the pages ---------------------------------------------------------------------


@attrs.frozen
class Block:
    """A fenced block of a page: its language, classes, text and where it starts."""

    language: str
    classes: frozenset[str]
    info: str
    text: str
    line: int


def _parse_info(info: str) -> tuple[str, frozenset[str]]:
    """The language and classes of a fence's info string: ``python`` or ``{.python .x}``."""
    info = info.strip()
    if info.startswith("{"):
        classes = re.findall(r"\.([\w-]+)", info.split("}", 1)[0])
        return (classes[0] if classes else ""), frozenset(classes[1:])
    return (info.split()[0] if info else ""), frozenset()


def blocks(page: Path) -> list[Block]:
    """Every fenced block of ``page`` in order, dedented, nested ones (admonitions) too."""
    lines = page.read_text(encoding="utf-8").split("\n")
    found: list[Block] = []
    i = 0
    while i < len(lines):
        match = _FENCE_OPEN.match(lines[i])
        if match is None:
            i += 1
            continue
        indent, fence = match["indent"], match["fence"]
        close = re.compile(rf"^{re.escape(indent)}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            body.append(lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j])
            j += 1
        language, classes = _parse_info(match["info"])
        text = _SNIPPET.sub(
            lambda m: (ROOT / m["path"]).read_text(encoding="utf-8"), "\n".join(body)
        )
        found.append(Block(language, classes, match["info"], text, i + 1))
        i = j + 1
    return found


def pages() -> list[Path]:
    """The Markdown pages of the site."""
    return sorted(p for p in DOCS.rglob("*.md") if HOOKS not in p.parents)


def _page_id(page: Path) -> str:
    return page.relative_to(DOCS).as_posix()


# -- running the examples ------------------------------------------------------------------


def _check_output(want: str, got: str, where: str) -> None:
    """Compare printed text with the page's, doctest-style: ``...`` matches anything."""
    checker = doctest.OutputChecker()
    want, got = want.rstrip() + "\n", "\n".join(x.rstrip() for x in got.rstrip().split("\n"))
    if not checker.check_output(want, got + "\n", doctest.ELLIPSIS):
        raise AssertionError(f"{where} printed:\n{got}\n\nbut the page says:\n{want}")


def _jq(data: object, path: str) -> object:
    """What ``jq -r PATH`` picks from ``data``, for paths such as ``.[0].id``."""
    for step in _JQ_STEP.finditer(path):
        index, key = step["index"], step["key"]
        data = data[int(index)] if index is not None else data[key]  # type: ignore[index]
    return data


def _expand(word: str, env: dict[str, str]) -> str:
    """``word`` with ``$NAME`` replaced by what an earlier ``export`` set."""
    return re.sub(r"\$(\w+)", lambda m: env[m[1]], word)


def _run_console(block: Block, page: str, env: dict[str, str]) -> None:
    """Run the ``$ onaccount …`` commands of a console block and check what they print."""
    from onaccount.cli import cli

    commands: list[tuple[str, list[str]]] = []
    for line in block.text.split("\n"):
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands:
            commands[-1][1].append(line)
    runner = CliRunner()
    for command, expected in commands:
        where = f"{page}:{block.line}: $ {command}"
        capture = _CAPTURE.match(command)
        if capture is not None:
            words = [_expand(w, env) for w in shlex.split(capture["command"])]
            result = runner.invoke(cli, words[1:], env=env, prog_name="onaccount")
            assert result.exit_code == 0, f"{where}:\n{result.output}"
            value = _jq(json.loads(result.stdout), capture["path"])
            env[capture["name"]] = str(value)
            continue
        words = [_expand(w, env) for w in shlex.split(command)]
        if words[0] == "export":
            name, _, value = words[1].partition("=")
            env[name] = value
            continue
        if words[0] == "onaccount":
            result = runner.invoke(cli, words[1:], env=env, prog_name="onaccount")
            status, output = result.exit_code, result.output
        elif words[:3] == ["python", "-m", "pytest"]:
            # The guide's own project in src/ stands in for its `pip install -e .`; the
            # working directory is on the path only as `python -m` puts it there.
            done = subprocess.run(
                [sys.executable, "-m", "pytest", *words[3:]],
                env={**os.environ, **env, "PYTHONPATH": str(Path("src").resolve())},
                capture_output=True,
                text=True,
                check=False,
                timeout=120,
            )
            status, output = done.returncode, done.stdout + done.stderr
        else:
            raise AssertionError(
                f"{where}: only onaccount and python -m pytest commands can run (a bare "
                "pytest misses the project's own modules; write python -m pytest)"
            )
        want = "\n".join(expected).strip()
        if status != 0 and "error:" not in want:
            raise AssertionError(f"{where} exited with {status}:\n{output}")
        if want:
            _check_output(want, output, where)


def run_page(page: Path) -> None:
    """Run every example of ``page`` in order, in one namespace, checking their output."""
    name = _page_id(page)
    found = blocks(page)
    namespace: dict[str, object] = {"__name__": "docs_" + re.sub(r"\W", "_", name[:-3])}
    env = {"COLUMNS": "200"}
    for index, block in enumerate(found):
        where = f"{name}:{block.line}"
        title = _FILE_TITLE.search(block.info)
        if title is not None and "no-run" not in block.classes:
            target = Path(title["path"])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text + "\n", encoding="utf-8")
            continue
        if block.language == "console":
            _run_console(block, name, env)
            continue
        if block.language not in ("python", "py") or "no-run" in block.classes:
            continue
        stdout = io.StringIO()
        code = compile(block.text, where, "exec")
        with contextlib.redirect_stdout(stdout):
            exec(code, namespace)
        following = found[index + 1] if index + 1 < len(found) else None
        if (
            following is not None
            and following.language == "text"
            and _OUTPUT.search(following.info)
        ):
            _check_output(following.text, stdout.getvalue(), where)
        elif stdout.getvalue().strip():
            # What an example prints is what the reader is shown it prints.
            raise AssertionError(
                f'{where} printed:\n{stdout.getvalue()}\nbut no ```text title="Output"``` '
                "block follows it; add one showing that"
            )


def _runnable(page: Path) -> bool:
    return any(
        (b.language in ("python", "py") and "no-run" not in b.classes)
        or b.language == "console"
        or _FILE_TITLE.search(b.info)
        for b in blocks(page)
    )


@pytest.fixture
def postgres_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``DATABASE_URL`` pointing at an emptied PostgreSQL test database."""
    from onaccount.ledger._sql_schema import metadata
    from onaccount.ledger.sql import connect
    from tests.conftest import postgres_url

    url = postgres_url()
    engine = connect(url)
    metadata.drop_all(engine)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    yield
    engine = connect(url)
    metadata.drop_all(engine)
    engine.dispose()


@pytest.mark.parametrize("page", [p for p in pages() if _runnable(p)], ids=_page_id)
def test_examples_run_and_print_what_the_page_says(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """Each page's code examples run in order and print the output the page shows."""
    if _page_id(page) in _POSTGRES_PAGES:
        request.getfixturevalue("postgres_env")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    before = set(sys.modules)
    try:
        run_page(page)
    finally:
        # Modules a page wrote and imported (its own package) must not leak to the next.
        for name in set(sys.modules) - before:
            module = sys.modules[name]
            places = [getattr(module, "__file__", None) or "", *getattr(module, "__path__", [])]
            if any(str(place).startswith(str(tmp_path)) for place in places):
                del sys.modules[name]


def test_the_runner_skips_only_blocks_marked_no_run() -> None:
    """Blocks marked no-run are rare: at most a handful across the site."""
    marked = [
        f"{_page_id(p)}:{b.line}" for p in pages() for b in blocks(p) if "no-run" in b.classes
    ]
    assert len(marked) <= 6, marked


def test_the_plugin_guide_shows_the_example_plugin_verbatim() -> None:
    """The guide's package and test files are the example plugin's, so the two cannot drift."""
    example = ROOT / "examples" / "onaccount-example-exporter"
    shown = {
        title["path"]: block.text + "\n"
        for block in blocks(DOCS / "howto" / "exporter-plugin.md")
        if (title := _FILE_TITLE.search(block.info)) is not None
    }
    files = (
        "pyproject.toml",
        "src/onaccount_example_exporter/__init__.py",
        "tests/test_example_totals.py",
    )
    for path in files:
        assert shown[path] == (example / path).read_text(encoding="utf-8"), path


_ORM_CONTRACT_ON_POSTGRES = """\
import sqlalchemy as sa
from onaccount.ledger._sql_schema import metadata
from onaccount.testing import LedgerContract
from shop.ledger import OrmLedger
from shop.models import Base

URL = {url!r}


def _emptied() -> None:
    engine = sa.create_engine(URL)
    Base.metadata.drop_all(engine)
    metadata.drop_all(engine)  # what SQLLedger's tests leave under the same table names
    engine.dispose()


def teardown_module() -> None:
    _emptied()


class TestOrmLedgerOnPostgreSQL(LedgerContract):
    # The contract closes each ledger after its check: OrmLedger.close disposes its engine.
    def make_ledger(self) -> OrmLedger:
        _emptied()
        return OrmLedger(URL)
"""


def _write_the_orm_guides_files(directory: Path) -> list[str]:
    """The files the ORM guide's titled blocks hold, written under ``directory``."""
    written = []
    for block in blocks(DOCS / "howto" / "ledger-on-your-orm.md"):
        title = _FILE_TITLE.search(block.info)
        if title is not None:
            target = directory / title["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text + "\n", encoding="utf-8")
            written.append(title["path"])
    return written


def test_the_orm_guides_ledger_keeps_the_contract_on_postgresql(tmp_path: Path) -> None:
    """The ORM guide's ledger passes every contract check on PostgreSQL, threads and all."""
    from tests.conftest import passing_pytest, postgres_url

    url = postgres_url()
    _write_the_orm_guides_files(tmp_path)
    (tmp_path / "test_on_postgres.py").write_text(
        _ORM_CONTRACT_ON_POSTGRES.format(url=url), encoding="utf-8"
    )
    output = passing_pytest(tmp_path, "test_on_postgres.py", timeout=900)
    assert "skipped" not in output, output


def test_the_orm_guides_files_pass_mypy_strict(tmp_path: Path) -> None:
    """The ORM guide's models, ledger and tests type-check with mypy --strict, as a host's."""
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed: install the test extra, pip install -e '.[test]'")
    files = _write_the_orm_guides_files(tmp_path)
    assert files == ["shop/models.py", "shop/ledger.py", "tests/test_ledger.py"]
    done = subprocess.run(
        # shop/ is a namespace package: its modules are named from the guide's root.
        [sys.executable, "-m", "mypy", "--strict", "--explicit-package-bases", *files],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# -- the reference -------------------------------------------------------------------------


def public_modules() -> list[types.ModuleType]:
    """The public modules of onaccount: every module and package without a leading underscore."""
    found = [onaccount, onaccount_exporters]
    for info in pkgutil.walk_packages(onaccount.__path__, "onaccount."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            found.append(importlib.import_module(info.name))
    return sorted(found, key=lambda m: m.__name__)


def documented_identifiers() -> set[str]:
    """Every ``::: identifier`` in the reference pages."""
    return {
        match["identifier"]
        for page in REFERENCE.glob("*.md")
        for match in _IDENTIFIER.finditer(page.read_text(encoding="utf-8"))
    }


def hookspecs() -> list[str]:
    """The names of the hook specifications plugins implement."""
    marker = f"{_hookspecs.PROJECT_NAME}_spec"
    return sorted(name for name, value in vars(_hookspecs).items() if hasattr(value, marker))


@pytest.mark.parametrize("module", public_modules(), ids=lambda m: m.__name__)
def test_every_public_name_is_in_the_reference(module: types.ModuleType) -> None:
    """Each name in a public module's ``__all__`` has a ``::: module.name`` entry."""
    documented = documented_identifiers()
    assert module.__all__, f"{module.__name__} has an empty __all__"
    missing = [n for n in module.__all__ if f"{module.__name__}.{n}" not in documented]
    assert missing == [], f"add to docs/reference/: ::: {module.__name__}.{missing[0]}"


def test_every_hookspec_is_in_the_reference() -> None:
    """Each hook specification has its own ``:::`` entry on the hookspec page."""
    specs = hookspecs()
    assert specs == ["onaccount_register_exporters"]
    page = (REFERENCE / "hookspec.md").read_text(encoding="utf-8")
    for name in specs:
        assert f"::: onaccount.exporting._hookspecs.{name}" in page


def test_the_public_modules_are_found() -> None:
    """The module walk sees every public module, so the check above covers them all."""
    names = {m.__name__ for m in public_modules()}
    assert {
        "onaccount",
        "onaccount.cli",
        "onaccount.exporting",
        "onaccount.ledger",
        "onaccount.ledger.sql",
        "onaccount.testing",
        "onaccount.testing.strategies",
        "onaccount_exporters",
    } <= names


def test_generated_reference_covers_every_exporter_option_command_and_error() -> None:
    """The hook's tables list every built-in option, every command and every error."""
    hook = _load_hook()
    reference = "\n".join(p.read_text(encoding="utf-8") for p in REFERENCE.glob("*.md"))
    for marker in hook.GENERATORS:
        assert marker in reference, f"no reference page includes {marker}"
    options = hook.exporter_options_markdown()
    for exporter in (onaccount_exporters.CsvExporter, onaccount_exporters.XlsxExporter):
        assert f"### `{exporter.identifier}`" in options
        for info in exporter.Options.describe():
            assert f"| `{info.name}` |" in options
    commands = hook.command_line_markdown()
    names = [name for name, _, _ in hook.commands()]
    assert {"onaccount invoice", "onaccount db upgrade", "onaccount import accounts"} <= set(names)
    for name in names:
        assert f"### `{name}`" in commands
    tree = hook.error_tree_markdown()
    errors = [
        f"{m.__name__}.{n}"
        for m in (onaccount, importlib.import_module("onaccount.exporting"), onaccount_exporters)
        for n in m.__all__
        if isinstance(getattr(m, n), type) and issubclass(getattr(m, n), onaccount.OnAccountError)
    ]
    for path in errors:
        assert f"][{path}]" in tree


# -- the build -----------------------------------------------------------------------------


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    """``mkdocs build --strict`` succeeds without a warning and renders generated content."""
    if importlib.util.find_spec("mkdocs") is None:
        pytest.fail("MkDocs is missing: install the docs extra, pip install -e '.[docs]'")
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert "WARNING" not in log, log
    options = (site / "reference" / "exporters" / "index.html").read_text(encoding="utf-8")
    assert "dialect" in options
    commands = (site / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    assert "onaccount invoice" in commands
