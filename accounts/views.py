"""Onboarding, organisation switching, members, invitations and settings.

Views are thin: selector (404 when not visible) → form → one service → redirect
with a message. Domain errors become a message next to the form.
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter as get_account_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import errors, selectors, services
from accounts.access import require_permission
from accounts.forms import (
    InvitationForm,
    JoinDecisionForm,
    MessageForm,
    OrganisationDetailsForm,
    OrganisationSettingsForm,
    OrgNumberForm,
    PlanForm,
    RoleForm,
    SwitchOrganisationForm,
)
from accounts.middleware import SESSION_KEY
from accounts.models import Membership, Permission
from accounts.numbers import InvalidNumber, parse_org_number
from accounts.registry import RegisterUnavailable, company_register
from portal.http import client_ip as client_ip  # re-exported: signing.views imports it from here


def posted(request: HttpRequest) -> QueryDict | None:
    """Return the POST data for a bound form, even when it is empty (an empty form is a submit)."""
    return request.POST if request.method == "POST" else None


def _org_number_or_404(raw: str) -> str:
    try:
        return parse_org_number(raw)
    except InvalidNumber:
        raise Http404 from None


def _claim_redirect(org_number: str) -> HttpResponse | None:
    """Send the user to the join or taken page when someone already holds the number."""
    claim = selectors.org_number_claim(org_number=org_number)
    if claim.registration is not None:
        return redirect("accounts:taken", org_number=org_number)
    if claim.organisation is not None:
        return redirect("accounts:join", org_number=org_number)
    return None


# --- Onboarding ---------------------------------------------------------------------------


@login_required
def onboarding(request: HttpRequest) -> HttpResponse:
    """Ask for the organisation number and route to details, join or taken."""
    form = OrgNumberForm(posted(request))
    if request.method == "POST" and form.is_valid():
        org_number = form.cleaned_data["org_number"]
        return _claim_redirect(org_number) or redirect(
            "accounts:onboarding_details", org_number=org_number
        )
    waiting = selectors.join_request_list_waiting_for(user=request.user)
    return render(request, "accounts/onboarding.html", {"form": form, "waiting": waiting})


@login_required
def onboarding_details(request: HttpRequest, org_number: str) -> HttpResponse:
    """Show what the register found (or an empty form) and create the organisation."""
    org_number = _org_number_or_404(org_number)
    if claimed := _claim_redirect(org_number):
        return claimed
    try:
        record = company_register().lookup(org_number)
        register_down = False
    except RegisterUnavailable:
        record, register_down = None, True
    form = OrganisationDetailsForm(posted(request), org_number=org_number, record=record)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(
                user=request.user,
                details=form.details(),
                record=record,
                ip_address=client_ip(request),
            )
        except (errors.OrganisationExists, errors.OrganisationNumberTaken):
            return _claim_redirect(org_number) or redirect("accounts:onboarding")
        request.session[SESSION_KEY] = organisation.pk
        messages.success(request, _("%(name)s is registered.") % {"name": organisation.legal_name})
        # Next comes the one-time signature: "Sign now" or "Later".
        return redirect("signing:interstitial")
    context = {
        "form": form,
        "org_number": org_number,
        "record": record,
        "register_down": register_down,
    }
    return render(request, "accounts/onboarding_details.html", context)


@login_required
def join(request: HttpRequest, org_number: str) -> HttpResponse:
    """Offer to ask the owners of an existing organisation for access."""
    org_number = _org_number_or_404(org_number)
    organisation = selectors.org_number_claim(org_number=org_number).organisation
    if organisation is None:
        return redirect("accounts:onboarding_details", org_number=org_number)
    form = MessageForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.join_request_create(
                user=request.user, organisation=organisation, message=form.cleaned_data["message"]
            )
            messages.success(request, _("Your request has been sent to the organisation's owners."))
            return redirect("accounts:onboarding")
        except (errors.AlreadyMember, errors.JoinRequestPending) as error:
            messages.info(request, str(error))
    # Only the name and number are shown: the user is not a member yet.
    context = {
        "form": form,
        "org_number": org_number,
        "legal_name": organisation.legal_name,
        "can_take_over": selectors.organisation_can_be_taken_over(organisation=organisation),
    }
    return render(request, "accounts/join.html", context)


@login_required
def taken(request: HttpRequest, org_number: str) -> HttpResponse:
    """Explain that a partner's solution holds the number, and offer a transfer request."""
    org_number = _org_number_or_404(org_number)
    registration = selectors.org_number_claim(org_number=org_number).registration
    if registration is None:
        return redirect("accounts:onboarding_details", org_number=org_number)
    form = MessageForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_request_create(
                user=request.user,
                org_number=org_number,
                reason=form.cleaned_data["message"],
                ip_address=client_ip(request),
            )
            messages.success(
                request, _("Your transfer request has been recorded. We will contact you.")
            )
        except errors.TransferAlreadyRequested as error:
            messages.info(request, str(error))
        return redirect("accounts:taken", org_number=org_number)
    context = {
        "form": form,
        "org_number": org_number,
        "registration": registration,
        "partner": registration.partner,
        "transfer_requested": selectors.transfer_requested(org_number=org_number),
    }
    return render(request, "accounts/taken.html", context)


# --- Switching organisation -------------------------------------------------------------


@login_required
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    """Make another of the user's organisations the current one."""
    form = SwitchOrganisationForm(request.POST)
    if not form.is_valid():
        raise Http404
    membership = (
        selectors.membership_list_for_user(user=request.user)
        .filter(organisation__public_id=form.cleaned_data["organisation"])
        .first()
    )
    if membership is None:
        raise Http404
    request.session[SESSION_KEY] = membership.organisation_id
    return redirect("dashboard")


# --- Members, invitations, join requests --------------------------------------------------


@login_required
def members(request: HttpRequest) -> HttpResponse:
    """List members, open invitations and join requests; owners and admins act on them."""
    membership = require_permission(request, Permission.VIEW)
    organisation = membership.organisation
    can_manage = membership.can(Permission.MANAGE_MEMBERS)
    context = {
        "memberships": selectors.membership_list(organisation=organisation),
        "invitations": selectors.invitation_list_open(organisation=organisation)
        if can_manage
        else [],
        "join_requests": selectors.join_request_list_pending(organisation=organisation)
        if can_manage
        else [],
        "can_manage": can_manage,
        "invite_form": InvitationForm(),
        "role_choices": Membership.Role.choices,
        "seat_limit": organisation.seat_limit,
    }
    return render(request, "accounts/members.html", context)


def _report(request: HttpRequest, error: errors.AccountsError) -> None:
    messages.error(request, str(error))


@login_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    """Send an invitation by e-mail."""
    membership = require_permission(request, Permission.MANAGE_MEMBERS)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        for field_errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in field_errors))
        return redirect("accounts:members")
    try:
        invitation, _token = services.invitation_create(
            actor=membership,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
        messages.success(
            request, _("An invitation has been sent to %(email)s.") % {"email": invitation.email}
        )
    except errors.SeatLimitReached as error:
        _report(request, error)
        return redirect("accounts:settings")
    except errors.AccountsError as error:
        _report(request, error)
    return redirect("accounts:members")


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw an invitation."""
    membership = require_permission(request, Permission.MANAGE_MEMBERS)
    invitation = selectors.invitation_get(organisation=membership.organisation, pk=pk)
    services.invitation_revoke(actor=membership, invitation=invitation)
    messages.success(request, _("The invitation has been withdrawn."))
    return redirect("accounts:members")


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Show an invitation; the invited user accepts it, after signing up or logging in."""
    try:
        invitation = services.invitation_for_token(token)
    except errors.InvitationInvalid as error:
        return render(request, "accounts/invitation_invalid.html", {"error": error}, status=404)
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        # The token came by mail to the invited address: signing up with it needs no second
        # confirmation (AccountAdapter trusts that address only, never another one typed in).
        get_account_adapter(request).stash_verified_email(request, invitation.email)
        return render(request, "accounts/invitation_accept.html", {"invitation": invitation})
    if request.method == "POST":
        try:
            membership = services.invitation_accept(user=request.user, token=token)
        except errors.AccountsError as error:
            _report(request, error)
            return redirect("accounts:invitation_accept", token=token)
        request.session[SESSION_KEY] = membership.organisation_id
        messages.success(
            request, _("Welcome to %(name)s.") % {"name": membership.organisation.legal_name}
        )
        return redirect("dashboard")
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation})


@login_required
@require_POST
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a member's role."""
    membership = require_permission(request, Permission.MANAGE_MEMBERS)
    target = selectors.membership_get(organisation=membership.organisation, pk=pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(
                actor=membership, membership=target, role=form.cleaned_data["role"]
            )
            messages.success(request, _("The role has been changed."))
        except errors.AccountsError as error:
            _report(request, error)
    return redirect("accounts:members")


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a member."""
    membership = require_permission(request, Permission.MANAGE_MEMBERS)
    target = selectors.membership_get(organisation=membership.organisation, pk=pk)
    try:
        services.membership_remove(actor=membership, membership=target)
        messages.success(request, _("The user has been removed."))
    except errors.AccountsError as error:
        _report(request, error)
    return redirect("accounts:members")


@login_required
@require_POST
def join_request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or decline a join request."""
    membership = require_permission(request, Permission.MANAGE_MEMBERS)
    join_request = selectors.join_request_get(organisation=membership.organisation, pk=pk)
    form = JoinDecisionForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        services.join_request_decide(
            actor=membership,
            join_request=join_request,
            approve=form.cleaned_data["decision"] == "approve",
            role=form.cleaned_data["role"] or Membership.Role.MEMBER,
        )
        messages.success(request, _("The request has been answered."))
    except errors.AccountsError as error:
        _report(request, error)
    return redirect("accounts:members")


# --- Organisation settings and plan ---------------------------------------------------------


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    """Edit contact and payment details; show the plan."""
    membership = require_permission(request, Permission.VIEW)
    organisation = membership.organisation
    can_edit = membership.can(Permission.MANAGE_ORGANISATION)
    initial = {
        name: getattr(organisation, name)
        for name in OrganisationSettingsForm.base_fields
        if name != "logo"
    }
    form = OrganisationSettingsForm(posted(request), request.FILES or None, initial=initial)
    if request.method == "POST":
        require_permission(request, Permission.MANAGE_ORGANISATION)
        if form.is_valid():
            changes = dict(form.cleaned_data)
            if changes["logo"] is None:
                del changes["logo"]  # no new file: keep the current logo
            try:
                change = services.organisation_update(
                    actor=request.user,
                    organisation=organisation,
                    changes=changes,
                    ip_address=client_ip(request),
                )
            except errors.AccountsError as error:
                messages.error(request, str(error))
                return redirect("accounts:settings")
            if change is not None:
                # The new account waits for a BankID confirmation: take the user straight there.
                messages.success(request, _("The other details have been saved."))
                return redirect("signing:payment_change", public_id=change.public_id)
            messages.success(request, _("The details have been saved."))
            return redirect("accounts:settings")
    context = {
        "form": form,
        "organisation": organisation,
        "can_edit": can_edit,
        "payment_change": selectors.payment_change_open(organisation=organisation),
        "can_change_plan": membership.can(Permission.MANAGE_PLAN),
        "plan_form": PlanForm(initial={"plan": organisation.plan}),
    }
    return render(request, "accounts/settings.html", context)


@login_required
@require_POST
def plan(request: HttpRequest) -> HttpResponse:
    """Switch between Web Bas and Web Plus."""
    membership = require_permission(request, Permission.MANAGE_PLAN)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            services.organisation_change_plan(
                actor=request.user,
                organisation=membership.organisation,
                plan=form.cleaned_data["plan"],
            )
            messages.success(request, _("The plan has been changed."))
        except errors.AccountsError as error:
            _report(request, error)
    return redirect("accounts:settings")


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    """Show the organisation's audit trail to owners and administrators."""
    membership = require_permission(request, Permission.MANAGE_MEMBERS)
    events = selectors.audit_event_list(organisation=membership.organisation)[:200]
    return render(request, "accounts/audit.html", {"events": events})
