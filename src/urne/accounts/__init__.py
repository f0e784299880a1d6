"""Voter accounts: identification by professional e-mail, passwords under the election's policy,
activation (2022 challenge question), opening and reset links, CAPTCHA, failures on
a secret (a CAPTCHA, never a lockout) and rate limits.
"""
