"""The urn store: per scrutin, the Belenios event log, the ballots and the running tally."""
