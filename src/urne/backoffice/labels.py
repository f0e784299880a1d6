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
    "assistance_answer": _("Réponse à une demande d'assistance"),
    "complaint_decision": _("Décision sur une réclamation"),
}

AUDIT_ACTIONS: dict[str, Promise] = {
    "accounts.failures_clear": _("CAPTCHA levé pour un électeur"),
    "accounts.opening_resend": _("Courriel d'ouverture renvoyé"),
    "admin.add": _("Administration : ajout"),
    "admin.change": _("Administration : modification"),
    "admin.delete": _("Administration : suppression"),
    "assistance.answer": _("Demande d'assistance : réponse envoyée"),
    "assistance.close": _("Demande d'assistance close sans réponse"),
    "authority.code_replace_refused": _("Remplacement de code refusé : urnes figées"),
    "authority.code_replaced": _("Code de vote remplacé"),
    "authority.credentials_generated": _("Codes de vote générés"),
    "authority.notices_downloaded": _("Notices téléchargées"),
    "authority.notices_printed": _("Notices imprimées"),
    "authority.scrutin_setup": _("Urne initialisée"),
    "authority.scrutin_setup_removed": _("Clés retirées d'une urne vide"),
    "body.create": _("Instance créée"),
    "booth.cast_refused_frozen": _("Vote refusé : urnes figées"),
    "booth.emargement_recover": _("Émargements d'un vote interrompu régularisés"),
    "booth.recovery_refused_frozen": _("Régularisation refusée : urnes figées"),
    "bureau.ceremony_cancel": _("Cérémonie des clés annulée après une perte de clé"),
    "bureau.ceremony_cert": _("Cérémonie : certificat d'un délégué déposé (étape 1)"),
    "bureau.ceremony_coordinator_certs": _("Cérémonie : certificats vérifiés (étape 2)"),
    "bureau.ceremony_coordinator_group": _("Cérémonie : clé partagée des délégués calculée"),
    "bureau.ceremony_coordinator_vinputs": _("Cérémonie : parts chiffrées transmises (étape 4)"),
    "bureau.ceremony_done": _("Cérémonie des clés terminée"),
    "bureau.ceremony_key": _("Cérémonie : clé publique d'un détenteur déposée"),
    "bureau.ceremony_polynomial": _("Cérémonie : polynôme d'un délégué déposé (étape 3)"),
    "bureau.ceremony_pv": _("Procès-verbal de la cérémonie des clés téléchargé"),
    "bureau.ceremony_setups": _("Clés de la cérémonie installées dans les urnes"),
    "bureau.ceremony_start": _("Cérémonie des clés ouverte"),
    "bureau.ceremony_voutput": _("Cérémonie : part de clé d'un délégué vérifiée (étape 5)"),
    "bureau.emargements_export": _("Liste d'émargement exportée"),
    "bureau.key_loss": _("Perte de clé constatée par le bureau"),
    "bureau.member_access_reset": _("Accès d'un membre réinitialisé"),
    "bureau.member_add": _("Membre du bureau désigné"),
    "bureau.member_email_change": _("Courriel d'un membre modifié"),
    "bureau.member_invite": _("Invitation envoyée à un membre"),
    "bureau.member_joined": _("Accès créé par le membre"),
    "bureau.member_remove": _("Membre retiré du bureau"),
    "bureau.scrutins_set": _("Scrutins couverts par le bureau modifiés"),
    "bureau.vote_close": _("Vote clos par le bureau"),
    "bureau.vote_extend": _("Clôture du vote prolongée par le bureau"),
    "bureau.vote_freeze": _("Urnes, émargements et compteurs figés"),
    "bureau.vote_resume": _("Vote repris par le bureau"),
    "bureau.vote_suspend": _("Vote suspendu par le bureau"),
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
    "list.update": _("Liste de candidats modifiée"),
    "list.withdraw": _("Liste de candidats retirée"),
    "messaging.campaign_pause": _("Envoi suspendu"),
    "messaging.campaign_resume": _("Envoi repris"),
    "messaging.campaign_start": _("Envoi lancé"),
    "portal.replacement_refused": _("Demande de nouvel identifiant électeur refusée"),
    "portal.replacement_sent": _("Nouvel identifiant électeur envoyé par SMS"),
    "reassort.granted": _("Réassort accordé (identité vérifiée)"),
    "reassort.refused": _("Réassort refusé"),
    "roll.add": _("Électeur ajouté à une liste électorale"),
    "roll.cancel_adjustment": _("Correction de liste électorale annulée"),
    "roll.remove": _("Électeur retiré d’une liste électorale"),
    "rolls.publish": _("Listes électorales publiées"),
    "rules.install_defaults": _("Règles « qui vote où » par défaut installées"),
    "rules.set": _("Règles « qui vote où » enregistrées"),
    "scrutin.create": _("Scrutin créé"),
    "seal.check": _("Vérification du scellement"),
    "seal.confirm": _("Scellement confirmé par un membre"),
    "seal.make": _("Scellement"),
    "seal.mismatch": _("Scellement rompu"),
    "system.restart": _("Redémarrage du service"),
    "union.create": _("Organisation syndicale ajoutée"),
    "urn.archive_download": _("Archive de l'urne téléchargée"),
    "vote.close": _("Vote clos"),
    "vote.freeze": _("Urnes et émargements figés"),
    "vote.resume": _("Vote repris"),
    "vote.suspend": _("Vote suspendu"),
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
