"""Settings by purpose: base (shared), dev, test, prod (pick with DJANGO_SETTINGS_MODULE)."""
