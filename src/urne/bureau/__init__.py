"""The polling station (bureau de vote électronique): its members, the key ceremony, and its
control of the vote (docs/architecture.md, "The keys and the count")."""
