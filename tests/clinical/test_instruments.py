"""Instrument definitions, severity bands and flags (clinical-reference.md 5.1-5.9)."""

from __future__ import annotations

import itertools

import pytest

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.inputs import read_choice, read_list
from ketacare.clinical.instruments import (
    INSTRUMENTS,
    AnswerKind,
    InstrumentDefinition,
    get_instrument,
    parse_score_input,
    score,
)
from ketacare.clinical.rules import REGISTRY, ClinicalSettings

CONTRACT_IDS = {"phq9", "phq2", "gad7", "madrs", "qids_sr16", "cssrs_screener", "cadss", "moaas"}

# Band labels as contracts.md writes them, lowest first; the numbers come from the registry.
BAND_LABELS = {
    "phq9": ("minimal", "mild", "moderate", "moderately_severe", "severe"),
    "gad7": ("minimal", "mild", "moderate", "severe"),
    "madrs": ("normal", "mild", "moderate", "severe"),
    "qids_sr16": ("none", "mild", "moderate", "severe", "very_severe"),
}
TOTAL_LOINC = {"phq9": "44261-6", "phq2": "55758-7", "gad7": "70274-6"}

BAND_BOUNDARIES = [
    pytest.param(instrument, lower, upper, id=f"{instrument}-{upper}")
    for instrument, labels in BAND_LABELS.items()
    for lower, upper in itertools.pairwise(labels)
]
# (instrument, item number, rule, threshold, shift from the threshold to the first flagged answer)
ITEM_FLAGS = [
    ("phq9", 9, "SCALE-PHQ9", "suicidal_ideation_item9_above_points", 1),
    ("madrs", 10, "SCALE-MADRS", "suicidal_ideation_item10_minimum_points", 0),
    ("qids_sr16", 12, "SCALE-QIDS", "suicidal_ideation_item12_above_points", 1),
]


def threshold(rule_id: str, name: str) -> int:
    value = REGISTRY[rule_id].threshold(name).default
    assert isinstance(value, int)
    return value


def flagged_items(definition: InstrumentDefinition) -> set[int]:
    return {flag.item for flag in definition.flags if flag.item is not None}


def answers_for_total(definition: InstrumentDefinition, total: int) -> list[int]:
    """Answers whose published total is `total`, keeping flagged items at their minimum as
    long as the other domains can carry the total (so band tests do not raise flags)."""
    low, high = definition.item_minimum, definition.item_maximum
    assert low is not None and high is not None
    answers = [low] * definition.item_count
    remaining = total - low * len(definition.domains)
    flagged = flagged_items(definition)
    # Unflagged domains first, flagged ones only when the total needs them.
    ordered = sorted(definition.domains, key=lambda domain: bool(flagged & set(domain)))
    for domain in ordered:
        item = next((n for n in domain if n not in flagged), domain[0])
        step = min(remaining, high - low)
        answers[item - 1] += step
        remaining -= step
    assert remaining == 0, (definition.id, total)
    return answers


def reference_total(definition: InstrumentDefinition, answers: list[int]) -> int:
    """The total as clinical-reference.md 5.5 writes it: the highest answer of each domain."""
    return sum(max(answers[n - 1] for n in domain) for domain in definition.domains)


def test_every_contract_instrument_is_defined() -> None:
    assert set(INSTRUMENTS) == CONTRACT_IDS
    assert all(INSTRUMENTS[key].id == key for key in INSTRUMENTS)


@pytest.mark.parametrize("instrument", sorted(CONTRACT_IDS))
def test_definition_agrees_with_its_rule(instrument: str) -> None:
    definition = INSTRUMENTS[instrument]
    rule = REGISTRY[definition.rule_id]
    assert rule.section.startswith("5.")
    assert all(not t.configurable for t in rule.thresholds)
    assert [item.number for item in definition.items] == list(range(1, definition.item_count + 1))
    assert all(item.text and item.options for item in definition.items)
    for flag in definition.flags:
        assert flag.rule_id in REGISTRY
    if definition.answer_kind is AnswerKind.INTEGER:
        assert definition.item_count == threshold(definition.rule_id, "item_count")
        low = threshold(definition.rule_id, "item_minimum_points")
        high = threshold(definition.rule_id, "item_maximum_points")
        for item in definition.items:
            assert [o.value for o in item.options] == list(range(low, high + 1))
        assert definition.total_maximum == threshold(definition.rule_id, "total_maximum_points")


@pytest.mark.parametrize("instrument", sorted(BAND_LABELS))
def test_bands_cover_every_total_once_in_contract_order(instrument: str) -> None:
    definition = INSTRUMENTS[instrument]
    assert tuple(band.label for band in definition.bands) == BAND_LABELS[instrument]
    assert definition.bands[0].minimum == definition.total_minimum
    assert definition.bands[-1].maximum == definition.total_maximum
    for below, above in zip(definition.bands, definition.bands[1:], strict=False):
        assert above.minimum == below.maximum + 1


@pytest.mark.parametrize(("instrument", "lower", "upper"), BAND_BOUNDARIES)
def test_band_boundary_at_value_and_either_side(instrument: str, lower: str, upper: str) -> None:
    definition = INSTRUMENTS[instrument]
    cut = threshold(definition.rule_id, f"{upper}_minimum_points")
    for total, expected in ((cut - 1, lower), (cut, upper), (cut + 1, upper)):
        result = score(instrument, answers_for_total(definition, total))
        assert (result.total, result.severity) == (total, expected)
        assert result.flags == ()


@pytest.mark.parametrize("instrument", sorted(BAND_LABELS))
def test_lowest_and_highest_totals_take_the_outer_bands(instrument: str) -> None:
    definition = INSTRUMENTS[instrument]
    assert definition.total_minimum is not None and definition.total_maximum is not None
    lowest = score(instrument, answers_for_total(definition, definition.total_minimum))
    highest = score(instrument, answers_for_total(definition, definition.total_maximum))
    assert lowest.severity == BAND_LABELS[instrument][0]
    assert highest.severity == BAND_LABELS[instrument][-1]
    assert highest.total == highest.max == definition.total_maximum


@pytest.mark.parametrize(("instrument", "item", "rule_id", "name", "shift"), ITEM_FLAGS)
def test_suicidal_ideation_flag_at_its_item_boundary(
    instrument: str, item: int, rule_id: str, name: str, shift: int
) -> None:
    first_flagged = threshold(rule_id, name) + shift
    definition = INSTRUMENTS[instrument]
    for value, flagged in ((first_flagged - 1, False), (first_flagged, True)):
        answers = [0] * definition.item_count
        answers[item - 1] = value
        assert score(instrument, answers).flags == (("suicidal_ideation",) if flagged else ())
    answers = [0] * definition.item_count
    answers[item - 1] = first_flagged + 1
    assert score(instrument, answers).flags == ("suicidal_ideation",)


def test_phq2_positive_screen_at_its_cut_off() -> None:
    cut = threshold("SCALE-PHQ2", "positive_screen_minimum_points")
    definition = INSTRUMENTS["phq2"]
    positive = ("positive_screen",)
    for total, flags in ((cut - 1, ()), (cut, positive), (cut + 1, positive)):
        result = score("phq2", answers_for_total(definition, total))
        assert (result.total, result.severity, result.flags) == (total, None, flags)


def test_contract_example_scores_as_documented() -> None:
    result = score("phq9", [1, 2, 1, 2, 1, 2, 1, 2, 2])
    assert result.as_document() == {
        "instrument": "phq9",
        "total": 14,
        "max": 27,
        "severity": "moderate",
        "flags": ["suicidal_ideation"],
        "loinc": "44261-6",
    }


@pytest.mark.parametrize("instrument", sorted(CONTRACT_IDS))
def test_loinc_of_the_total_is_given_only_where_the_reference_has_one(instrument: str) -> None:
    assert get_instrument(instrument).loinc_total == TOTAL_LOINC.get(instrument)


def test_qids_total_takes_the_highest_answer_of_each_domain() -> None:
    # Sleep 3 (item 1) and 2 (item 4) count 3; appetite 1 and weight 2 count 2; psychomotor
    # 1 and 3 count 3; items 5 and 10-14 count as they are.
    answers = [3, 0, 1, 2, 1, 1, 0, 2, 0, 2, 1, 0, 1, 2, 1, 3]
    result = score("qids_sr16", answers)
    assert result.total == 3 + 1 + 2 + 2 + 1 + 0 + 1 + 2 + 3
    assert result.severity == "moderate"
    assert result.flags == ()


def test_moaas_total_is_the_single_rating_and_has_no_band() -> None:
    high = threshold("SCALE-MOAAS", "item_maximum_points")
    for rating in range(high + 1):
        assert score("moaas", [rating]).as_document() == {
            "instrument": "moaas",
            "total": rating,
            "max": high,
            "severity": None,
            "flags": [],
            "loinc": None,
        }
    anchors = [option.label for option in get_instrument("moaas").items[0].options]
    assert anchors[-1].startswith("Responds readily")


def test_cadss_sums_its_items() -> None:
    count = threshold("SCALE-CADSS", "item_count")
    high = threshold("SCALE-CADSS", "item_maximum_points")
    assert score("cadss", [high] * count).total == count * high == 92
    assert score("cadss", [0] * count).severity is None


def test_phq9_items_carry_their_loinc_question_and_answer_codes() -> None:
    phq9 = get_instrument("phq9")
    assert phq9.loinc_panel == "44249-1"
    assert phq9.items[8].loinc == "44260-8"
    codes = [option.loinc for option in phq9.items[0].options]
    assert codes == ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
    assert get_instrument("phq2").items == phq9.items[:2]
    assert get_instrument("gad7").items[0].loinc == "69725-0"


def test_unknown_instrument_is_an_input_error_on_instrument() -> None:
    for bad in ("phq10", "", "PHQ9", None):
        with pytest.raises(ClinicalInputError) as caught:
            score(bad, [0] * 9)  # type: ignore[arg-type]
        assert caught.value.field == "instrument"
    with pytest.raises(ClinicalInputError) as caught:
        get_instrument("hamd17")
    assert caught.value.field == "instrument"


@pytest.mark.parametrize("bad", ["phq10", None, ["phq9"], {"id": "phq9"}])
def test_unknown_instrument_gets_the_sentence_of_any_unknown_identifier(bad: object) -> None:
    with pytest.raises(ClinicalInputError) as expected:
        read_choice(bad, "instrument", INSTRUMENTS)
    for call in (lambda: score(bad, [0] * 9), lambda: get_instrument(bad)):  # type: ignore[arg-type]
        with pytest.raises(ClinicalInputError) as caught:
            call()
        assert (caught.value.field, caught.value.message) == ("instrument", expected.value.message)


@pytest.mark.parametrize("answers", ["0,1,2", None, {"1": 0}, 3])
def test_score_input_answers_that_are_not_a_list_get_the_list_readers_sentence(answers) -> None:
    with pytest.raises(ClinicalInputError) as caught:
        parse_score_input({"answers": answers})
    with pytest.raises(ClinicalInputError) as expected:
        read_list(answers, "answers")

    assert caught.value.field == "answers"
    assert caught.value.message == expected.value.message


@pytest.mark.parametrize(
    ("rule_id", "name"),
    [
        (rule.id, t.name)
        for rule in REGISTRY.values()
        if rule.id.startswith("SCALE-")
        for t in rule.thresholds
    ],
)
def test_published_scale_thresholds_cannot_be_overridden(rule_id: str, name: str) -> None:
    default = REGISTRY[rule_id].threshold(name).default
    unchanged = ClinicalSettings.with_overrides({rule_id: {name: default}})
    assert unchanged.value(rule_id, name) == default
    with pytest.raises(ClinicalInputError) as caught:
        ClinicalSettings.with_overrides({rule_id: {name: default + 1}})
    assert caught.value.field == f"settings.{rule_id}.{name}"
    assert rule_id in caught.value.message


POINTS_INSTRUMENTS = sorted(
    key for key, d in INSTRUMENTS.items() if d.answer_kind is AnswerKind.INTEGER
)


@pytest.mark.parametrize("instrument", POINTS_INSTRUMENTS)
@pytest.mark.parametrize("lookalike", [True, False, 1.0, 0.0])
def test_answers_equal_to_an_integer_but_not_one_are_refused_at_every_position(
    instrument: str, lookalike: object
) -> None:
    """True == 1 and 1.0 == 1: the checks must look at the type, wherever the answer sits."""
    definition = get_instrument(instrument)
    assert definition.item_minimum is not None
    for index in range(definition.item_count):
        answers: list[object] = [definition.item_minimum + 1] * definition.item_count
        answers[index] = lookalike
        for container in (list, tuple):
            with pytest.raises(ClinicalInputError) as caught:
                score(instrument, container(answers))
            assert caught.value.field == f"answers.{index}"
