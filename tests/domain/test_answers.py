"""Answer checking, with the ways people really type on a phone in Indonesia."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp.domain.answers import (
    CORRECT,
    NEEDS_JUDGE,
    WRONG,
    check_choice,
    check_number,
    check_text,
    normalise,
    parse_number,
)


@pytest.mark.parametrize(
    ("typed", "accepted"),
    [
        ("  Masjid   Raya ", "Masjid Raya"),
        ("MASJID RAYA!", "masjid raya"),
        ("Café", "cafe"),
        ("Grha Sabha Pramana.", "grha sabha pramana"),
        ("gsp", "GSP"),
        ("Bénteng Rotterdam", "Benteng Rotterdam"),
    ],
)
def test_case_spaces_accents_and_edge_punctuation_do_not_matter(typed, accepted):
    assert check_text(typed, [accepted]) == CORRECT


def test_a_different_answer_is_wrong_and_no_answers_means_a_judge_decides():
    assert check_text("Masjid Agung", ["Masjid Raya"]) == WRONG
    assert check_text("apa saja", []) == NEEDS_JUDGE


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1545", 1545),
        ("3,5", 3.5),
        ("3.5", 3.5),
        ("1.234", 1234),
        ("1,234", 1234),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("1.234.567", 1234567),
        ("-2,25", -2.25),
        (" 12 ", 12),
        ("0,75", 0.75),
    ],
)
def test_numbers_are_read_in_indonesian_and_english_styles(typed, value):
    assert parse_number(typed) == pytest.approx(value)


@pytest.mark.parametrize("typed", ["", "seribu", "12a", "1..", "--3"])
def test_things_that_are_not_numbers_are_not_read(typed):
    assert parse_number(typed) is None


def test_number_within_tolerance_is_correct():
    assert check_number("1.549", 1545, tolerance=5) == CORRECT
    assert check_number("1551", 1545, tolerance=5) == WRONG
    assert check_number("1545", None) == NEEDS_JUDGE


def test_choice_is_matched_like_text():
    assert check_choice("timur laut", ["Utara", "Timur laut"], "Timur laut") == CORRECT
    assert check_choice("Utara", ["Utara", "Timur laut"], "Timur laut") == WRONG


@given(st.text())
def test_normalising_twice_changes_nothing(text):
    assert normalise(normalise(text)) == normalise(text)
