"""Content-Security-Policy: no inline code, no other origins, and templates that need none."""

from __future__ import annotations

import re
from pathlib import Path

import django.contrib.admin
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"
ADMIN_TEMPLATES = Path(django.contrib.admin.__file__).parent / "templates"
# What a strict policy blocks: a <script> without src, a <style> block, a style attribute,
# an inline event handler (onclick=...) and a javascript: URL.
_INLINE = re.compile(
    r"<script(?![^>]*\ssrc=)[^>]*>|<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=|javascript:",
    re.IGNORECASE,
)


def inline_code(html: str) -> list[str]:
    return _INLINE.findall(html)


def policy(header: str) -> dict[str, str]:
    directives = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in directives}


@pytest.mark.django_db
def test_html_pages_carry_the_policy() -> None:
    response = Client().get(reverse("account_login"))
    assert policy(response["Content-Security-Policy"]) == {
        "default-src": "'self'",
        "img-src": "'self' data:",
        "script-src": "'self'",
        "style-src": "'self'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
        "base-uri": "'none'",
        "object-src": "'none'",
    }
    assert inline_code(response.content.decode()) == []


@pytest.mark.parametrize(
    "path", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_our_templates_have_no_inline_code(path: Path) -> None:
    assert inline_code(path.read_text(encoding="utf-8")) == []


def test_the_admins_templates_have_no_inline_code() -> None:
    offenders = {
        str(path.relative_to(ADMIN_TEMPLATES)): found
        for path in ADMIN_TEMPLATES.rglob("*.html")
        if (found := inline_code(path.read_text(encoding="utf-8")))
    }
    # A column width, rendered only for a ModelAdmin without action bars (ours all have them).
    assert offenders == {"admin/change_list.html": ["<style>"]}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["account_signup", "account_reset_password", "api-docs"])
def test_allauth_pages_and_the_api_docs_need_no_inline_code(name: str) -> None:
    response = Client().get(reverse(name))
    assert response.status_code == 200
    assert inline_code(response.content.decode()) == []
    assert "https://" not in response.content.decode()


def test_the_checker_finds_what_the_policy_blocks() -> None:
    html = (
        '<script>alert(1)</script><script src="/s.js"></script><style>p{}</style>'
        '<p style="color:red" onclick="x()">a</p><a href="javascript:x()">b</a>'
    )
    assert len(inline_code(html)) == 5
