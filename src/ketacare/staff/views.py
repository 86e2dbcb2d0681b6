"""Staff pages: the clinic's staff list, inviting a colleague, one colleague's page (role, active,
authenticator reset, new invitation link) and the invitation link an invited colleague opens.

The admin pages are guarded by `membership_required(manage_memberships)`: anonymous visitors go
to the login page, other roles get the 403 page, both audited. A colleague's pages first find the
colleague in the acting clinic: another clinic's id is a 404 whatever the role (as in the API).
Views only parse, call the service and render; a refused change shows on the form that asked
for it.

The invitation link (`/staff/invitations/<token>/`) moves its token into the session and
redirects to a page whose address holds no token (as Django's password reset does), so the
token does not travel on in Referer headers or browser history. Unknown, used, revoked and
expired links all get the same page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ketacare.audit.models import Action
from ketacare.audit.services import record_event, record_list_read
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import ACTIVE_CLINIC_SESSION_KEY, InPath, membership_required
from ketacare.staff.errors import InvitationInvalid, StaffConflict
from ketacare.staff.forms import (
    ActiveForm,
    ChoosePasswordForm,
    InviteForm,
    ResetAuthenticatorForm,
    RoleForm,
    StaffForm,
)
from ketacare.staff.models import INVITATION_VALID_HOURS, AuthenticatorReset
from ketacare.staff.queries import (
    MEMBERSHIP,
    STAFF_LIST_OBJECT_TYPE,
    get_member_for,
    pending_invitation_of,
    staff_for,
    usable_invitation,
)
from ketacare.staff.services import (
    accept_invitation,
    change_membership,
    invite_staff,
    resend_invitation,
    reset_authenticator,
)

INVITATION_SESSION_KEY = "staff_invitation_token"
SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"
RESETS_SHOWN = 5

_manage = Permission.MANAGE_MEMBERSHIPS
# The colleague a page's URL names: another clinic's is a 404 before the role is asked.
_member_in_path = InPath(Membership, "membership_id", object_type=MEMBERSHIP)


def _site_url(request: HttpRequest) -> str:
    """Where the links in e-mails point: this site, as the admin reached it."""
    return request.build_absolute_uri("/")


def _status(error: ValidationError | StaffConflict) -> int:
    return 409 if isinstance(error, StaffConflict) else 400


# --- staff list and invitation ----------------------------------------------------------------


@require_GET
@membership_required(_manage, object_type=STAFF_LIST_OBJECT_TYPE)
def staff_list(request: HttpRequest, *, membership: Membership) -> HttpResponse:
    rows = list(staff_for(membership))
    record_list_read(
        membership=membership,
        object_type=STAFF_LIST_OBJECT_TYPE,
        ids=[row.pk for row in rows],
        detail=f"shown={len(rows)}",
    )
    return render(request, "staff/list.html", {"membership": membership, "rows": rows})


@require_http_methods(["GET", "POST"])
@membership_required(_manage, object_type=MEMBERSHIP, action=Action.CREATE)
def invite(request: HttpRequest, *, membership: Membership) -> HttpResponse:
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                invited = invite_staff(
                    by=membership, site_url=_site_url(request), **form.cleaned_data
                )
            except (ValidationError, StaffConflict) as error:
                form.add_service_error(error)
                status = _status(error)
            else:
                user = invited.membership.user
                if invited.invitation is not None:
                    text = f"Invitation sent to {user.email}. The link works for "
                    text += f"{INVITATION_VALID_HOURS} hours."
                else:
                    text = f"{user.get_full_name() or user.get_username()} already has a KetaCare "
                    text += "account: they now also work for this clinic and were told by e-mail."
                messages.success(request, text)
                return redirect("staff:member", membership_id=invited.membership.pk)
    context = {"membership": membership, "form": form, "hours": INVITATION_VALID_HOURS}
    return render(request, "staff/invite.html", context, status=status)


# --- one colleague ----------------------------------------------------------------------------


def _render_member(
    request: HttpRequest,
    by: Membership,
    target: Membership,
    *,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "membership": by,
        "member": target,
        "is_self": target.pk == by.pk,
        "invitation": pending_invitation_of(target),
        "resets": list(
            AuthenticatorReset.objects.filter(membership_id=target.pk, clinic_id=by.clinic_id)
            .select_related("reset_by")
            .order_by("-created_at", "-pk")[:RESETS_SHOWN]
        ),
        "role_form": RoleForm(initial={"role": target.role}),
        "reset_form": ResetAuthenticatorForm(),
        "active_error": "",
        **(extra or {}),
    }
    return render(request, "staff/member.html", context, status=status)


@require_GET
@membership_required(_manage, object_type=MEMBERSHIP, in_path=_member_in_path)
def member(request: HttpRequest, membership_id: int, *, membership: Membership) -> HttpResponse:
    target = get_member_for(membership, membership_id)
    record_event(
        action=Action.READ, membership=membership, object_type=MEMBERSHIP, object_id=target.pk
    )
    return _render_member(request, membership, target)


def _refused(
    request: HttpRequest,
    by: Membership,
    membership_id: int,
    *,
    name: str,
    form: StaffForm,
    error: ValidationError | StaffConflict | None = None,
) -> HttpResponse:
    """The colleague's page again, the refusal shown on the form that asked for the change."""
    if error is not None:
        form.add_service_error(error)
    target = get_member_for(by, membership_id, action=Action.UPDATE)
    status = _status(error) if error is not None else 400
    return _render_member(request, by, target, extra={name: form}, status=status)


@require_POST
@membership_required(_manage, object_type=MEMBERSHIP, action=Action.UPDATE, in_path=_member_in_path)
def change_role(
    request: HttpRequest, membership_id: int, *, membership: Membership
) -> HttpResponse:
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _refused(request, membership, membership_id, name="role_form", form=form)
    try:
        change_membership(
            by=membership, membership_id=membership_id, role=form.cleaned_data["role"]
        )
    except (ValidationError, StaffConflict) as error:
        return _refused(
            request, membership, membership_id, name="role_form", form=form, error=error
        )
    messages.success(request, "The role is changed.")
    return redirect("staff:member", membership_id=membership_id)


@require_POST
@membership_required(_manage, object_type=MEMBERSHIP, action=Action.UPDATE, in_path=_member_in_path)
def set_active(request: HttpRequest, membership_id: int, *, membership: Membership) -> HttpResponse:
    form = ActiveForm(request.POST)
    if not form.is_valid() or form.cleaned_data["is_active"] is None:
        target = get_member_for(membership, membership_id, action=Action.UPDATE)
        context = {"active_error": "Choose whether the membership is active."}
        return _render_member(request, membership, target, extra=context, status=400)
    active = form.cleaned_data["is_active"]
    try:
        change_membership(by=membership, membership_id=membership_id, is_active=active)
    except (ValidationError, StaffConflict) as error:
        target = get_member_for(membership, membership_id, action=Action.UPDATE)
        message = error.message if isinstance(error, StaffConflict) else " ".join(error.messages)
        context = {"active_error": message}
        return _render_member(request, membership, target, extra=context, status=_status(error))
    messages.success(
        request,
        "The membership is active again." if active else "The membership is deactivated.",
    )
    return redirect("staff:member", membership_id=membership_id)


@require_POST
@membership_required(_manage, object_type=MEMBERSHIP, action=Action.UPDATE, in_path=_member_in_path)
def reset(request: HttpRequest, membership_id: int, *, membership: Membership) -> HttpResponse:
    form = ResetAuthenticatorForm(request.POST)
    if not form.is_valid():
        return _refused(request, membership, membership_id, name="reset_form", form=form)
    try:
        reset_authenticator(
            by=membership,
            membership_id=membership_id,
            reason=form.cleaned_data["reason"],
            site_url=_site_url(request),
        )
    except (ValidationError, StaffConflict) as error:
        return _refused(
            request, membership, membership_id, name="reset_form", form=form, error=error
        )
    messages.success(
        request, "The authenticator app is removed: a new one is set up at the next sign-in."
    )
    return redirect("staff:member", membership_id=membership_id)


@require_POST
@membership_required(
    _manage, object_type="invitation", action=Action.CREATE, in_path=_member_in_path
)
def reinvite(request: HttpRequest, membership_id: int, *, membership: Membership) -> HttpResponse:
    try:
        resend_invitation(by=membership, membership_id=membership_id, site_url=_site_url(request))
    except StaffConflict as error:
        target = get_member_for(membership, membership_id, action=Action.CREATE)
        context = {"invite_error": error.message}
        return _render_member(request, membership, target, extra=context, status=409)
    messages.success(request, "A new invitation link is sent; older links no longer work.")
    return redirect("staff:member", membership_id=membership_id)


# --- the invited colleague --------------------------------------------------------------------


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/invitation_invalid.html", status=404)


def _signed_in_already(request: HttpRequest) -> HttpResponse:
    # Accepting signs the colleague in: never on top of someone else's session.
    return render(request, "staff/invitation_signed_in.html", {"back": request.path}, status=409)


@never_cache
@require_GET
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    if request.user.is_authenticated:
        return _signed_in_already(request)
    if usable_invitation(token) is None:
        return _invalid_link(request)
    request.session[INVITATION_SESSION_KEY] = token
    return redirect("staff:accept")


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return _signed_in_already(request)
    token = request.session.get(INVITATION_SESSION_KEY)
    pending = usable_invitation(token if isinstance(token, str) else None)
    if pending is None:
        return _invalid_link(request)
    user = pending.membership.user
    form = ChoosePasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            joined = accept_invitation(token=token, password=form.cleaned_data["new_password1"])
        except InvitationInvalid:
            return _invalid_link(request)
        except ValidationError as error:
            form.add_error("new_password1", error.message_dict.get("password", error.messages))
        else:
            request.session.pop(INVITATION_SESSION_KEY, None)
            # Before the sign-in, so its audit event is filed under the inviting clinic.
            request.session[ACTIVE_CLINIC_SESSION_KEY] = joined.clinic_id
            auth_login(request, joined.user, backend=SIGN_IN_BACKEND)
            messages.success(request, "Your password is set. Now set up two-factor sign-in.")
            query = urlencode({"next": reverse("web:home")})
            return HttpResponseRedirect(f"{reverse('accounts:mfa_enrol')}?{query}")
    context = {"invitation": pending, "form": form, "username": user.get_username()}
    return render(
        request, "staff/accept.html", context, status=400 if request.method == "POST" else 200
    )
