"""The voter's steps in the booth, shared by the browser tests: the vote code typed, then one
scrutin voted (a list or "Vote blanc") down to its receipt."""

import re
from typing import Any

from playwright.sync_api import expect


def booth_code_enter(page: Any, code: str, field: str = "Code de vote") -> None:
    """On /vote/, type the vote code and reach "Mes scrutins"."""
    page.get_by_role("textbox", name=field).fill(code)
    page.get_by_role("button", name="Connexion", exact=True).click()
    expect(page.get_by_role("heading", name="Mes scrutins")).to_be_visible()


def booth_scrutin_vote(
    page: Any, label: str, choice: str, *, check: Any = None, empty_first: bool = False
) -> str:
    """Vote ``choice`` (a list's label, or "Vote blanc") in the scrutin named ``label``, from
    "Mes scrutins" back to it; returns the receipt's tracker. ``check(page, step)``
    (axe-core) runs on the ballot, the confirmation and the receipt; ``empty_first`` first
    validates with nothing chosen (the page's error)."""
    check = check or (lambda p, step: None)
    page.get_by_role("button", name=f"Voter à ce scrutin : {label}").click()
    expect(page.get_by_role("heading", name=label)).to_be_visible()
    check(page, "bulletin")
    if empty_first:
        page.get_by_role("button", name="Valider mon choix").click()
        expect(page.locator("#ballot-error")).to_be_visible()
    page.get_by_label(choice, exact=True).check()
    page.get_by_role("button", name="Valider mon choix").click()
    expect(page.locator("#confirm-choice")).to_contain_text(choice)
    check(page, "confirmation")
    page.get_by_role("button", name="Je confirme mon vote").click()
    expect(page.get_by_role("heading", name="Accusé de réception")).to_be_visible(timeout=30_000)
    tracker = page.locator("#receipt-tracker").inner_text()
    assert re.fullmatch(r"[A-Za-z0-9+/]{43}", tracker)
    check(page, "accuse-de-reception")
    return tracker


def booth_back(page: Any) -> None:
    page.get_by_role("button", name="Retour à mes scrutins").click()
    expect(page.get_by_role("heading", name="Mes scrutins")).to_be_visible()
