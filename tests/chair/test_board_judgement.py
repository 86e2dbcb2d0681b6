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
