"""The booth: émargement, the cast (ballot to the urn, émargement in the voter store), receipts."""
