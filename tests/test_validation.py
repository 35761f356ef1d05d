"""softphone.validation: the shared checks for numbers from outside."""

from __future__ import annotations

import math

import pytest

from softphone import validation


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, True, "1", None, 3601, -0.5])
def test_finite_number_refuses_with_the_reason(value: object) -> None:
    with pytest.raises(ValueError, match=r"^seconds must be a finite number between 0 and 3600"):
        validation.finite_number("seconds", value, 0, 3600)


def test_finite_number_and_integer_accept_what_is_in_range() -> None:
    assert validation.finite_number("seconds", 2, 0, 3600) == 2.0
    assert validation.integer("groups", 2.0, 1, 2) == 2
    with pytest.raises(ValueError, match=r"groups must be an integer between 1 and 2, got 1\.5"):
        validation.integer("groups", 1.5, 1, 2)
    assert validation.option({}, "seconds", 2.0, 0, 10) == 2.0


def test_check_json_names_the_place_and_the_depth() -> None:
    with pytest.raises(ValueError, match=r"options\.x\[1\] must be a finite number, got nan"):
        validation.check_json({"x": [1, math.nan]}, "options")
    validation.check_json({"x": [math.nan]}, finite=False)
    deep: list[object] = []
    for _ in range(40):
        deep = [deep]
    with pytest.raises(ValueError, match="deeper than 32"):
        validation.check_json(deep)
    with pytest.raises(ValueError):
        validation.dumps({"x": math.inf})
