"""Factories of the tests, one module per app of src/urne (factories, not fixture files:
docs/architecture.md, "How the code is written"):
elections (elections, scrutins, voters, staff), accounts (voter accounts, mail, an SMTP server),
authority (trustee files, an election with lists, the open election of the booth tests), booth
(the cast: scrutins set up in the urn with known credentials, ballots), portal (the portal's
calendar phases), workflows (the back office's worlds)."""
