"""Reading a roster sheet: columns in Indonesian or English, every bad row reported."""

from webapp.domain.roster import parse_roster


def test_columns_are_recognised_in_either_language_and_any_order():
    roster = parse_roster([["Kelompok", "Unit Kerja", "Nama Lengkap"], ["A", "Bappeda", "Ani"]], [])
    assert [(r.name, r.unit, r.group) for r in roster.rows] == [("Ani", "Bappeda", "A")]
    assert roster.new_groups == ("A",)


def test_missing_columns_are_named():
    roster = parse_roster([["nip", "unit"]], [])
    assert [p.params["column"] for p in roster.problems] == ["name", "group"]


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


def test_blank_rows_are_skipped_and_lines_count_from_the_header():
    roster = parse_roster([["name", "group"], ["", ""], ["Ani", ""]], [])
    assert [p.line for p in roster.problems] == [3]


def test_empty_file_is_reported():
    assert parse_roster([], []).problems[0].message == "The file is empty."
