"""The board's fast read (`board.read_board`: tuples of the columns, the core's state built from
them) says exactly what the reference path says (`board.board_row` of the session loaded by
`state.load_judging`, judged by `state.judge`), for sessions in every state and at many times;
and never one clinic's sessions to another."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from ketacare.chair.board import board_row, read_board
from ketacare.chair.state import load_judging
from tests.chair.board_scenes import fill_board

NOW = dt.datetime(2026, 12, 14, 11, 0, tzinfo=dt.UTC)
# From the seating to well past every discharge, at odd seconds and on whole minutes.
TIMES = [dt.timedelta(minutes=m, seconds=s) for m in range(0, 181, 4) for s in (0, 29, 59)]


@pytest.mark.django_db
def test_the_board_row_is_the_reference_judgement_at_every_time(nora, bob):
    with time_machine.travel(NOW, tick=False):
        sessions = fill_board(nora.clinic, NOW)
        fill_board(bob.clinic, NOW)
    chairs = {s.pk: load_judging(s.pk, nora.clinic_id) for s in sessions}
    seen_ready, seen_overdue = set(), set()
    for offset in TIMES:
        now = NOW + offset
        rows, count = read_board(nora, now=now)

        assert count == len(sessions) == len(rows)
        for row in rows:
            expected = board_row(chairs[row.session_id], now=now)  # type: ignore[arg-type]
            assert row == expected, (offset, row.family_name)
            seen_ready.add(row.discharge_ready)
            seen_overdue.add(row.overdue)
    # The times cover both sides of the judgements that move with the clock.
    assert seen_ready == {None, True, False} and seen_overdue == {True, False}


@pytest.mark.django_db
def test_each_clinic_sees_only_its_own_board(nora, bob):
    with time_machine.travel(NOW, tick=False):
        ours = {s.pk for s in fill_board(nora.clinic, NOW)}
        theirs = {s.pk for s in fill_board(bob.clinic, NOW)}

    assert {r.session_id for r in read_board(nora, now=NOW)[0]} == ours
    assert {r.session_id for r in read_board(bob, now=NOW)[0]} == theirs


@pytest.mark.django_db
def test_an_info_alert_is_not_counted_open(nora):
    # Chair 11 ("Odd") holds an open warning and an open info alert (MON-SEDATION): the info
    # one asks for no acknowledgement, so the card counts one open alert (fast and reference).
    with time_machine.travel(NOW, tick=False):
        sessions = fill_board(nora.clinic, NOW)
    rows = {row.family_name: row for row in read_board(nora, now=NOW)[0]}
    odd = next(s for s in sessions if s.patient.family_name == "Odd")

    assert rows["Odd"].open_alerts == 1
    assert board_row(load_judging(odd.pk, nora.clinic_id), now=NOW).open_alerts == 1  # type: ignore[arg-type]


@pytest.mark.django_db
def test_an_unchanged_chair_keeps_its_judgement_until_the_core_says_it_changes(nora, monkeypatch):
    from ketacare.chair import board
    from ketacare.clinical.monitoring import evaluate, judgement_changes

    with time_machine.travel(NOW, tick=False):
        sessions = fill_board(nora.clinic, NOW)
    judged: list[dt.datetime] = []

    def counting(state, *, now, settings):
        judged.append(now)
        return evaluate(state, now=now, settings=settings)

    monkeypatch.setattr(board, "evaluate", counting)
    board._KEPT.clear()
    later = NOW + dt.timedelta(minutes=30, seconds=17)
    rows = read_board(nora, now=later)[0]
    dosed = sum(1 for row in rows if row.dose_at is not None)
    assert len(rows) == len(sessions) and len(judged) == dosed > 0

    # The same moment, and one second on: every judgement is kept (none changes that soon here).
    first = list(board._KEPT.items())
    assert all(changes is None or changes > later + dt.timedelta(seconds=1)
               for _state, (_at, changes, _result) in first)  # fmt: skip
    read_board(nora, now=later)
    read_board(nora, now=later + dt.timedelta(seconds=1))
    assert len(judged) == dosed

    # Past the first change the core names, that chair (and only a chair that changed) is judged
    # again; an earlier moment than the judgement's is judged again too.
    soonest = min(c for _s, (_a, c, _r) in first if c is not None)
    assert soonest == min(
        c for s, _v in first if (c := judgement_changes(s, now=later)) is not None
    )
    read_board(nora, now=soonest)
    assert dosed < len(judged) < 2 * dosed
    before = len(judged)
    read_board(nora, now=later - dt.timedelta(seconds=1))
    assert len(judged) == before + dosed


@pytest.mark.django_db
def test_a_board_asked_at_a_moment_before_its_records_judges_them_at_the_newest(nora):
    # A server whose clock runs behind the one that saved a reading: the reading is "in the
    # future" of its now, which the core refuses; the board judges at the newest record instead.
    with time_machine.travel(NOW, tick=False):
        sessions = fill_board(nora.clinic, NOW)
    rows, count = read_board(nora, now=NOW - dt.timedelta(minutes=2))

    assert count == len(sessions) == len(rows)
    assert any(row.next_reading_due is not None for row in rows)
    # A dose newer than the board's clock reads as just given, never "-1 min".
    newest_dose = max(row.dose_at for row in rows if row.dose_at is not None)
    rows, _count = read_board(nora, now=newest_dose - dt.timedelta(minutes=5))
    minutes = [row.minutes_since_dose for row in rows if row.dose_at is not None]
    assert min(minutes) == 0 and all(m >= 0 for m in minutes)
