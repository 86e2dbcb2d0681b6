"""`{% public_intake_form as intake %}`: the intake form of the clinic page, whoever renders it.

The clinic's page (public:clinic views) includes public/intake_form.html without knowing the
form; this tag gives the form the page was rendered with (`intake_form`, after an error) or a
new one carrying the self-check of the address (`?self_check=`), and the rows of that
self-check as the clinic would read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from ketacare.intake.display import self_check_rows
from ketacare.public.forms_intake import PublicIntakeForm

register = template.Library()


@dataclass(frozen=True)
class IntakeFormView:
    form: PublicIntakeForm
    self_check_rows: list[tuple[str, str]]


@register.simple_tag(takes_context=True)
def public_intake_form(context: template.Context) -> IntakeFormView:
    form = context.get("intake_form")
    if not isinstance(form, PublicIntakeForm):
        request: Any = context.get("request")
        token = request.GET.get("self_check", "") if request is not None else ""
        form = PublicIntakeForm(initial={"self_check": token})
    return IntakeFormView(form=form, self_check_rows=self_check_rows(form.attached_self_check()))
