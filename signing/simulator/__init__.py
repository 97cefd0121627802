"""A local BankID: the RP API v6 surface, an emulated user app and a test PKI that signs.

It runs as its own process (`manage.py bankid_simulator`) and never touches the ORM,
so the portal talks to it over HTTP exactly as it talks to BankID.
"""
