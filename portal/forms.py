"""Forms of the dashboard."""

from __future__ import annotations

from django import forms


class RiskFlagAnswerForm(forms.Form):
    """An owner's answer to the question our staff asked in a review (the page writes the
    fields itself: one form per open question)."""

    flag = forms.IntegerField()
    text = forms.CharField(max_length=5000)
