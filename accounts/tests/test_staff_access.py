"""Staff reach the admin only through allauth's login with a TOTP code, in this session."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation
from accounts.tests.factories import PASSWORD
from accounts.tests.staff import staff_user, totp_code, totp_logged_in

pytestmark = pytest.mark.django_db

# What a browser sends when it navigates to a page.
PAGE = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def reauthenticate_url(next_url: str) -> str:
    return f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_url})}"


def password_logged_in(email: str) -> Client:
    """Log in through allauth's form with the password only (no TOTP step follows)."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("with_totp", [True, False])
def test_the_admin_login_form_logs_nobody_in(with_totp: bool) -> None:
    staff = staff_user(with_totp=with_totp)
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": staff.email, "password": PASSWORD}, headers=PAGE
    )
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?{urlencode({'next': '/admin/'})}"
    assert SESSION_KEY not in client.session
    assert client.get("/admin/", headers=PAGE).status_code == 302


def test_the_admin_sends_the_logged_out_to_allauths_login() -> None:
    response = Client().get("/admin/accounts/riskflag/", headers=PAGE, follow=True)
    login = f"{reverse('account_login')}?{urlencode({'next': '/admin/accounts/riskflag/'})}"
    assert response.redirect_chain[-1] == (login, 302)
    assert response.status_code == 200


def test_a_member_is_refused_the_admin_without_a_redirect_loop(alice_client: Client) -> None:
    response = alice_client.get("/admin/", headers=PAGE, follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) == 1


def test_a_password_only_session_cannot_open_the_admin() -> None:
    staff = staff_user()
    client = Client()
    client.force_login(staff)  # the session state the old admin login form produced
    for path in ("/admin/", reverse("admin:accounts_riskflag_changelist")):
        response = client.get(path, headers=PAGE)
        assert response.status_code == 302
        assert response.url == reauthenticate_url(path)
    assert client.get(reverse("dashboard"), headers=PAGE).url == reauthenticate_url("/")


def test_a_password_only_session_confirms_with_a_code_and_goes_on() -> None:
    client = Client()
    client.force_login(staff_user())
    response = client.post(reauthenticate_url("/admin/"), {"code": totp_code()})
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.get("/admin/", headers=PAGE).status_code == 200


def test_a_wrong_code_keeps_the_admin_closed() -> None:
    client = Client()
    client.force_login(staff_user())
    wrong = f"{(int(totp_code()) + 1) % 1_000_000:06d}"
    response = client.post(reauthenticate_url("/admin/"), {"code": wrong})
    assert response.status_code == 200
    assert client.get("/admin/", headers=PAGE).status_code == 302


def test_staff_who_log_in_with_a_totp_code_reach_the_review_cases() -> None:
    client = totp_logged_in(staff_user())
    assert client.get("/admin/", headers=PAGE).status_code == 200
    changelist = reverse("admin:accounts_riskflag_changelist")
    assert client.get(changelist, headers=PAGE).status_code == 200


def test_the_dashboard_sends_staff_to_the_review_workspace() -> None:
    client = totp_logged_in(staff_user())
    response = client.get(reverse("dashboard"), headers=PAGE)
    assert response.status_code == 302
    assert response.url == reverse("review:queue")


def test_the_dashboard_sends_staff_without_the_review_permission_to_the_admin() -> None:
    user = staff_user()
    user.is_superuser = False
    user.save()
    response = totp_logged_in(user).get(reverse("dashboard"), headers=PAGE)
    assert response.url == reverse("admin:index")


def test_members_still_land_on_their_dashboard(alice_client: Client) -> None:
    assert alice_client.get(reverse("dashboard"), headers=PAGE).status_code == 200


def test_staff_without_totp_are_sent_to_set_it_up() -> None:
    client = password_logged_in(staff_user(with_totp=False).email)
    for path in (reverse("dashboard"), "/admin/"):
        response = client.get(path, headers=PAGE)
        assert response.status_code == 302
        assert response.url == reverse("mfa_activate_totp")


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no Accept at all: not a page request
        {"Accept": "image/avif,image/webp,image/svg+xml,image/*,*/*;q=0.8"},
        {"Accept": "application/json"},
        {"Accept": "text/html", "X-Requested-With": "XMLHttpRequest"},
    ],
)
def test_only_page_requests_are_redirected(headers: dict[str, str]) -> None:
    client = password_logged_in(staff_user(with_totp=False).email)
    response = client.get("/admin/", headers=headers)
    assert response.status_code == 403
    assert "Location" not in response


def reauthenticated(client: Client) -> Client:
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302
    return client


def shown_secret(client: Client) -> str:
    response = client.get(reverse("mfa_activate_totp"), headers=PAGE)
    assert response.status_code == 200
    secret: str = response.context["form"].secret
    assert secret in response.content.decode()
    return secret


def test_the_secret_on_screen_survives_reloads_and_the_favicon() -> None:
    client = reauthenticated(password_logged_in(staff_user(with_totp=False).email))
    secret = shown_secret(client)
    assert shown_secret(client) == secret
    # A browser fetches these behind the user's back while the page is open.
    favicon = client.get("/favicon.ico", headers={"Accept": "image/avif,image/webp,*/*;q=0.8"})
    assert favicon.status_code in (200, 301, 302)
    assert not favicon.get("Location", "").startswith(reverse("mfa_activate_totp"))
    client.get("/admin/jsi18n/", headers={"Accept": "*/*"})
    assert shown_secret(client) == secret


def test_staff_set_up_totp_then_confirm_with_a_code_to_reach_the_admin() -> None:
    staff = staff_user(with_totp=False)
    client = reauthenticated(password_logged_in(staff.email))
    secret = shown_secret(client)
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()
    assert staff.authenticator_set.filter(type="totp").exists()
    # Setting the device up does not make this password-only session a two-factor one.
    assert client.get("/admin/", headers=PAGE).url == reauthenticate_url("/admin/")
    # Activation does not use the code up, so the same code confirms the session.
    response = client.post(reauthenticate_url("/admin/"), {"code": totp_code(secret)})
    assert response.url == "/admin/"
    assert client.get("/admin/", headers=PAGE).status_code == 200


def test_the_favicon_is_served_to_everyone() -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 302
    assert response.url == static("portal/favicon.svg")
    assert finders.find("portal/favicon.svg") is not None


def test_pages_name_the_favicon(client: Client) -> None:
    body = client.get(reverse("account_login"), headers=PAGE).content.decode()
    assert 'rel="icon"' in body
    assert "favicon.svg" in body


def test_the_admin_names_sections_and_actions_in_swedish(alice_org: Organisation) -> None:
    # Django shows the actions only above a list that has rows: alice_org is one.
    client = totp_logged_in(staff_user())
    index = client.get("/admin/").content.decode()
    assert "e-faktura \u2013 administration" in index
    assert "Konton och organisationer" in index
    assert "Signering" in index
    organisations = client.get(reverse("admin:accounts_organisation_changelist")).content.decode()
    assert "Häv spärren" in organisations
