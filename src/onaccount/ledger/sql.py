"""The SQL ledger (needs the ``sql`` extra; PostgreSQL also the ``postgres`` extra).

::

    from onaccount.ledger.sql import SQLLedger, upgrade

    upgrade("shop.sqlite")            # create or upgrade the schema, explicitly
    ledger = SQLLedger("shop.sqlite")
"""

import importlib as _importlib

from onaccount import _exports
from onaccount._install import extra_missing as _extra_missing

# Said before the first import that needs it, rather than as a bare missing module.
try:
    _importlib.import_module("sqlalchemy")
except ImportError as _error:
    raise _extra_missing("onaccount.ledger.sql", "sql", _error) from None

from ._sql import SQLLedger
from ._sql_engine import connect
from ._sql_schema import SCHEMA_VERSION, schema_version, upgrade

__all__ = ["SCHEMA_VERSION", "SQLLedger", "connect", "schema_version", "upgrade"]

_exports.export(__name__, globals(), __all__)
