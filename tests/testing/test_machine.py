"""LedgerMachine, the stateful test of the guarantees, on the reference ledger."""

from hypothesis import HealthCheck, settings

from onaccount.testing import LedgerMachine


class ReferenceLedgerMachine(LedgerMachine):
    """The machine on the reference MemoryLedger, as it is shipped."""


# Longer runs than the profile's: the bugs this machine is for (an undo after a later
# run, a correction between plan and commit) need many steps, and its rules filter
# states that do not apply to the accounts drawn.
ReferenceLedgerMachine.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=30,
    suppress_health_check=[HealthCheck.filter_too_much],
)
TestReferenceLedgerMachine = ReferenceLedgerMachine.TestCase
