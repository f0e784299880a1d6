"""The portal's calendar windows, without a database."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from urne.elections.calendar import Feature, State, Window, paris

T = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # 08h00 in Paris
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("now", "state"),
    [(T - H, State.BEFORE), (T, State.OPEN), (T + 9 * H, State.OPEN), (T + 10 * H, State.AFTER)],
)
def test_window_bounds(now, state):
    w = Window(Feature.VOTE, T, T + 10 * H)
    assert w.state(now) is state
    assert w.is_open(now) is (state is State.OPEN)


def test_unbounded_and_unset():
    assert Window(Feature.ROLLS, T, None).state(T + 1000 * H) is State.OPEN
    assert Window(Feature.ROLLS, None, None).state(T) is State.UNSET
    assert Window(Feature.COMPLAINTS, None, T, needs_opening=False).state(T - H) is State.OPEN


def test_paris_time_wording():
    with translation.override("fr"):
        assert paris(T) == "mardi 1 décembre 2026 à 08h00"
        assert "ouvrira le mardi 1 décembre 2026 à 08h00 (heure de Paris)" in Window(
            Feature.VOTE, T, T + H
        ).message(T - H)
        assert "fermée depuis le mardi 1 décembre 2026 à 09h00" in Window(
            Feature.VOTE, T, T + H
        ).message(T + 2 * H)
    with translation.override("en"):
        assert paris(T) == "Tuesday 1 December 2026, 08:00"
        assert "opens on Tuesday 1 December 2026, 08:00 (Paris time)" in Window(
            Feature.VOTE, T, T + H
        ).message(T - H)


def test_summer_time():
    summer = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
    with translation.override("fr"):
        assert paris(summer).endswith("à 08h00")
