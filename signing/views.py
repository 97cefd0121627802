"""Verify company: confirm details → BankID sign order page (QR, status) → back to the action."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import errors as accounts_errors
from accounts import selectors as accounts_selectors
from accounts import services as accounts_services
from accounts.access import current_membership, require_permission
from accounts.middleware import SESSION_KEY
from accounts.models import Organisation, Permission
from accounts.registry import CompanyRecord, RegisterUnavailable, company_register
from accounts.views import client_ip, posted
from invoices.selectors import pending_send_list
from signing import errors, selectors, services
from signing.forms import ConfirmDetailsForm, ConfirmPaymentChangeForm, TakeoverForm
from signing.gate import verify_url
from signing.models import Purpose, SigningOrder
from signing.qr import qr_svg
from signing.rfa import rfa_text

OrgStatus = Organisation.VerificationStatus


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """Return a same-site path to come back to, or the dashboard."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("dashboard")


def _redirect_if_not_signable(
    request: HttpRequest, organisation: Organisation
) -> HttpResponse | None:
    status = organisation.verification_status
    if status == OrgStatus.VERIFIED:
        messages.info(request, str(errors.AlreadyVerified.message))
        return redirect(safe_next(request, request.GET.get("next")))
    if status not in (OrgStatus.UNVERIFIED, OrgStatus.DETAILS_CONFIRMED):
        return redirect("signing:blocked")
    return None


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Show the details to confirm, and start the BankID sign order."""
    membership = require_permission(request, Permission.SIGN_VERIFICATION)
    organisation = membership.organisation
    if response := _redirect_if_not_signable(request, organisation):
        return response
    form = ConfirmDetailsForm(posted(request), initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        if claimed := accounts_selectors.org_number_claim(
            org_number=organisation.org_number
        ).registration:
            return redirect("accounts:taken", org_number=claimed.org_number)
        if not (organisation.street_address and organisation.city):
            messages.error(request, str(errors.DetailsIncomplete.message))
            return redirect("accounts:settings")
        response = _start_or_message(
            request,
            lambda: services.signing_order_start(
                user=request.user,
                organisation=organisation,
                end_user_ip=client_ip(request) or "127.0.0.1",
                next_url=safe_next(request, form.cleaned_data["next"]),
            ),
        )
        if response is not None:
            return response
    context = {
        "organisation": organisation,
        "form": form,
        "record": _register_record(organisation.org_number),
        "details": services.signed_details(organisation),
        "held_sends": pending_send_list(organisation=organisation, user=request.user),
    }
    return render(request, "signing/verify.html", context)


def _register_record(org_number: str) -> CompanyRecord | None:
    try:
        return company_register().lookup(org_number)
    except RegisterUnavailable:
        return None


def _start_or_message(
    request: HttpRequest, start: Callable[[], SigningOrder]
) -> HttpResponse | None:
    """Start an order and go to its page; on a domain error leave a message and return None."""
    try:
        order = start()
    except errors.BankIDUnavailable as error:
        messages.error(request, rfa_text(error.rfa, get_language()))
        return None
    except (errors.SigningError, accounts_errors.AccountsError) as error:
        messages.error(request, str(error))
        return None
    return redirect("signing:order", public_id=order.public_id)


@login_required
def takeover(request: HttpRequest, org_number: str) -> HttpResponse:
    """Let the company's signatory take over a number that an unverified organisation holds."""
    organisation = accounts_selectors.org_number_claim(org_number=org_number).organisation
    if organisation is None:
        return redirect("accounts:onboarding")
    if not accounts_selectors.organisation_can_be_taken_over(organisation=organisation):
        return redirect("accounts:join", org_number=organisation.org_number)
    record = _register_record(organisation.org_number)
    form = TakeoverForm(posted(request), org_number=organisation.org_number, record=record)
    if request.method == "POST" and record is not None and form.is_valid():
        response = _start_or_message(
            request,
            lambda: services.signing_order_start_takeover(
                user=request.user,
                organisation=organisation,
                details=form.signed_details(),
                end_user_ip=client_ip(request) or "127.0.0.1",
            ),
        )
        if response is not None:
            return response
    context = {"org_number": organisation.org_number, "record": record, "form": form}
    return render(request, "signing/takeover.html", context)


@login_required
def payment_change(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Show the old and the new payment account, and confirm the change with BankID."""
    membership = require_permission(request, Permission.MANAGE_ORGANISATION)
    change = accounts_selectors.payment_change_get(
        organisation=membership.organisation, public_id=public_id
    )
    form = ConfirmPaymentChangeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        response = _start_or_message(
            request,
            lambda: services.signing_order_start_payment_change(
                user=request.user, change=change, end_user_ip=client_ip(request) or "127.0.0.1"
            ),
        )
        if response is not None:
            return response
    context = {"change": change, "organisation": membership.organisation, "form": form}
    return render(request, "signing/payment_change.html", context)


@login_required
@require_POST
def payment_change_withdraw(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Withdraw a change of payment account that has not taken effect."""
    membership = require_permission(request, Permission.MANAGE_ORGANISATION)
    change = accounts_selectors.payment_change_get(
        organisation=membership.organisation, public_id=public_id
    )
    accounts_services.payment_change_withdraw(actor=request.user, change=change)
    messages.success(request, _("The change was withdrawn; invoices keep the signed account."))
    return redirect("accounts:settings")


def _order_for(request: HttpRequest, public_id: UUID) -> SigningOrder:
    return selectors.signing_order_get(user=request.user, public_id=public_id)


def _order_message(order: SigningOrder) -> str:
    if order.failure_reason in errors.FAILURE_MESSAGES:
        return str(errors.FAILURE_MESSAGES[order.failure_reason])
    return rfa_text(order.rfa, get_language()) if order.rfa else ""


def autostart_url(order: SigningOrder) -> str:
    """Return the same-device link: the simulator's app page in the demo, else BankID's."""
    query = urlencode({"autostarttoken": order.auto_start_token})
    if settings.BANKID_SIMULATOR_APP_URL:
        return f"{settings.BANKID_SIMULATOR_APP_URL}?{query}"
    return f"bankid:///?{query}&redirect=null"


@login_required
@never_cache
def order(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Show the animated QR code, the autostart link and the live status."""
    signing_order = _order_for(request, public_id)
    context = {
        "order": signing_order,
        "autostart_url": autostart_url(signing_order),
        "simulator_url": settings.BANKID_SIMULATOR_APP_URL,
        "message": _order_message(signing_order),
        "retry_url": _retry_url(signing_order),
    }
    return render(request, "signing/order.html", context)


@login_required
@never_cache
def order_status(request: HttpRequest, public_id: UUID) -> JsonResponse:
    """Collect the order (at most once a second) and report it for the page's poller."""
    signing_order = services.signing_order_collect(order=_order_for(request, public_id))
    done = signing_order.status == SigningOrder.Status.COMPLETE
    body = {
        "status": signing_order.status,
        "hint_code": signing_order.hint_code,
        "message": _order_message(signing_order),
        "show_qr": services.signing_order_qr(order=signing_order) is not None,
        "redirect": _after_signing(request, signing_order) if done else "",
    }
    return JsonResponse(body)


def _after_signing(request: HttpRequest, signing_order: SigningOrder) -> str:
    organisation = signing_order.organisation
    organisation.refresh_from_db()
    if signing_order.purpose == Purpose.PAYMENT_CHANGE:
        return _after_payment_change(request, signing_order)
    if organisation.verification_status != OrgStatus.VERIFIED:
        return reverse("signing:blocked")
    if signing_order.purpose == Purpose.TAKEOVER:
        request.session[SESSION_KEY] = organisation.pk
        messages.success(
            request,
            _("%(name)s is yours now: you are its owner and it can send invoices.")
            % {"name": organisation.legal_name},
        )
        return reverse("dashboard")
    messages.success(request, _("Thank you! The company is verified and can send invoices."))
    return safe_next(request, signing_order.next_url)


def _after_payment_change(request: HttpRequest, signing_order: SigningOrder) -> str:
    change = signing_order.payment_change
    assert change is not None
    change.refresh_from_db()
    if change.status == change.Status.APPLIED:
        messages.success(request, _("The new payment account is confirmed and applies now."))
    elif change.status == change.Status.IN_REVIEW:
        messages.info(
            request,
            _(
                "The change is signed. As you are not a signatory in the company register, "
                "our staff review it; invoices keep the current account meanwhile."
            ),
        )
    return reverse("accounts:settings")


def _retry_url(signing_order: SigningOrder) -> str:
    """Where "Try again" starts over for this kind of order."""
    if signing_order.purpose == Purpose.TAKEOVER:
        return reverse("signing:takeover", args=[signing_order.organisation.org_number])
    change = signing_order.payment_change
    if change is not None and change.is_open:
        return reverse("signing:payment_change", args=[change.public_id])
    if signing_order.purpose == Purpose.PAYMENT_CHANGE:
        return reverse("accounts:settings")
    return verify_url(signing_order.next_url)


@login_required
@never_cache
def order_qr(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Return this second's QR frame as SVG (204 once the app has the order)."""
    payload = services.signing_order_qr(order=_order_for(request, public_id))
    if payload is None:
        return HttpResponse(status=204)
    # The payload also rides along as a comment, so the demo page can show it as text
    # for the simulated app; it is exactly what the QR image encodes, nothing more.
    svg = f"{qr_svg(payload)}<!-- {payload} -->"
    return HttpResponse(svg, content_type="image/svg+xml")


@login_required
@require_POST
def order_cancel(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Cancel the order: the user pressed cancel or left the page."""
    signing_order = services.signing_order_cancel(order=_order_for(request, public_id))
    return redirect(_retry_url(signing_order))


@login_required
def interstitial(request: HttpRequest) -> HttpResponse:
    """After login: ask a user of an unverified organisation to sign now or later."""
    membership = current_membership(request)
    next_url = safe_next(request, request.GET.get("next"))
    if membership is None or membership.organisation.is_verified:
        return redirect(next_url)
    context = {
        "organisation": membership.organisation,
        "next": next_url,
        "can_sign": membership.can(Permission.SIGN_VERIFICATION),
    }
    return render(request, "signing/interstitial.html", context)


@login_required
def blocked(request: HttpRequest) -> HttpResponse:
    """Explain why sending is not open (review, suspension)."""
    membership = current_membership(request)
    if membership is None:
        return redirect("dashboard")
    decision = selectors.sending_allowed(organisation=membership.organisation)
    context = {"organisation": membership.organisation, "decision": decision}
    return render(request, "signing/blocked.html", context)
