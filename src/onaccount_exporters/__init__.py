"""The exporters that ship with onaccount, registered through the ``onaccount`` entry point."""
