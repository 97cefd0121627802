"""BankID's recommended user messages and the mapping from hint and error codes."""

from __future__ import annotations

import pytest

from signing.rfa import RFA, rfa_for_error, rfa_for_failed, rfa_for_pending, rfa_text

CURRENT_CODES = [
    "RFA1", "RFA2", "RFA3", "RFA4", "RFA5", "RFA6", "RFA8", "RFA9", "RFA13", "RFA15A", "RFA15B",
    "RFA16", "RFA17A", "RFA17B", "RFA19", "RFA20", "RFA21", "RFA22", "RFA23",
]  # fmt: skip


def test_every_current_message_exists_in_both_languages():
    assert sorted(RFA) == sorted(CURRENT_CODES)
    for texts in RFA.values():
        assert set(texts) == {"sv", "en"}
        assert all(text.strip() == text and text for text in texts.values())


@pytest.mark.parametrize(
    ("code", "sv", "en"),
    [
        ("RFA1", "Starta BankID-appen.", "Start your BankID app."),
        (
            "RFA9",
            "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under.",
            "Enter your security code in the BankID app and select Identify or Sign.",
        ),
        (
            "RFA17B",
            "Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden.",
            "Failed to scan the QR code. Start the BankID app and scan the QR code.",
        ),
        (
            "RFA8",
            "BankID-appen svarar inte. Kontrollera att den är startad och att du har "
            "internetanslutning. Försök sedan igen.",
            "The BankID app is not responding. Please check that it's started and that you "
            "have internet access. Try again.",
        ),
    ],
)
def test_texts_are_bankids_verbatim(code, sv, en):
    assert rfa_text(code, "sv") == sv
    assert rfa_text(code, "en") == en


def test_bankids_own_typos_are_kept():
    assert "gitligt" in RFA["RFA15B"]["sv"]
    assert "scan, you ID document" in RFA["RFA23"]["en"]


@pytest.mark.parametrize(("language", "expected"), [("en-gb", "en"), ("EN", "en"), ("de", "sv")])
def test_rfa_text_language_variants_and_fallback(language, expected):
    assert rfa_text("RFA3", language) == RFA["RFA3"][expected]


@pytest.mark.parametrize(
    ("hint", "kwargs", "expected"),
    [
        ("outstandingTransaction", {"autostarted": False, "qr_used": True}, "RFA1"),
        ("outstandingTransaction", {"autostarted": True, "qr_used": False}, "RFA13"),
        ("noClient", {"autostarted": True, "qr_used": False}, "RFA1"),
        ("started", {"autostarted": True, "qr_used": False}, "RFA15A"),
        ("started", {"autostarted": True, "qr_used": False, "mobile": True}, "RFA15B"),
        ("userSign", {"autostarted": False, "qr_used": True}, "RFA9"),
        ("userMrtd", {"autostarted": False, "qr_used": True}, "RFA23"),
        ("userCallConfirm", {"autostarted": False, "qr_used": True}, "RFA21"),
        ("somethingNew", {"autostarted": False, "qr_used": True}, "RFA21"),
        (None, {"autostarted": False, "qr_used": True}, "RFA21"),
    ],
)
def test_rfa_for_pending(hint, kwargs, expected):
    assert rfa_for_pending(hint, **kwargs) == expected


@pytest.mark.parametrize(
    ("hint", "qr_used", "expected"),
    [
        ("userCancel", True, "RFA6"),
        ("cancelled", True, "RFA3"),
        ("expiredTransaction", True, "RFA8"),
        ("certificateErr", False, "RFA16"),
        ("startFailed", True, "RFA17B"),
        ("startFailed", False, "RFA17A"),
        ("transactionRiskBlocked", True, "RFA22"),
        ("somethingNew", True, "RFA22"),
        (None, False, "RFA22"),
    ],
)
def test_rfa_for_failed(hint, qr_used, expected):
    assert rfa_for_failed(hint, qr_used=qr_used) == expected


@pytest.mark.parametrize(
    ("error_code", "expected"),
    [
        ("alreadyInProgress", "RFA4"),
        ("requestTimeout", "RFA5"),
        ("internalError", "RFA5"),
        ("maintenance", "RFA5"),
        ("invalidParameters", "RFA22"),
        ("unauthorized", "RFA22"),
        ("unsupportedMediaType", "RFA22"),
        ("tooManyRequests", "RFA22"),
    ],
)
def test_rfa_for_error(error_code, expected):
    assert rfa_for_error(error_code) == expected
