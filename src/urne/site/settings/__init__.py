"""Settings split by purpose: base (shared), dev, test, prod. Pick one with DJANGO_SETTINGS_MODULE."""
