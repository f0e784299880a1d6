"""``urne-verify``: checks Belenios election archives completely, without Django."""
