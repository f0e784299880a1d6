"""A staff member's own browser in the browser tests (the key ceremony's holders, the count's
key holders): its own context and session, its request bodies kept (to check that no secret
went out), its JavaScript errors and CSP violations failing the test at ``close``."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.test import Client
from playwright.sync_api import expect

from factories.elections import staff_login


class Holder:
    """One holder's browser: its own context, its session, its request bodies."""

    def __init__(self, chromium: Any, live_server: Any, user: Any, downloads: Path) -> None:
        self.context = chromium.new_context(
            locale="fr-FR",
            timezone_id="Europe/Paris",
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
        )
        self.context.set_default_timeout(60_000)
        client = Client()
        staff_login(client, user)
        name = settings.SESSION_COOKIE_NAME
        self.context.add_cookies(
            [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
        )
        self.page = self.context.new_page()
        self.bodies: list[bytes] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.bodies.append(r.post_data_buffer or b""))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on(
            "console",
            lambda m: self.errors.append(m.text) if "Content Security Policy" in m.text else None,
        )
        self.url = live_server.url
        self.downloads = downloads
        self.files: dict[str, Path] = {}

    def goto(self, path: str) -> None:
        response = self.page.goto(self.url + path)
        assert response is not None and response.status == 200, path

    def make(
        self, kind: str, *, wrap: str = "", key: Path | None = None, key_pass: str = ""
    ) -> str:
        """Do the step due in the page; returns the name of the private file saved (if any)."""
        page = self.page
        if key is not None:
            page.set_input_files("#key-file", str(key))
            if key_pass:
                page.fill("#key-passphrase", key_pass)
        if wrap:
            page.fill("#wrap-passphrase", wrap)
        name = ""
        if kind == "polynomial":
            page.click("#make")
        else:
            with page.expect_download(timeout=60_000) as info:
                page.click("#make")
            download = info.value
            name = download.suggested_filename
            path = self.downloads / name
            download.save_as(str(path))
            self.files[kind] = path
        expect(page.locator("#send")).to_be_enabled(timeout=60_000)
        page.click("#send")
        expect(page.locator(".msg").first).to_contain_text("Étape enregistrée")
        return name

    def count_decrypt(
        self, election_id: int, key: Path, *, dkey: Path | None = None, passphrase: str = ""
    ) -> None:
        """On the count page, decrypt in this browser with the holder's key file(s) and wait
        for the page to have sent the file (or said why not, in ``#count-status``)."""
        page = self.page
        self.goto(f"/backoffice/depouillement/{election_id}/")
        page.set_input_files("#count-key", str(key))
        if dkey is not None:
            page.set_input_files("#count-dkey", str(dkey))
        if passphrase:
            page.fill("#count-passphrase", passphrase)
        page.get_by_role("button", name="Vérifier les urnes, déchiffrer et déposer").click()
        page.wait_for_function(
            "() => document.querySelector('.msg') !== null"
            " || document.querySelector('#count-status.error') !== null",
            timeout=120_000,
        )

    def close(self) -> None:
        self.context.close()
        assert not self.errors, f"JavaScript errors or CSP violations: {self.errors}"


def db_text() -> str:
    """Every row of every table of the three stores, as text (bytes in hex and raw)."""
    parts = []
    for alias in ("default", "authority", "urn"):
        connection = connections[alias]
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - the database's own names
                for row in cursor.fetchall():
                    for value in row:
                        if isinstance(value, memoryview | bytes):
                            value = bytes(value)
                            parts += [value.hex(), value.decode("latin-1")]
                        else:
                            parts.append(str(value))
    return "\n".join(parts)


def ceremony_open_in_browser(president: Holder, election_id: int) -> None:
    """The president opens the bureau's key ceremony from its page (threshold 2)."""
    president.goto(f"/backoffice/bureau/{election_id}/ceremonie/")
    president.page.get_by_label("Nombre de délégués requis pour déchiffrer").fill("2")
    president.page.get_by_role("button", name="Ouvrir la cérémonie des clés").click()
    expect(president.page.locator("#ceremony-phase")).to_have_text("Clés et certificats")


def ceremony_in_browsers(
    president: Holder,
    delegates: list[Holder],
    election_id: int,
    *,
    passphrase: str = "",
    check: Any = None,
    opened: bool = False,
) -> None:
    """The whole key ceremony in the holders' browsers (threshold 2): the president opens it
    (``opened``: done already) and makes a single key; each delegate makes its certificate,
    polynomial and share, the first one's ID.key and ID.dkey wrapped under ``passphrase`` (if
    given). ``check(page, step)`` (axe-core) runs on the first page of each kind. The private
    files are in each holder's ``files`` ("key", "cert", "voutput")."""
    base = f"/backoffice/bureau/{election_id}/ceremonie/"
    check = check or (lambda page, step: None)
    if not opened:
        ceremony_open_in_browser(president, election_id)
        check(president.page, "ceremonie-ouverte")
    president.goto(base + "ma-cle/")
    president.make("key")
    for step in ("cert", "polynomial", "voutput"):
        for i, d in enumerate(delegates):
            wrap = passphrase if i == 0 else ""
            d.goto(base + "ma-cle/")
            if i == 0:
                check(d.page, f"ceremonie-{step}")
            if step == "cert":
                d.make("cert", wrap=wrap)
            elif step == "polynomial":
                d.make("polynomial", key=d.files["cert"], key_pass=wrap)
            else:
                d.make("voutput", key=d.files["cert"], key_pass=wrap, wrap=wrap)
    president.goto(base)
    expect(president.page.locator("#ceremony-phase")).to_have_text("Terminée")
    check(president.page, "ceremonie-terminee")
