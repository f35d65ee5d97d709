"""Join codes: an alphabet without look-alikes, typed however a phone types them."""

from hypothesis import given
from hypothesis import strategies as st

from webapp.domain import joincodes


def test_alphabet_has_no_characters_people_confuse():
    for confusable in "0O1IL2Z5S8B":
        assert confusable not in joincodes.ALPHABET


@given(st.randoms())
def test_new_codes_have_eight_symbols_of_the_alphabet(rng):
    code = joincodes.new_code(choice=rng.choice)
    assert len(code) == 8 and joincodes.looks_valid(code)
    assert not joincodes.is_old(code)


def test_codes_printed_before_they_grew_are_still_codes():
    assert joincodes.looks_valid("NQM9KE") and joincodes.is_old("nqm-9ke")
    assert not joincodes.looks_valid("NQM9K") and not joincodes.looks_valid("NQM9KEA")


def test_typed_codes_are_normalised():
    assert joincodes.normalise(" acd-efg ") == "ACDEFG"
    assert joincodes.normalise("ＡＣＤ ＥＦＧ") == "ACDEFG"  # full-width keyboard


def test_display_splits_in_halves():
    assert joincodes.display("ACDEFGHJ") == "ACDE-FGHJ"
    assert joincodes.display("ACDEFG") == "ACD-EFG"
