"""What a voter reads when a cast is refused: one stable code, one message (French msgid,
English in locale/en), one HTTP status. Nothing in a message echoes the ballot."""

from django.utils.translation import gettext_lazy as _

CAST_ERRORS = {
    "not_logged_in": (
        401,
        _(
            "Votre session a expiré. Reconnectez-vous, puis votez à nouveau : rien n'a été "
            "enregistré."
        ),
    ),
    "csrf_failed": (
        403,
        _(
            "Votre page a expiré. Rechargez la page, puis votez à nouveau : rien n'a été "
            "enregistré."
        ),
    ),
    "bad_request": (
        400,
        _(
            "La demande envoyée par votre navigateur est incomplète. Rechargez la page et "
            "recommencez : rien n'a été enregistré."
        ),
    ),
    "unknown_scrutin": (404, _("Ce scrutin n'existe pas.")),
    "not_eligible": (403, _("Vous n'êtes pas inscrit(e) sur la liste électorale de ce scrutin.")),
    "not_open": (403, _("Le vote n'est pas encore ouvert pour ce scrutin.")),
    "suspended": (
        403,
        _(
            "Le bureau de vote a suspendu le vote. Votre bulletin n'a pas été enregistré : "
            "vous pourrez voter dès la reprise, rien n'est perdu."
        ),
    ),
    "closed": (403, _("Le vote est clos pour ce scrutin : votre bulletin n'a pas été enregistré.")),
    "already_voted": (
        409,
        _(
            "Vous avez déjà voté à ce scrutin. Un vote est définitif : ce bulletin n'a pas été "
            "enregistré."
        ),
    ),
    "wrong_credential": (
        403,
        _(
            "Ce code de vote n'est pas le vôtre pour ce scrutin. Vérifiez le code saisi (il "
            "figure sur votre notice de vote) : rien n'a été enregistré."
        ),
    ),
    "revoked_credential": (
        403,
        _(
            "Ce code de vote a été remplacé et n'est plus valable. Utilisez votre dernier code "
            "de vote : rien n'a été enregistré."
        ),
    ),
    "invalid_ballot": (
        400,
        _(
            "Votre bulletin est invalide (il a pu être altéré en chemin). Rechargez la page et "
            "votez à nouveau : rien n'a été enregistré."
        ),
    ),
    "foreign_ballot": (
        400,
        _(
            "Ce bulletin a été préparé pour un autre scrutin. Rechargez la page et votez à "
            "nouveau : rien n'a été enregistré."
        ),
    ),
    "in_progress": (
        409,
        _(
            "Un autre envoi de votre bulletin est en cours (autre onglet ou autre appareil). "
            "Patientez quelques secondes puis rechargez la page pour voir s'il a été "
            "enregistré."
        ),
    ),
    "rate_limited": (
        429,
        _(
            "Trop de tentatives en peu de temps. Patientez quelques minutes puis réessayez : "
            "rien n'a été enregistré."
        ),
    ),
    "unavailable": (
        503,
        _(
            "Le service est momentanément indisponible. Renvoyez votre bulletin dans un instant "
            "(il ne sera pas compté deux fois)."
        ),
    ),
}
