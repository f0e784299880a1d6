"""The default bodies and rule set: seed 002, section 4 "Qui vote où ?" (2018 elections).

Shipped as data installed by `rules_install_defaults`; managers edit the rules afterwards.
Each body: code, name, perimeter level, default titular seats, and the minimum number of
candidates as a fraction of titular + substitute seats (CT: two thirds; CAP/CCP: all).
"""

NATIONAL, ACADEMIE, DEPARTEMENT = "national", "academie", "departement"

BODIES_2018: list[tuple[str, str, str, int, tuple[int, int]]] = [
    ("CTM", "Comité technique ministériel", NATIONAL, 15, (2, 3)),
    ("CTA", "Comité technique académique", ACADEMIE, 10, (2, 3)),
    ("CAPN PE", "CAP nationale des professeurs des écoles", NATIONAL, 10, (1, 1)),
    ("CAPD PE", "CAP départementale des professeurs des écoles", DEPARTEMENT, 10, (1, 1)),
    ("CAPN PsyEN", "CAP nationale des psychologues de l'éducation nationale", NATIONAL, 4, (1, 1)),
    ("CAPA PsyEN", "CAP académique des psychologues de l'éducation nationale", ACADEMIE, 2, (1, 1)),
    ("CCPA", "Commission consultative paritaire académique", ACADEMIE, 3, (1, 1)),
    ("CCSA", "Commission consultative spéciale académique", ACADEMIE, 3, (1, 1)),
    ("CCP non tit (AESH)", "CCP des agents non titulaires (AESH)", ACADEMIE, 5, (1, 1)),
    (
        "CCP non tit (enseignant)",
        "CCP des agents non titulaires (enseignants)",
        ACADEMIE,
        5,
        (1, 1),
    ),
]

# Personnel category -> bodies it votes in; the seed's last column is the row's length.
RULES_2018: dict[str, list[str]] = {
    "AESH-AED": ["CTM", "CTA", "CCP non tit (AESH)"],
    "Enseignant contractuel": ["CTM", "CTA", "CCP non tit (enseignant)"],
    "Directeur adjoint de SEGPA": ["CTM", "CTA", "CAPN PE", "CAPD PE", "CCPA"],
    "Directeur écoles d'application et spécialisé": ["CTM", "CTA", "CAPN PE", "CAPD PE", "CCSA"],
    "PE et instituteur": ["CTM", "CTA", "CAPN PE", "CAPD PE"],
    "PES": ["CTM", "CTA"],
    "PsyEN détaché": ["CTM", "CTA", "CAPN PE", "CAPD PE", "CAPN PsyEN", "CAPA PsyEN"],
    "PsyEN intégré": ["CTM", "CTA", "CAPN PsyEN", "CAPA PsyEN"],
}
