"""The count's refusals: a stable code and its French message (English in locale/en)."""

from __future__ import annotations

from django.utils.translation import gettext as _


class CountError(Exception):
    """A refused count action; nothing was stored. ``code`` is stable, ``detail`` names the
    scrutin or the figures concerned."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail

    @property
    def message(self) -> str:
        text = count_message(self.code)
        return f"{text} ({self.detail})" if self.detail else text


def count_message(code: str) -> str:
    messages = {
        "vote_not_over": _(
            "Le dépouillement ne peut pas s'ouvrir : le vote n'est pas terminé (clôture et "
            "délai de grâce de l'isoloir)."
        ),
        "not_frozen": _(
            "Le dépouillement ne peut pas s'ouvrir : les urnes, les émargements et les "
            "compteurs ne sont pas encore figés (gel après la clôture)."
        ),
        "sealed": _("Le dépouillement ne peut pas s'ouvrir : le scellement ne se vérifie pas."),
        "no_urn": _("Aucun scrutin de cette élection n'a d'urne."),
        "tally_mismatch": _(
            "Le dépouillement est arrêté : le décompte chiffré recalculé à partir des "
            "bulletins diffère de celui tenu à chaque vote."
        ),
        "urn_damaged": _("Le dépouillement est arrêté : l'urne est endommagée."),
        "not_holder": _(
            "Dépôt refusé, rien n'est enregistré : vous ne détenez pas de clé de ce bureau."
        ),
        "unreadable": _(
            "Dépôt refusé, rien n'est enregistré : ce fichier n'est pas un fichier de "
            "déchiffrements partiels d'urne-trustee."
        ),
        "count_not_open": _(
            "Dépôt refusé, rien n'est enregistré : le dépouillement de ce scrutin n'est pas "
            "ouvert (les données ne sont pas encore gelées)."
        ),
        "unknown_scrutin": _(
            "Dépôt refusé, rien n'est enregistré : ce fichier concerne un scrutin qui n'est "
            "pas de cette élection."
        ),
        "other_scrutin": _(
            "Dépôt refusé, rien n'est enregistré : ce déchiffrement est celui d'un autre scrutin."
        ),
        "wrong_key": _(
            "Dépôt refusé, rien n'est enregistré : ce déchiffrement n'a été fait avec la clé "
            "d'aucun détenteur de ce scrutin (mauvaise clé)."
        ),
        "corrupted_proof": _(
            "Dépôt refusé, rien n'est enregistré : une preuve de déchiffrement est invalide "
            "(fichier altéré)."
        ),
        "mixed_keys": _(
            "Dépôt refusé, rien n'est enregistré : ce fichier mêle les déchiffrements de "
            "plusieurs clés."
        ),
        "already_decrypted": _(
            "Dépôt refusé, rien n'est enregistré : le déchiffrement de cette clé est déjà déposé."
        ),
        "same_holder": _(
            "Dépôt refusé, rien n'est enregistré : vous avez déjà déposé le déchiffrement "
            "d'une clé pour ce scrutin."
        ),
        "result_done": _(
            "Dépôt refusé, rien n'est enregistré : le résultat de ce scrutin est déjà calculé."
        ),
        "not_ready": _("Le résultat de ce scrutin n'est pas calculé."),
        "mismatch": _(
            "Proclamation impossible : le nombre de votes (exprimés et blancs) diffère du "
            "nombre d'émargements."
        ),
        "needs_seed": _(
            "Une égalité se règle par tirage au sort : indiquez la graine donnée par le bureau."
        ),
        "needs_candidates": _(
            "Une égalité se règle au nombre de candidats, qui manque pour une liste."
        ),
        "already_proclaimed": _("Le résultat de ce scrutin est déjà proclamé."),
    }
    return messages.get(code, code)
