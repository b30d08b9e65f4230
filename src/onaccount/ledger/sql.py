"""The SQL ledger (needs the ``sql`` extra; PostgreSQL also the ``postgres`` extra).

::

    from onaccount.ledger.sql import SQLLedger, upgrade

    upgrade("shop.sqlite")            # create or upgrade the schema, explicitly
    ledger = SQLLedger("shop.sqlite")
"""

from onaccount import _exports

from ._sql import SQLLedger
from ._sql_engine import connect
from ._sql_schema import SCHEMA_VERSION, schema_version, upgrade

__all__ = ["SCHEMA_VERSION", "SQLLedger", "connect", "schema_version", "upgrade"]

_exports.export(__name__, globals(), __all__)
