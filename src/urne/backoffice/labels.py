"""What staff pages call the platform's codes: the one mapping from a stored code (a calendar
phase, a message template, an audit action) to its name in the page's language. Templates
show a code through the `labels` filters (`backoffice/templatetags/labels.py`), never an
if/elif chain of their own; a code without a name here shows as itself, and
`tests/functional/test_backoffice_english.py` fails on it."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from urne.accounts.services import TEMPLATE_OPENING, TEMPLATE_RESET
from urne.elections.calendar import Phase

PHASES: dict[str, Promise] = {
    Phase.SETUP: _("Préparation"),
    Phase.ROLLS: _("Listes électorales"),
    Phase.LISTS: _("Candidatures"),
    Phase.VOTE: _("Vote en cours"),
    Phase.CLOSED: _("Vote clos"),
}

# The outbox's templates (`messaging.registry`) and the booth's receipt.
MESSAGES: dict[str, Promise] = {
    TEMPLATE_OPENING: _("Ouverture du portail"),
    TEMPLATE_RESET: _("Mot de passe oublié"),
    "cast_receipt": _("Accusé de réception du vote"),
    "replacement_confirmation": _("Confirmation d'un nouvel identifiant électeur"),
}

AUDIT_ACTIONS: dict[str, Promise] = {
    "accounts.failures_clear": _("CAPTCHA levé pour un électeur"),
    "accounts.opening_resend": _("Courriel d'ouverture renvoyé"),
    "admin.add": _("Administration : ajout"),
    "admin.change": _("Administration : modification"),
    "admin.delete": _("Administration : suppression"),
    "authority.code_replaced": _("Code de vote remplacé"),
    "reassort.granted": _("Réassort accordé (identité vérifiée)"),
    "reassort.refused": _("Réassort refusé"),
    "authority.credentials_generated": _("Codes de vote générés"),
    "authority.notices_downloaded": _("Notices téléchargées"),
    "authority.notices_printed": _("Notices imprimées"),
    "authority.scrutin_setup": _("Urne initialisée"),
    "body.create": _("Instance créée"),
    "category.create": _("Catégorie d'électeurs créée"),
    "complaint.decide": _("Réclamation décidée"),
    "complaint.file": _("Réclamation déposée"),
    "count.decryptions_upload": _("Déchiffrements partiels déposés"),
    "count.mismatch": _("Écart au dépouillement"),
    "count.open": _("Dépouillement ouvert"),
    "count.open_refused": _("Ouverture du dépouillement refusée"),
    "count.proclaim": _("Résultats proclamés"),
    "count.results": _("Résultats calculés"),
    "election.calendar": _("Calendrier modifié"),
    "election.create": _("Élection créée"),
    "election.update": _("Élection modifiée"),
    "list.profession_de_foi": _("Profession de foi déposée"),
    "list.register": _("Liste de candidats déposée"),
    "messaging.campaign_pause": _("Envoi suspendu"),
    "messaging.campaign_resume": _("Envoi repris"),
    "messaging.campaign_start": _("Envoi lancé"),
    "roll.add": _("Électeur ajouté à une liste électorale"),
    "roll.remove": _("Électeur retiré d’une liste électorale"),
    "roll.cancel_adjustment": _("Correction de liste électorale annulée"),
    "rolls.publish": _("Listes électorales publiées"),
    "rules.install_defaults": _("Règles « qui vote où » par défaut installées"),
    "rules.set": _("Règles « qui vote où » enregistrées"),
    "scrutin.create": _("Scrutin créé"),
    "urn.archive_download": _("Archive de l'urne téléchargée"),
    "voters.import_done": _("Import des électeurs terminé"),
    "voters.import_failed": _("Import des électeurs refusé"),
    "voters.import_start": _("Import des électeurs lancé"),
}


def object_type_label(object_type: str) -> str:
    """An audit event's object type ("elections.Scrutin") by its model's name ("scrutin")."""
    from django.apps import apps

    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def label(mapping: dict[str, Promise], code: str) -> str:
    """The name of ``code`` in ``mapping``, or the code itself."""
    name = mapping.get(str(code))
    return str(name) if name is not None else str(code)
