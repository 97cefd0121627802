"""Verify company: confirm details → BankID sign order page (QR, status) → back to the action."""

from __future__ import annotations

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
from accounts.access import current_membership, require_permission
from accounts.models import Organisation, Permission
from accounts.registry import RegisterUnavailable, company_register
from accounts.views import client_ip, posted
from signing import errors, selectors, services
from signing.forms import ConfirmDetailsForm
from signing.models import SigningOrder
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
    if status not in (OrgStatus.UNVERIFIED, OrgStatus.DETAILS_CONFIRMED, OrgStatus.CONFLICT):
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
        try:
            order = services.signing_order_start(
                user=request.user,
                organisation=organisation,
                end_user_ip=client_ip(request) or "127.0.0.1",
                next_url=safe_next(request, form.cleaned_data["next"]),
            )
            return redirect("signing:order", public_id=order.public_id)
        except accounts_errors.OrganisationNumberTaken:
            return redirect("accounts:taken", org_number=organisation.org_number)
        except errors.DetailsIncomplete as error:
            messages.error(request, str(error))
            return redirect("accounts:settings")
        except errors.BankIDUnavailable as error:
            messages.error(request, rfa_text(error.rfa, get_language()))
        except errors.SigningError as error:
            messages.error(request, str(error))
    try:
        record = company_register().lookup(organisation.org_number)
    except RegisterUnavailable:
        record = None
    context = {
        "organisation": organisation,
        "form": form,
        "record": record,
        "details": services.signed_details(organisation),
    }
    return render(request, "signing/verify.html", context)


def _order_for(request: HttpRequest, public_id: UUID) -> SigningOrder:
    membership = require_permission(request, Permission.SIGN_VERIFICATION)
    return selectors.signing_order_get(
        user=request.user, organisation=membership.organisation, public_id=public_id
    )


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
        "message": rfa_text(signing_order.rfa, get_language()) if signing_order.rfa else "",
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
        "message": rfa_text(signing_order.rfa, get_language()) if signing_order.rfa else "",
        "show_qr": services.signing_order_qr(order=signing_order) is not None,
        "redirect": _after_signing(request, signing_order) if done else "",
    }
    return JsonResponse(body)


def _after_signing(request: HttpRequest, signing_order: SigningOrder) -> str:
    signing_order.organisation.refresh_from_db()
    if signing_order.organisation.verification_status == OrgStatus.VERIFIED:
        messages.success(request, _("Thank you! The company is verified and can send invoices."))
        return safe_next(request, signing_order.next_url)
    return reverse("signing:blocked")


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
    services.signing_order_cancel(order=_order_for(request, public_id))
    return redirect("signing:verify")


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
