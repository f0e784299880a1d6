"""Urne's cryptographic core: Belenios 3.0 data formats and proofs on Ed25519.

Pure: no Django, no I/O (docs/protocol.md is the specification; every public function cites
the section it implements).
"""
