"""Fixtures for the signing tests: the BankID simulator process from tests/bankid_simulator.py."""

from tests.bankid_simulator import bankid_simulator, bankid_simulator_mtls, sim  # noqa: F401
