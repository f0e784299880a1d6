"""Candidate lists: bounds, gender balance, split key, profession de foi."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from factories.elections import scrutin_make, voter_make
from urne.elections.candidate_lists import (
    CandidateInput,
    candidate_list_check,
    candidate_list_register,
    gender_targets,
    profession_de_foi_attach,
    profession_de_foi_validate,
    union_shares,
)
from urne.elections.models import CandidateList, ListUnion, Union

PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_gender_targets_round_up_or_down():
    assert gender_targets(women_share=0.7, candidates=10) == {7}
    assert gender_targets(women_share=0.75, candidates=10) == {7, 8}
    assert gender_targets(women_share=0.84, candidates=6) == {5, 6}
    assert gender_targets(women_share=0.5, candidates=3) == {1, 2}
    assert gender_targets(women_share=0.0, candidates=4) == {0}


def _cands(women: int, men: int) -> list[CandidateInput]:
    return [CandidateInput("NOM", "Prénom", "F")] * women + [CandidateInput("NOM", "P", "M")] * men


@pytest.fixture
def scrutin(db, election):
    # CTA: 2 titular + 2 substitute seats, a list needs ceil(4 × 2/3) = 3 to 4 candidates.
    s = scrutin_make(election, "CTA", "Lyon", titular_seats=2, substitute_seats=2)
    for civility in "FFFM":  # 75 % women
        voter_make(election, "PE et instituteur", civility=civility)
    return s


@pytest.fixture
def union(election):
    return Union.objects.create(election=election, name="Syndicat A", acronym="SA")


def _register(scrutin, unions, women, men):
    # One list at a time: a union files one list per scrutin (candidate_list_register).
    CandidateList.objects.filter(scrutin=scrutin).delete()
    lst = candidate_list_register(
        actor="t", scrutin=scrutin, label="L", unions=unions, candidates=_cands(women, men)
    )
    profession_de_foi_attach(
        actor="t",
        candidate_list=lst,
        upload=SimpleUploadedFile("pf.pdf", PDF, content_type="application/pdf"),
    )
    return lst


@pytest.mark.django_db(databases=["default", "authority"])
def test_valid_list(scrutin, union):
    assert scrutin.candidate_bounds() == (3, 4)
    assert candidate_list_check(_register(scrutin, [(union, None)], 3, 1)) == []
    # 75 % of 3 candidates = 2.25: two or three women are both allowed.
    assert candidate_list_check(_register(scrutin, [(union, None)], 2, 1)) == []
    assert candidate_list_check(_register(scrutin, [(union, None)], 3, 0)) == []


@pytest.mark.django_db(databases=["default", "authority"])
def test_too_few_or_too_many_candidates(scrutin, union):
    (problem,) = candidate_list_check(_register(scrutin, [(union, None)], 2, 0))
    assert "de 3 à 4 candidats" in problem
    assert "de 3 à 4" in candidate_list_check(_register(scrutin, [(union, None)], 4, 1))[0]


@pytest.mark.django_db(databases=["default", "authority"])
def test_exact_bound_for_cap(election, union):
    capd = scrutin_make(election, "CAPD PE", "69", titular_seats=1, substitute_seats=1)
    voter_make(election, civility="F")
    voter_make(election, civility="M")
    assert capd.candidate_bounds() == (2, 2)
    (problem,) = candidate_list_check(_register(capd, [(union, None)], 1, 2))
    assert "exactement 2 candidats" in problem


@pytest.mark.django_db(databases=["default", "authority"])
def test_gender_balance(scrutin, union):
    (problem,) = candidate_list_check(_register(scrutin, [(union, None)], 2, 2))
    assert "2 femmes et 2 hommes" in problem and "il faut 3 femmes" in problem


@pytest.mark.django_db(databases=["default", "authority"])
def test_joint_list_split_key(scrutin, union, election):
    other = Union.objects.create(election=election, name="Syndicat B", acronym="SB")
    third = Union.objects.create(election=election, name="Syndicat C", acronym="SC")
    equal = _register(scrutin, [(union, None), (other, None), (third, None)], 3, 1)
    assert union_shares(equal) == {
        "SA": Decimal("33.33"),
        "SB": Decimal("33.33"),
        "SC": Decimal("33.33"),
    }
    assert candidate_list_check(equal) == []
    declared = _register(scrutin, [(union, Decimal(70)), (other, Decimal(30))], 3, 1)
    assert union_shares(declared) == {"SA": 70, "SB": 30}
    assert candidate_list_check(declared) == []
    # A wrong key is refused at registration (split_key_problem), and the check finds one
    # that was stored otherwise.
    for shares, word in (((Decimal(70), Decimal(20)), "100"), ((Decimal(70), None), "aucune")):
        with pytest.raises(ValidationError, match=word):
            candidate_list_register(
                actor="t",
                scrutin=scrutin_make(election, "CTA", f"Autre {word}"),
                label="L",
                unions=[(union, shares[0]), (other, shares[1])],
                candidates=_cands(3, 1),
            )
        ListUnion.objects.filter(candidate_list=declared, union=other).update(share=shares[1])
        assert any(word in p for p in candidate_list_check(declared))


@pytest.mark.django_db(databases=["default", "authority"])
def test_missing_profession_de_foi(scrutin, union):
    lst = candidate_list_register(
        actor="t", scrutin=scrutin, label="L", unions=[(union, None)], candidates=_cands(3, 1)
    )
    assert candidate_list_check(lst) == ["Profession de foi manquante."]


@pytest.mark.parametrize(
    ("name", "content", "ctype", "message"),
    [
        ("pf.pdf", b"", "application/pdf", "vide"),
        ("pf.docx", PDF, "application/pdf", "PDF"),
        ("pf.pdf", b"PK\x03\x04 zip", "application/pdf", "pas un PDF valide"),
        ("pf.pdf", PDF, "text/html", "PDF"),
    ],
)
def test_profession_de_foi_type_is_checked(name, content, ctype, message):
    with pytest.raises(ValidationError, match=message):
        profession_de_foi_validate(SimpleUploadedFile(name, content, content_type=ctype))


def test_profession_de_foi_size_is_checked(settings):
    settings.URNE_PROFESSION_DE_FOI_MAX_BYTES = 1024 * 1024
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError, match="taille maximale de 1 Mo"):
        profession_de_foi_validate(SimpleUploadedFile("pf.pdf", big, "application/pdf"))
    profession_de_foi_validate(SimpleUploadedFile("pf.pdf", PDF, "application/pdf"))
