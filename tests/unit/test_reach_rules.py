"""Who reads a person's inbox and is told something new waits, when paper goes, and how a letter
to a child under 13 is addressed (domain/reach.py)."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.people import Address, Person
from chalicelib.domain.personnummer import parse, with_check_digit
from chalicelib.domain.reach import AccountHolder, DigitalChannel, letter_address, reach

TODAY = date(2026, 11, 22)
HOME = Address("Lindvägen 3", "123 46", "Demostad")


def person(citizen_id: str, born: date, *, guardians: tuple[str, ...] = (), protected: bool = False,
           given: str = "Elsa", address: Address | None = HOME) -> Person:  # fmt: skip
    return Person(citizen_id, parse(with_check_digit(born, "250"), TODAY), given, "Lind", protected,
                  None if protected else address, frozenset(guardians))  # fmt: skip


def holder(citizen_id: str, *, digital_first: bool = False, email: bool = False, sms: bool = False,
           language: str = "sv") -> AccountHolder:  # fmt: skip
    return AccountHolder(citizen_id, digital_first, email, sms, language)


CHILD = person("elsa", date(2017, 10, 1), guardians=("karin", "lars"))
ADULT = person("anna", date(1985, 4, 12), given="Anna")


def test_an_adult_is_reached_by_their_own_account_only():
    reached = reach("anna", ADULT, {"anna": holder("anna", digital_first=True, email=True)}, TODAY)
    assert reached.channel is DigitalChannel.OWN_ACCOUNT and reached.digital_first and reached.notify_email
    assert [h.citizen_id for h in reached.notify] == ["anna"]


def test_an_adult_without_an_account_is_not_reached_and_gets_paper():
    reached = reach("anna", ADULT, {}, TODAY)
    assert (reached.reaches_digitally, reached.channel, reached.digital_first) == (False, None, False)


def test_a_child_under_13_is_reached_through_each_guardian_with_an_account():
    reached = reach("elsa", CHILD, {"karin": holder("karin", email=True)}, TODAY)
    assert reached.channel is DigitalChannel.GUARDIAN and [h.citizen_id for h in reached.notify] == ["karin"]
    assert reached.citizen_id == "elsa"  # the inbox is still the child's
    assert reached.notify_email and not reached.notify_sms


def test_paper_for_a_child_unless_every_guardian_is_reached_and_chose_digital_first():
    one = {"karin": holder("karin", digital_first=True)}
    assert not reach("elsa", CHILD, one, TODAY).digital_first  # Lars has no account
    both = {**one, "lars": holder("lars")}
    assert not reach("elsa", CHILD, both, TODAY).digital_first  # Lars did not choose it
    both["lars"] = holder("lars", digital_first=True)
    assert reach("elsa", CHILD, both, TODAY).digital_first


def test_a_child_with_no_guardian_in_the_register_gets_paper_even_with_an_own_account():
    orphan = person("elsa", date(2017, 10, 1))
    reached = reach("elsa", orphan, {"elsa": holder("elsa", digital_first=True)}, TODAY)
    assert reached.channel is DigitalChannel.OWN_ACCOUNT and not reached.digital_first


def test_a_child_under_13_with_an_own_account_is_told_beside_the_guardians():
    reached = reach("elsa", CHILD, {"elsa": holder("elsa"), "karin": holder("karin")}, TODAY)
    assert reached.channel is DigitalChannel.OWN_ACCOUNT
    assert [h.citizen_id for h in reached.notify] == ["elsa", "karin"]


def test_a_protected_child_is_never_reached_through_a_guardian():
    sigge = person("sigge", date(2020, 8, 1), guardians=("karin",), protected=True, given="Sigge")
    reached = reach("sigge", sigge, {"karin": holder("karin", digital_first=True, email=True)}, TODAY)
    assert (reached.reaches_digitally, reached.notify, reached.digital_first) == (False, (), False)


def test_from_the_13th_birthday_only_the_own_account_reaches():
    day_before = person("vide", date(2013, 11, 23), guardians=("karin",), given="Vide")
    birthday = person("vide", date(2013, 11, 22), guardians=("karin",), given="Vide")
    karin = {"karin": holder("karin", email=True)}
    assert reach("vide", day_before, karin, TODAY).channel is DigitalChannel.GUARDIAN
    assert reach("vide", birthday, karin, TODAY).channel is None
    # and the own choice decides paper again
    own = {**karin, "vide": holder("vide", digital_first=True)}
    assert reach("vide", birthday, own, TODAY).digital_first


def test_someone_not_in_the_register_is_reached_by_their_own_account():
    assert reach("nora", None, {"nora": holder("nora")}, TODAY).channel is DigitalChannel.OWN_ACCOUNT


def test_a_letter_to_a_child_under_13_goes_to_the_guardians_at_the_childs_address():
    karin = person("karin", date(1984, 7, 3), given="Karin")
    lars = person("lars", date(1983, 1, 5), given="Lars")
    assert letter_address(CHILD, [karin, lars], TODAY) == [
        "Till vårdnadshavare för Elsa Lind", "Karin Lind och Lars Lind", "Lindvägen 3", "123 46 Demostad"]
    # a guardian with protected identity is not named; unknown guardians: the line alone
    hidden = person("lars", date(1983, 1, 5), given="Lars", protected=True)
    assert letter_address(CHILD, [karin, hidden], TODAY)[:2] == ["Till vårdnadshavare för Elsa Lind", "Karin Lind"]
    assert letter_address(CHILD, [], TODAY) == ["Till vårdnadshavare för Elsa Lind", "Lindvägen 3", "123 46 Demostad"]


def test_a_letter_to_a_protected_child_or_a_13_year_old_is_addressed_as_before():
    sigge = person("sigge", date(2020, 8, 1), guardians=("karin",), protected=True, given="Sigge")
    assert letter_address(sigge, [], TODAY) == [
        "Sigge Lind", "Skyddad identitet: skickas via Skatteverkets särskilda postförmedling"]
    olle = person("olle", date(2012, 6, 1), guardians=("karin",), given="Olle")
    assert letter_address(olle, [], TODAY) == ["Olle Lind", "Lindvägen 3", "123 46 Demostad"]
    assert letter_address(None, [], TODAY) == ["Adress saknas i folkbokföringen"]


def test_a_message_is_written_in_the_language_its_readers_chose_and_swedish_when_they_differ():
    assert reach("anna", ADULT, {"anna": holder("anna", language="en")}, TODAY).language == "en"
    assert reach("anna", ADULT, {}, TODAY).language == "sv"  # no account: the region's language
    both_english = {"karin": holder("karin", language="en"), "lars": holder("lars", language="en")}
    assert reach("elsa", CHILD, both_english, TODAY).language == "en"
    one_each = {"karin": holder("karin", language="en"), "lars": holder("lars")}
    assert reach("elsa", CHILD, one_each, TODAY).language == "sv"
    # From the 13th birthday the child's own choice counts, not the guardians'
    thirteen = person("elsa", date(2013, 11, 22), guardians=("karin", "lars"))
    assert reach("elsa", thirteen, {**both_english, "elsa": holder("elsa")}, TODAY).language == "sv"


def test_a_guardian_care_blocked_neither_reads_nor_is_told_while_the_other_guardian_is():
    # Given Elsa (9), whose guardian Lars care has blocked; both guardians have accounts
    blocked = Person(CHILD.citizen_id, CHILD.personnummer, "Elsa", "Lind", False, HOME,
                     frozenset({"karin", "lars"}), blocked_guardian_ids=frozenset({"lars"}))  # fmt: skip
    both = {"karin": holder("karin", digital_first=True, email=True), "lars": holder("lars", digital_first=True, sms=True)}
    # When care reaches her
    reached = reach("elsa", blocked, both, TODAY)
    # Then only Karin reads her inbox and is told; Karin's digital-first choice is the one that counts
    assert [h.citizen_id for h in reached.notify] == ["karin"]
    assert reached.notify_email and not reached.notify_sms
    assert reached.digital_first


def test_with_both_guardians_blocked_a_child_under_13_gets_paper():
    blocked = Person(CHILD.citizen_id, CHILD.personnummer, "Elsa", "Lind", False, HOME,
                     frozenset({"karin", "lars"}), blocked_guardian_ids=frozenset({"karin", "lars"}))  # fmt: skip
    reached = reach("elsa", blocked, {"karin": holder("karin", digital_first=True)}, TODAY)
    assert reached.notify == () and not reached.digital_first


def test_a_blocked_guardian_is_not_named_on_the_childs_letter():
    from chalicelib.domain.reach import guardians_who_may_read

    blocked = Person(CHILD.citizen_id, CHILD.personnummer, "Elsa", "Lind", False, HOME,
                     frozenset({"karin", "lars"}), blocked_guardian_ids=frozenset({"lars"}))  # fmt: skip
    assert guardians_who_may_read(blocked, TODAY) == ("karin",)
    karin = person("karin", date(1984, 7, 3), given="Karin")
    lars = person("lars", date(1983, 1, 5), given="Lars")
    lines = letter_address(blocked, [karin, lars], TODAY)
    assert lines[:2] == ["Till vårdnadshavare för Elsa Lind", "Karin Lind"]
