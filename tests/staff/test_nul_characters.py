"""Text with a NUL character (which PostgreSQL cannot store) is refused naming the field, and
nothing is saved, on SQLite as on PostgreSQL (found by fuzzing the API)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketacare.accounts.services import create_api_token
from ketacare.audit.models import AuditEvent
from ketacare.clinics.models import Membership
from ketacare.staff.models import AuthenticatorReset, Invitation
from ketacare.staff.services import invite_staff, reset_authenticator
from tests.accounts.helpers import confirmed_device
from tests.staff.conftest import SITE

User = get_user_model()


@pytest.mark.parametrize("field", ["given_name", "family_name"])
def test_an_invitation_with_a_nul_in_a_name_is_refused_naming_the_field(adam, field):
    values = {"email": "nina@example.org", "given_name": "Nina", "family_name": "Newcomer"}
    values[field] = "Ni\x00na"

    with pytest.raises(ValidationError) as refused:
        invite_staff(by=adam, role="nurse", site_url=SITE, **values)

    assert list(refused.value.message_dict) == [field]
    assert not User.objects.filter(email="nina@example.org").exists()
    assert not Invitation.objects.exists()


def test_an_authenticator_reset_with_a_nul_in_the_reason_is_refused_and_nothing_is_removed(
    adam, nora
):
    confirmed_device(nora.user)

    with pytest.raises(ValidationError) as refused:
        reset_authenticator(by=adam, membership_id=nora.pk, reason="Lost\x00 phone", site_url=SITE)

    assert list(refused.value.message_dict) == ["reason"]
    assert TOTPDevice.objects.filter(user=nora.user).exists()
    assert not AuthenticatorReset.objects.exists()
    assert not AuditEvent.objects.filter(allowed=True).exists()


def test_the_api_answers_a_nul_in_an_invited_name_with_a_422_naming_it(client, adam):
    token = create_api_token(user=adam.user, name="t").value
    body = {
        "email": "nina@example.org",
        "given_name": "Nina\x00",
        "family_name": "Newcomer",
        "role": "nurse",
    }

    response = client.post(
        "/api/v1/staff/invitations",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "given_name"]
    assert not Membership.objects.filter(user__email="nina@example.org").exists()
