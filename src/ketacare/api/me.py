"""`GET /api/v1/me`: who the caller is and which clinics they act for."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from ketacare.api.schemas import Error, MembershipOut, MeOut
from ketacare.clinics.tenancy import memberships_of

router = Router(tags=["me"])


@router.get(
    "/me", response={200: MeOut, 401: Error}, summary="The authenticated user and their clinics"
)
def me(request: HttpRequest) -> MeOut:
    user = request.auth  # type: ignore[attr-defined]
    return MeOut(
        username=user.get_username(),
        memberships=[
            MembershipOut(clinic_id=m.clinic_id, clinic_name=m.clinic.name, role=m.role)
            for m in memberships_of(user)
        ],
    )
