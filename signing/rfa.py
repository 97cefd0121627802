"""BankID's recommended user messages (RFA) and which one to show for a collect or error answer."""

from __future__ import annotations

# BankID prescribes these texts verbatim in both languages, so they are kept as data rather than
# run through gettext: a translator must not "improve" them. Typos are BankID's own ("gitligt",
# "you ID document"). RFA7, RFA10-12, RFA14 and RFA18 are no longer in BankID's list.
RFA: dict[str, dict[str, str]] = {
    "RFA1": {"sv": "Starta BankID-appen.", "en": "Start your BankID app."},
    "RFA2": {
        "sv": "Du verkar inte ha BankID-appen. Installera den och skaffa ett BankID.",
        "en": "You don't seem to have the BankID app. Install the app and get a BankID.",
    },
    "RFA3": {
        "sv": "Åtgärden avbröts. Försök igen.",
        "en": "The action was cancelled. Please try again.",
    },
    "RFA4": {
        "sv": "En identifiering eller underskrift pågår redan för ditt personnummer. Försök igen.",
        "en": "An identification or signature is already in progress for your personal "
        "identity number. Please try again.",
    },
    "RFA5": {
        "sv": "Något gick fel. Försök igen.",
        "en": "Something went wrong. Please try again.",
    },
    "RFA6": {"sv": "Åtgärden avbröts.", "en": "The action was cancelled."},
    "RFA8": {
        "sv": "BankID-appen svarar inte. Kontrollera att den är startad och att du har "
        "internetanslutning. Försök sedan igen.",
        "en": "The BankID app is not responding. Please check that it's started and that you "
        "have internet access. Try again.",
    },
    "RFA9": {
        "sv": "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under.",
        "en": "Enter your security code in the BankID app and select Identify or Sign.",
    },
    "RFA13": {"sv": "Försöker starta BankID-appen.", "en": "Trying to start your BankID app."},
    "RFA15A": {
        "sv": "Söker efter BankID. Säkerställ att du har ett giltigt BankID på den här datorn. "
        "Om du har ett BankID på kort, sätt in kortet i kortläsaren.",
        "en": "Searching for BankID. Make sure you have a valid BankID on this computer. "
        "If you have a BankID on card, please insert the card into your card reader.",
    },
    "RFA15B": {
        "sv": "Söker efter BankID. Säkerställ att du har ett gitligt BankID på den här enheten.",
        "en": "Searching for BankID. Make sure you have a valid BankID on this device.",
    },
    "RFA16": {
        "sv": "Ditt BankID är för gammalt eller spärrat. Använd ett annat BankID eller skaffa "
        "ett nytt hos din bank.",
        "en": "Your BankID is blocked or too old. Please use another BankID or get a new one "
        "from your bank.",
    },
    "RFA17A": {
        "sv": "Du verkar inte ha BankID-appen/programmet. Installera den och skaffa ett BankID "
        "hos din bank.",
        "en": "You don't seem to have the BankID app/program. Please install it and get a "
        "BankID from your bank.",
    },
    "RFA17B": {
        "sv": "Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden.",
        "en": "Failed to scan the QR code. Start the BankID app and scan the QR code.",
    },
    "RFA19": {
        "sv": "Vill du använda BankID på den här datorn eller ett Mobilt BankID?",
        "en": "Would you like to use BankID on this computer, or a Mobile BankID?",
    },
    "RFA20": {
        "sv": "Vill du använda BankID på den här enheten eller på en annan enhet?",
        "en": "Do you want to use BankID on this device or another device?",
    },
    "RFA21": {
        "sv": "En identifiering eller underskrift pågår.",
        "en": "An identification or signing is in progress.",
    },
    "RFA22": {
        "sv": "Något gick fel. Försök igen.",
        "en": "Something went wrong. Please try again.",
    },
    "RFA23": {
        "sv": "Fotografera och läs av din ID-handling med BankID-appen.",
        "en": "Take a photo of, and scan, you ID document with the BankID app.",
    },
}

_FAILED: dict[str, str] = {
    "userCancel": "RFA6",
    "cancelled": "RFA3",
    "expiredTransaction": "RFA8",
    "certificateErr": "RFA16",
}

_ERRORS: dict[str, str] = {
    "alreadyInProgress": "RFA4",
    "requestTimeout": "RFA5",
    "internalError": "RFA5",
    "maintenance": "RFA5",
}


def rfa_text(code: str, language: str) -> str:
    """Return the message for an RFA code in the language ("sv", "en", "en-gb"...), else Swedish."""
    texts = RFA[code]
    return texts.get(language.split("-")[0].lower(), texts["sv"])


def rfa_for_pending(
    hint_code: str | None, *, autostarted: bool, qr_used: bool, mobile: bool = False
) -> str:
    """Return the RFA code for a pending order with this hint code."""
    # qr_used is accepted for symmetry with rfa_for_failed; only autostart changes pending texts.
    if hint_code == "outstandingTransaction":
        return "RFA13" if autostarted else "RFA1"
    if hint_code == "noClient":
        return "RFA1"
    if hint_code == "started":
        return "RFA15B" if mobile else "RFA15A"
    if hint_code == "userSign":
        return "RFA9"
    if hint_code == "userMrtd":
        return "RFA23"
    # BankID adds hint codes without notice; RFA21 is its prescribed fallback while pending.
    return "RFA21"


def rfa_for_failed(hint_code: str | None, *, qr_used: bool) -> str:
    """Return the RFA code for a failed order with this hint code."""
    if hint_code == "startFailed":
        return "RFA17B" if qr_used else "RFA17A"
    # Unknown failures (and the documented ones without an RFA) get BankID's fallback, RFA22.
    return _FAILED.get(hint_code or "", "RFA22")


def rfa_for_error(error_code: str) -> str:
    """Return the RFA code for an RP API error code."""
    # Our own bugs (invalidParameters, unauthorized, ...) are not shown as BankID errors: RFA22.
    return _ERRORS.get(error_code, "RFA22")
