"""Forms of the plan pages: a new plan, a new order version, ending a plan, moving and cancelling
a session.

Forms only parse; every limit is checked by the services (the clinical core), whose
ValidationError names the field (`order.dose_mg_per_kg` is shown on `dose_mg_per_kg`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from ketacare.clinical.dosing import Route
from ketacare.clinical.protocols import get_protocol
from ketacare.treatment.orders import ALL_FIELDS, FIELDS
from ketacare.treatment.presentation import WEEKDAYS, IntervalChoice, dose_help, order_defaults
from ketacare.treatment.schedule import validate_year
from ketacare.treatment.services import DEFAULT_CLINIC_DAYS, REASON_MAX_CHARS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrderFields(forms.Form):
    """The order's fields for every route; only the chosen route's are sent to the service."""

    dose_mg_per_kg = forms.DecimalField(
        label="Dose (mg/kg)", required=False, max_digits=6, decimal_places=3
    )
    duration_min = forms.IntegerField(label="Infusion time (minutes)", required=False)
    concentration_mg_per_ml = forms.DecimalField(
        label="Concentration (mg/mL)", required=False, max_digits=6, decimal_places=3
    )
    dose_mg = forms.IntegerField(label="Dose (mg)", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, text in dose_help().items():
            self.fields[name].help_text = text
        for name in ("dose_mg_per_kg", "concentration_mg_per_ml"):
            self.fields[name].widget.attrs["step"] = "any"

    def order_for(self, route: Route) -> dict[str, object]:
        """The order document of `route` (contracts 2.2): its fields, empty ones left out."""
        return {
            name: self.cleaned_data.get(name)
            for name in FIELDS[route]
            if self.cleaned_data.get(name) is not None
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's errors on the fields they name (`order.x` on `x`)."""
        for field, messages in error.message_dict.items():
            name = field.removeprefix("order.").split(".")[0]
            if name not in self.fields:
                self.add_error(None, messages)
                continue
            # The clinical core names the field by its code name (right for the API's `loc`);
            # under the field on a page the person reads its label instead.
            label = str(self.fields[name].label)
            shown = [label + m[len(name) :] if m.startswith(f"{name} ") else m for m in messages]
            self.add_error(name, shown)


class PlanForm(OrderFields):
    protocol = forms.ChoiceField(label="Protocol", widget=forms.RadioSelect)
    start = forms.DateField(label="First session", widget=DATE_INPUT)
    clinic_days = forms.TypedMultipleChoiceField(
        label="Clinic days",
        coerce=int,
        choices=list(enumerate(WEEKDAYS)),
        widget=forms.CheckboxSelectMultiple,
        initial=list(DEFAULT_CLINIC_DAYS),
    )

    field_order = ("protocol", "start", "clinic_days", *ALL_FIELDS)

    def __init__(
        self,
        *args: Any,
        protocols: Sequence[tuple[str, str]],
        intervals: Sequence[IntervalChoice] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {}).update(order_defaults())
        super().__init__(*args, **kwargs)
        self.fields["protocol"].choices = list(protocols)
        # One interval field per protocol phase that offers a choice, shown under its protocol;
        # only the chosen protocol's are sent, and the clinical core checks them (a value the
        # protocol does not offer comes back as `every_days.<phase>`, shown on its field).
        self.intervals = tuple(intervals)
        for choice in self.intervals:
            self.fields[interval_field(choice.protocol, choice.phase)] = forms.IntegerField(
                label=f"{choice.phase.capitalize()} interval",
                required=False,
                initial=choice.default,
                widget=forms.Select(choices=choice.choices),
                help_text=f"Used when this protocol is chosen: the intervals its source allows "
                f"for the {choice.phase} phase.",
            )

    def order(self) -> dict[str, object]:
        return self.order_for(get_protocol(self.cleaned_data["protocol"]).route)

    def interval_fields(self, protocol_id: str) -> list[forms.BoundField]:
        """The interval fields of one protocol, to show under it."""
        return [
            self[interval_field(choice.protocol, choice.phase)]
            for choice in self.intervals
            if choice.protocol == protocol_id
        ]

    def every_days(self) -> dict[str, int]:
        """The chosen protocol's intervals as picked (`{phase: days}`), for the service."""
        protocol_id = self.cleaned_data["protocol"]
        picked = {
            choice.phase: self.cleaned_data.get(interval_field(protocol_id, choice.phase))
            for choice in self.intervals
            if choice.protocol == protocol_id
        }
        return {phase: days for phase, days in picked.items() if days is not None}

    def add_service_errors(self, error: ValidationError) -> None:
        """`every_days.<phase>` on the chosen protocol's field of that phase; the others as the
        order form shows them."""
        protocol_id = self.cleaned_data.get("protocol", "")
        others: dict[str, list[str]] = {}
        for field, messages in error.message_dict.items():
            phase = field.removeprefix("every_days.")
            name = interval_field(protocol_id, phase)
            if field.startswith("every_days.") and name in self.fields:
                # The core names the field by its code name; the page, by its label.
                label = str(self.fields[name].label)
                self.add_error(name, [m.replace(field, label, 1) for m in messages])
            else:
                others[field] = messages
        if others:
            super().add_service_errors(ValidationError(others))


def interval_field(protocol_id: str, phase: str) -> str:
    """The form field of one protocol phase's interval: `every_days__<protocol>__<phase>`."""
    return f"every_days__{protocol_id}__{phase}"


class OrderForm(OrderFields):
    reason = forms.CharField(label="Reason for the change", max_length=REASON_MAX_CHARS)
    version = forms.IntegerField(widget=forms.HiddenInput)


class EndPlanForm(forms.Form):
    reason = forms.CharField(
        label="Reason for ending the plan",
        max_length=REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the plan and with each scheduled session it cancels.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Shown beside the order form, which has a `reason` too: ids of its own.
        kwargs.setdefault("auto_id", "id_end_%s")
        super().__init__(*args, **kwargs)


class MoveForm(forms.Form):
    date = forms.DateField(label="New date", widget=DATE_INPUT)
    time = forms.TimeField(
        label="Time", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    reason = forms.CharField(label="Reason", max_length=REASON_MAX_CHARS)
    version = forms.IntegerField(widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class CancelForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=REASON_MAX_CHARS)
    version = forms.IntegerField(widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class DayForm(forms.Form):
    date = forms.DateField(
        label="Day", required=False, widget=DATE_INPUT, validators=[validate_year]
    )


class WeekForm(forms.Form):
    week = forms.DateField(
        label="Week of", required=False, widget=DATE_INPUT, validators=[validate_year]
    )
