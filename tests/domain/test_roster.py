"""Reading a roster sheet: columns in Indonesian or English, every row kept or refused with
its reasons, bounded whatever the file holds."""

from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp.domain.roster import (
    LIMITS,
    MAX_ROWS,
    NIP,
    NotATable,
    Roster,
    check_rows,
    parse_roster,
    read_csv,
)


def test_columns_are_recognised_in_either_language_and_any_order():
    roster = parse_roster([["Kelompok", "Unit Kerja", "Nama Lengkap"], ["A", "Bappeda", "Ani"]], [])
    assert [(r.name, r.unit, r.group) for r in roster.rows] == [("Ani", "Bappeda", "A")]
    assert roster.new_groups == ("A",)


def test_missing_columns_are_named_in_words():
    roster = parse_roster([["nip", "unit"], ["1", "x"]], [])
    assert [p.message.split(".")[0] for p in roster.problems] == [
        "No column of names was found",
        "No column of groups was found",
    ]


def test_a_title_above_the_header_is_allowed_and_rows_keep_their_sheet_numbers():
    roster = parse_roster(
        [["DAFTAR PESERTA DIKLAT PIM IV"], [], ["No", "Nama", "Kelompok"], [1, "Ani", ""]], []
    )
    assert [(b.line, b.name, [p.message for p in b.problems]) for b in roster.bad_rows] == [
        (4, "Ani", ["No group."])
    ]


def test_nip_is_cleaned_of_spaces_and_spreadsheet_decimals():
    roster = parse_roster(
        [
            ["name", "nip", "group"],
            ["Ani", "19850312 201001 2 003", "A"],
            ["Budi", "198503122010012003.0", "A"],
        ],
        ["a"],
    )
    assert [r.nip for r in roster.rows] == ["198503122010012003"] * 2
    assert roster.new_groups == ()


def test_a_nip_that_lost_digits_in_a_number_cell_is_refused_with_what_the_sheet_kept():
    roster = parse_roster([["nama", "nip", "kelompok"], ["Ani", 1.98901012015032e17, "A"]], [])
    (bad,) = roster.bad_rows
    assert bad.name == "Ani"
    assert "(198901012015032000). Format the NIP column as text" in bad.problems[0].message


def test_an_integer_cell_keeps_every_digit():
    roster = parse_roster([["nama", "nip", "kelompok"], ["Ani", 198901012015032003, "A"]], [])
    assert roster.rows[0].nip == "198901012015032003"


def test_blank_rows_are_skipped_and_lines_count_from_the_header():
    roster = parse_roster([["name", "group"], ["", ""], ["Ani", ""]], [])
    assert [b.line for b in roster.bad_rows] == [3]


def test_an_empty_file_is_reported():
    assert parse_roster([], []).problems[0].message == "The file is empty."


def test_rows_past_the_limit_are_not_read_and_the_roster_says_so():
    table = [["nama", "kelompok"]] + [[f"P{n}", "A"] for n in range(MAX_ROWS + 5)]
    roster = parse_roster(table, [])
    assert len(roster.rows) == MAX_ROWS and roster.more_rows
    assert roster.last_line == MAX_ROWS + 1


def test_control_characters_never_reach_a_name():
    roster = parse_roster([["nama", "kelompok"], ["A\x00ni\x1b", "B\u200bC"]], [])
    assert roster.rows[0].name == "A ni"


CELLS = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.sampled_from(["nama", "NIP", "kelompok", "unit kerja", "=1+1", " ", "1.9E+17"]),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 1, 1)),
    st.text(alphabet="0123456789 .", min_size=15, max_size=22),
)
TABLES = st.lists(st.lists(CELLS, max_size=7), max_size=25)


def accounted(table: list, roster: Roster) -> None:
    """Every row is kept or refused with reasons; what is kept fits the database."""
    for row in roster.rows:
        assert row.name and row.group
        assert all(len(getattr(row, c)) <= limit for c, limit in LIMITS.items())
        assert not row.nip or NIP.match(row.nip)
        assert "\x00" not in row.name + row.unit + row.group
    assert all(bad.problems for bad in roster.bad_rows)
    lines = [r.line for r in roster.rows] + [b.line for b in roster.bad_rows]
    assert len(lines) == len(set(lines)) and all(1 <= n <= len(table) for n in lines)


@given(TABLES, st.lists(st.text(max_size=10), max_size=3))
def test_any_table_gives_rows_or_refusals_never_an_exception(table, groups):
    roster = parse_roster(table, groups)
    accounted(table, roster)
    again = check_rows([(row, []) for row in roster.rows], groups)
    assert again.rows == roster.rows and not again.bad_rows


@given(st.binary(max_size=3000))
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_any_bytes_read_as_csv_give_rows_or_a_refusal(data):
    try:
        table = list(read_csv(data))
    except NotATable as exc:
        assert exc.template
        return
    accounted(table, parse_roster(table, []))


@given(
    st.lists(
        st.lists(st.one_of(st.text(max_size=30), st.sampled_from(["nama", "kelompok", "nip"]))),
        max_size=12,
    ),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
)
def test_any_text_in_any_encoding_gives_rows_or_a_refusal(rows, delimiter, encoding):
    text = "\n".join(delimiter.join(cells) for cells in rows)
    data = text.encode(encoding, errors="replace")
    try:
        table = list(read_csv(data))
    except NotATable:
        return
    accounted(table, parse_roster(table, []))


def test_a_sheet_whose_header_is_far_down_is_not_called_empty():
    roster = parse_roster([[]] * 12 + [["nama", "kelompok"], ["Ani", "A"]], [])
    assert [p.message.split(".")[0] for p in roster.problems] == [
        "No column of names was found",
        "No column of groups was found",
    ]
