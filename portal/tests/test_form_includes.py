"""The form includes: a checkbox's error does not repeat its label (a whole sentence)."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from signing.forms import ConfirmDetailsForm

FORM = Template(
    '{% include "includes/form_errors.html" %}'
    "{% for field in form.visible_fields %}"
    '{% include "includes/field.html" with field=field %}'
    "{% endfor %}"
)


class NameAndTermsForm(forms.Form):
    name = forms.CharField(label="Your name")
    terms = forms.BooleanField(label="I accept the terms of use.")


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def render(form: forms.Form) -> str:
    return FORM.render(Context({"form": form}))


def test_checkbox_label_appears_once_next_to_its_error() -> None:
    form = ConfirmDetailsForm({})
    html = render(form)
    label = str(form.fields["confirm"].label)
    assert html.count(label) == 1  # at the box, not again in the summary
    assert f"{label}:" not in html
    assert html.count("Tick the box to confirm the details.") == 2  # summary and field


def test_other_fields_keep_their_label_in_the_summary() -> None:
    html = render(NameAndTermsForm({}))
    assert "Your name: This field is required." in html
    assert html.count("I accept the terms of use.") == 1
    assert '<a href="#id_terms">This field is required.</a>' in html


@pytest.mark.django_db
def test_verify_page_shows_the_confirm_error_without_repeating_the_label(
    mallory_client: Client, mallory: Any
) -> None:
    mallory_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = mallory_client.post(reverse("signing:verify"), {})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count(str(ConfirmDetailsForm.base_fields["confirm"].label)) == 1
    assert "Tick the box to confirm the details." in body
