"""Messaging: the outbox (ready → sending → sent/failed, retries), channels (SMTP, console,
file), message templates in French and English, and the batched opening-mail campaign.
"""
