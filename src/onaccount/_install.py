"""How to install what a part of onaccount needs: the pip command of an extra."""

from __future__ import annotations

import importlib.metadata
import json
import shlex
import sys
from urllib.parse import urlsplit
from urllib.request import url2pathname

__all__ = ["extra_missing", "pip_install"]


def pip_install(distribution: str, extra: str) -> str:
    """The command that adds ``extra`` to ``distribution`` from where it was installed.

    pip records where a distribution came from (PEP 610): a clone's folder is installed
    from again (``-e`` if it was editable), a Git checkout or archive from its URL, and
    anything else from the package index. The command runs this interpreter's pip, so it
    works whether or not its virtual environment is active.
    """
    target = f"{distribution}[{extra}]"
    editable = False
    try:
        recorded = importlib.metadata.distribution(distribution).read_text("direct_url.json")
        origin = json.loads(recorded) if recorded else {}
    except (importlib.metadata.PackageNotFoundError, ValueError):
        origin = {}
    url = origin.get("url") if isinstance(origin, dict) else None
    if isinstance(url, str) and url:
        if "dir_info" in origin and url.startswith("file:"):
            target = f"{url2pathname(urlsplit(url).path)}[{extra}]"
            editable = bool(origin["dir_info"].get("editable"))
        elif "vcs_info" in origin:
            target = f"{target} @ {origin['vcs_info'].get('vcs', 'git')}+{url}"
        else:
            target = f"{target} @ {url}"
    python = shlex.quote(sys.executable or "python3")
    return f"{python} -m pip install {'-e ' if editable else ''}{shlex.quote(target)}"


def extra_missing(what: str, extra: str, error: ImportError) -> ModuleNotFoundError:
    """``what needs the 'testing' extra (hypothesis is not installed); install it with: …``.

    For a part of onaccount that cannot import without its extra, raised from the
    ``error`` that import gave; a submodule's name (``sqlalchemy.engine``) counts for its
    package.
    """
    missing = (error.name or "a package").partition(".")[0]
    return ModuleNotFoundError(
        f"{what} needs the {extra!r} extra ({missing} is not installed); install it with: "
        f"{pip_install('onaccount', extra)}",
        name=error.name,
    )
