"""Personnummer and samordningsnummer: what Skatteverket's rules accept and refuse."""

from datetime import date

import pytest

from chalicelib.domain.personnummer import (
    InvalidPersonnummer,
    age_on,
    birthday,
    luhn_check_digit,
    parse,
    with_check_digit,
)

TODAY = date(2026, 11, 22)


def test_the_well_known_test_number_is_valid_in_both_forms():
    # Given Skatteverket's classic example 19121212-1212
    # When it is parsed with and without century
    twelve = parse("191212121212", TODAY)
    ten = parse("121212+1212", TODAY)  # born 1912: over 100, so '+'
    # Then both are the same person
    assert twelve.digits == ten.digits == "191212121212"
    assert twelve.birth_date == date(1912, 12, 12)
    assert not twelve.is_coordination_number


def test_check_digit_is_luhn_over_the_nine_digits():
    assert luhn_check_digit("811218987") == 6  # 811218-9876, Skatteverket's example


@pytest.mark.parametrize("wrong_last_digit", ["0", "1", "2", "3", "4", "5", "7", "8", "9"])
def test_a_wrong_check_digit_is_refused(wrong_last_digit):
    with pytest.raises(InvalidPersonnummer, match="kontrollsiffra"):
        parse("19811218987" + wrong_last_digit, TODAY)


def test_ten_digits_with_dash_means_under_100():
    pnr = parse("811218-9876", TODAY)
    assert pnr.birth_date == date(1981, 12, 18)


def test_ten_digits_with_plus_means_100_or_older():
    # Given someone born 1923-05-30 (aged 103 in 2026)
    digits = with_check_digit(date(1923, 5, 30), "212")
    ten_plus = f"{digits[2:8]}+{digits[8:]}"
    # When written with '+', the century resolves to 1900s
    assert parse(ten_plus, TODAY).birth_date == date(1923, 5, 30)
    # And written with '-', the same digits would mean 2023
    assert parse(ten_plus.replace("+", "-"), TODAY).birth_date == date(2023, 5, 30)
    # And they display with '+' again
    assert parse(digits, TODAY).display(TODAY) == ten_plus


def test_plus_appears_from_the_100th_birthday():
    digits = with_check_digit(date(1926, 11, 23), "212")
    pnr = parse(digits, TODAY)
    assert pnr.display(date(2026, 11, 22))[6] == "-"
    assert pnr.display(date(2026, 11, 23))[6] == "+"


def test_ten_digit_century_prefers_the_past():
    # A ten-digit number for a date later this year belongs to the previous century of birth dates.
    digits = with_check_digit(date(1926, 12, 24), "123")
    assert parse(f"{digits[2:8]}-{digits[8:]}", TODAY).birth_date == date(1926, 12, 24)


def test_samordningsnummer_adds_60_to_the_day():
    # Given a coordination number for someone born 14 February 1990
    digits = with_check_digit(date(1990, 2, 14), "273", coordination=True)
    assert digits[6:8] == "74"
    pnr = parse(digits, TODAY)
    assert pnr.is_coordination_number
    assert pnr.birth_date == date(1990, 2, 14)


def test_samordningsnummer_with_impossible_day_is_refused():
    nine = "900292273"  # day 92 -> 32 February
    with pytest.raises(InvalidPersonnummer, match="datum"):
        parse(f"19{nine}{luhn_check_digit(nine)}", TODAY)


@pytest.mark.parametrize(
    "text",
    ["", "abc", "1912121212", "19121212121", "1912121212123", "19121312-1212", "20270101-0000", "18000101-0008"],
)
def test_malformed_or_impossible_numbers_are_refused(text):
    with pytest.raises(InvalidPersonnummer):
        parse(text, TODAY)


def test_a_birth_date_in_the_future_is_refused():
    digits = with_check_digit(date(2026, 11, 23), "123")
    with pytest.raises(InvalidPersonnummer, match="framtiden"):
        parse(digits, TODAY)


def test_leap_day_number_is_valid_only_in_leap_years():
    assert parse(with_check_digit(date(2012, 2, 29), "123"), TODAY).birth_date == date(2012, 2, 29)
    nine = "130229123"
    with pytest.raises(InvalidPersonnummer):
        parse(f"20{nine}{luhn_check_digit(nine)}", TODAY)


def test_the_number_never_shows_in_repr_or_str():
    pnr = parse("191212121212", TODAY)
    assert "1212" not in repr(pnr)
    assert "1212" not in str(pnr)
    assert "1212" not in f"{pnr}"
    with pytest.raises(InvalidPersonnummer) as error:
        parse("191212121213", TODAY)
    assert "121213" not in str(error.value)


def test_age_counts_completed_years_and_leap_day_birthdays_fall_on_1_march():
    born = date(2012, 2, 29)
    assert age_on(born, date(2025, 2, 28)) == 12
    assert age_on(born, date(2025, 3, 1)) == 13
    assert age_on(born, date(2024, 2, 29)) == 12
    assert birthday(born, 13) == date(2025, 3, 1)
    assert birthday(born, 12) == date(2024, 2, 29)
