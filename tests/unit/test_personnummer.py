"""Personnummer and samordningsnummer: what Skatteverket's rules accept and refuse."""

from datetime import date, timedelta

import pytest

from chalicelib.domain.personnummer import (
    InvalidPersonnummer,
    age_on,
    birthday,
    luhn_check_digit,
    parse,
    with_check_digit,
)
from chalicelib.services.auth import COORDINATION_NUMBER_CLAIM, PERSONAL_IDENTITY_NUMBER_CLAIM, personnummer_from_claims

TODAY = date(2026, 11, 23)


def _ten(twelve: str, separator: str) -> str:
    return f"{twelve[2:8]}{separator}{twelve[8:]}"


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
    ten_plus = _ten(digits, "+")
    # When written with '+', the century resolves to 1900s
    assert parse(ten_plus, TODAY).birth_date == date(1923, 5, 30)
    # And written with '-', the same digits would mean 2023
    assert parse(_ten(digits, "-"), TODAY).birth_date == date(2023, 5, 30)
    # And they display with '+' again
    assert parse(digits, TODAY).display(TODAY) == ten_plus


# '+' from the calendar year a person turns 100 ("Från och med det år en person fyller 100 år ändras
# bindestrecket till ett plustecken"), not from the 100th birthday.


def test_plus_in_the_year_of_the_100th_birthday_before_the_birthday():
    # Given today 2026-11-23 and someone born 1926-12-15, still 99 until next month
    pnr = parse("261215+3458", TODAY)
    # Then '+' already means 1926, and they display with '+'
    assert pnr.birth_date == date(1926, 12, 15)
    assert pnr.digits == "192612153458"
    assert age_on(pnr.birth_date, TODAY) == 99
    assert pnr.display(TODAY) == "261215+3458"
    # And with '-' the same digits are someone born next month: the future, refused
    with pytest.raises(InvalidPersonnummer, match="framtiden"):
        parse("261215-3458", TODAY)


@pytest.mark.parametrize("born", [date(1926, 1, 1), date(1926, 12, 31)])
def test_the_separator_changes_on_1_january_of_the_year_they_turn_100(born):
    pnr = parse(with_check_digit(born, "382"), TODAY)
    # The last day of the year they turn 99 (or 98, for 31 December): '-'
    assert pnr.display(date(2025, 12, 31))[6] == "-"
    # From 1 January of the year they turn 100, whatever their birthday: '+'
    assert pnr.display(date(2026, 1, 1))[6] == "+"
    assert pnr.display(date(2026, 12, 31))[6] == "+"
    assert pnr.display(date(2027, 6, 1))[6] == "+"


@pytest.mark.parametrize("born", [date(1926, 1, 1), date(1926, 12, 31)])
def test_ten_digit_century_by_calendar_year_around_the_year_they_turn_100(born):
    twelve = with_check_digit(born, "382")
    dash, plus = _ten(twelve, "-"), _ten(twelve, "+")
    # The year before they turn 100: '-' is them, '+' would be born 1826 (refused as implausible)
    assert parse(dash, date(2025, 12, 31)).birth_date == born
    with pytest.raises(InvalidPersonnummer, match="orimligt"):
        parse(plus, date(2025, 12, 31))
    # The year they turn 100, from 1 January to 31 December: '+' is them
    for today in (date(2026, 1, 1), date(2026, 12, 31)):
        assert parse(plus, today).birth_date == born
    # ... and '-' is someone born in 2026, who on 1 January 2026 exists only if born that very day
    if born == date(1926, 1, 1):
        assert parse(dash, date(2026, 1, 1)).birth_date == date(2026, 1, 1)
    else:
        with pytest.raises(InvalidPersonnummer, match="framtiden"):
            parse(dash, date(2026, 1, 1))
    assert parse(dash, date(2026, 12, 31)).birth_date == born.replace(year=2026)
    # The year after: the same
    assert parse(plus, date(2027, 1, 1)).birth_date == born
    assert parse(dash, date(2027, 1, 1)).birth_date == born.replace(year=2026)


def test_someone_turning_99_this_year_still_has_dash():
    born = date(1927, 1, 1)
    twelve = with_check_digit(born, "382")
    assert parse(_ten(twelve, "-"), TODAY).birth_date == born
    assert parse(twelve, TODAY).display(TODAY)[6] == "-"
    with pytest.raises(InvalidPersonnummer, match="orimligt"):  # '+' would be 1827
        parse(_ten(twelve, "+"), TODAY)


def test_a_ten_digit_number_born_today_is_this_years_baby_with_dash_and_a_centenarian_with_plus():
    twelve = with_check_digit(TODAY, "123")
    assert parse(_ten(twelve, "-"), TODAY).birth_date == TODAY
    assert parse(_ten(twelve, "+"), TODAY).birth_date == TODAY.replace(year=TODAY.year - 100)
    assert parse(_ten(twelve, ""), TODAY).birth_date == TODAY  # no separator reads as '-'


def test_display_and_parse_agree_for_every_birth_date_and_day():
    # Every birth date near the 100-year boundary, read back on days around New Year and today
    days = [date(2025, 12, 31), date(2026, 1, 1), TODAY, date(2026, 12, 31), date(2027, 1, 1)]
    for today in days:
        for offset in range(0, 366 * 3, 7):
            born = date(1925, 1, 1) + timedelta(days=offset)
            pnr = parse(with_check_digit(born, "382"), today)
            assert parse(pnr.display(today), today) == pnr, (born, today)


def test_twelve_digits_take_either_separator_or_none():
    # The century is written out, so the separator adds nothing and is not checked
    expected = parse("192612153458", TODAY)
    assert parse("19261215+3458", TODAY) == expected
    assert parse("19261215-3458", TODAY) == expected
    young = with_check_digit(date(2012, 12, 12), "121")
    assert parse(f"{young[:8]}+{young[8:]}", TODAY).birth_date == date(2012, 12, 12)


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
    ["", "abc", "1912121212", "19121212121", "1912121212123", "19121312-1212", "20270101-0000", "18000101-0008",
     "191212121212\n1", "19121212--1212", "121212+-1212"],
)  # fmt: skip
def test_malformed_or_impossible_numbers_are_refused(text):
    with pytest.raises(InvalidPersonnummer):
        parse(text, TODAY)


def test_a_birth_date_in_the_future_is_refused():
    digits = with_check_digit(TODAY + timedelta(days=1), "123")
    with pytest.raises(InvalidPersonnummer, match="framtiden"):
        parse(digits, TODAY)


def test_leap_day_number_is_valid_only_in_leap_years():
    assert parse(with_check_digit(date(2012, 2, 29), "123"), TODAY).birth_date == date(2012, 2, 29)
    nine = "130229123"
    with pytest.raises(InvalidPersonnummer):
        parse(f"20{nine}{luhn_check_digit(nine)}", TODAY)
    # 1900 was not a leap year (a century not divisible by 400); 2000 was
    nine = "000229123"
    with pytest.raises(InvalidPersonnummer, match="datum"):
        parse(f"19{nine}{luhn_check_digit(nine)}", TODAY)
    assert parse(f"20{nine}{luhn_check_digit(nine)}", TODAY).birth_date == date(2000, 2, 29)


@pytest.mark.parametrize("form", ["twelve", "ten"])
def test_serial_000_is_refused(form):
    # Given a number whose check digit is right but whose three-digit serial is 000
    nine = "811218000"
    twelve = f"19{nine}{luhn_check_digit(nine)}"
    text = twelve if form == "twelve" else _ten(twelve, "-")
    with pytest.raises(InvalidPersonnummer, match="000"):
        parse(text, TODAY)
    with pytest.raises(ValueError):
        with_check_digit(date(1981, 12, 18), "000")


# Only ASCII 0-9: '\d' and str.isdigit() also take these, which would make a second identity.
_NON_ASCII = {
    "fullwidth": "１９１２１２１２１２１２",
    "arabic-indic": "١٩١٢١٢١٢١٢١٢",
    "one devanagari digit": "19121212121२",
    "fullwidth, ten digits": "１２１２１２+１２１２",
    "superscript": "19121212121²",
}


@pytest.mark.parametrize("text", _NON_ASCII.values(), ids=_NON_ASCII.keys())
def test_only_ascii_digits_count(text):
    with pytest.raises(InvalidPersonnummer):
        parse(text, TODAY)


@pytest.mark.parametrize("text", _NON_ASCII.values(), ids=_NON_ASCII.keys())
def test_an_e_id_claim_with_non_ascii_digits_is_refused(text):
    with pytest.raises(InvalidPersonnummer):
        personnummer_from_claims({PERSONAL_IDENTITY_NUMBER_CLAIM: text}, TODAY)


def test_e_id_claims_take_twelve_digits_of_the_right_kind():
    assert personnummer_from_claims({PERSONAL_IDENTITY_NUMBER_CLAIM: "191212121212"}, TODAY).digits == "191212121212"
    coordination = with_check_digit(date(1990, 2, 14), "273", coordination=True)
    assert personnummer_from_claims({COORDINATION_NUMBER_CLAIM: coordination}, TODAY).is_coordination_number
    for wrong in ("121212+1212", "19121212-1212", 191212121212, coordination):
        with pytest.raises(InvalidPersonnummer):
            personnummer_from_claims({PERSONAL_IDENTITY_NUMBER_CLAIM: wrong}, TODAY)


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
