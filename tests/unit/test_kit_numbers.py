"""Kit numbers the region makes: random (one number says nothing about the next), check-digited
(a typo is caught before it can match someone else's kit), read as printed whatever the spacing."""

from __future__ import annotations

import random

from chalicelib.domain.self_tests import kit_number_mistyped, new_kit_number, normalise_kit_number


def test_numbers_are_random_and_carry_a_check_digit():
    # Given a thousand numbers made one after the other
    numbers = [new_kit_number() for _ in range(1000)]
    # Then none repeats, none follows from the one before, and each checks out
    assert len(set(numbers)) == len(numbers)
    values = [int(n.removeprefix("KIT-").replace("-", "")) for n in numbers]
    assert sum(1 for a, b in zip(values, values[1:]) if abs(b - a) <= 10) == 0
    assert not any(kit_number_mistyped(n) for n in numbers)


def test_a_single_wrong_digit_or_a_swap_of_neighbours_is_caught():
    number = new_kit_number(random.Random(7).randrange)
    digits = number.removeprefix("KIT-").replace("-", "")
    for i in range(len(digits)):
        wrong = digits[:i] + str((int(digits[i]) + 3) % 10) + digits[i + 1:]
        assert kit_number_mistyped(normalise_kit_number("KIT" + wrong))
    swapped = next(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:] for i in range(len(digits) - 1)
                   if digits[i] != digits[i + 1] and {digits[i], digits[i + 1]} != {"0", "9"})  # fmt: skip
    assert kit_number_mistyped(normalise_kit_number("KIT" + swapped))


def test_a_number_reads_the_same_however_it_is_typed():
    number = new_kit_number(random.Random(1).randrange)
    assert normalise_kit_number(number.lower().replace("-", " ")) == number
    assert normalise_kit_number(" " + number.replace("-", "") + " ") == number
    assert normalise_kit_number("kg-5001") == "KG-5001"  # a lab's own numbers are left as they are
    assert not kit_number_mistyped("KG-5001")
