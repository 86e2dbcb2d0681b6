"""The input document of `ketacare score` (contracts.md section 1), shared by CLI and API."""

from __future__ import annotations

from dataclasses import dataclass

from ketacare.clinical.inputs import Fields, read_list


@dataclass(frozen=True, slots=True)
class ScoreInput:
    """`{"answers": [...]}`: the item answers in published order, not yet checked."""

    answers: tuple[object, ...]


def parse_score_input(document: object) -> ScoreInput:
    """Read `{"answers": [...]}` strictly: `answers` is required and a list, no other key.

    The answers themselves are checked by `score`, which names each bad one (`answers.3`).
    """
    fields = Fields(document, "")
    answers = fields.take("answers", read_list)
    fields.finish()
    return ScoreInput(answers=tuple(answers))
