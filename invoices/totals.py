"""Invoice arithmetic as EN 16931 defines it, Swedish OCR numbers and payment means.

Pure functions on `invoices.document` values. Decimal only: rounding (half up, two
decimals) happens at the points the standard names and nowhere else, so the sums the
validators recompute (BR-CO-10..17) match to the öre.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from accounts.numbers import luhn_check_digit, luhn_valid
from invoices.document import (
    AllowanceCharge,
    InvoiceDocument,
    Line,
    PaymentMeans,
    Totals,
    VatBreakdown,
    VatCategory,
)

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0")

# Categories whose VAT amount is zero whatever the rate (BR-E-09, BR-AE-09, BR-IC-09,
# BR-G-09, BR-O-09, BR-Z-09).
ZERO_TAX_CATEGORIES = frozenset({"E", "AE", "K", "G", "O", "Z"})

# The one VATEX code that fits each category; E (exempt) has several and is left to the caller.
DEFAULT_EXEMPTION_CODES: Mapping[str, str] = {
    VatCategory.REVERSE_CHARGE: "VATEX-EU-AE",
    VatCategory.INTRA_COMMUNITY: "VATEX-EU-IC",
    VatCategory.EXPORT: "VATEX-EU-G",
    VatCategory.NOT_SUBJECT: "VATEX-EU-O",
}

BANKGIRO_BRANCH = "SE:BANKGIRO"
PLUSGIRO_BRANCH = "SE:PLUSGIRO"
CREDIT_TRANSFER = "30"  # UNCL4461
SEPA_CREDIT_TRANSFER = "58"

# Bankgirot accepts OCR references of 2 to 25 digits.
OCR_MIN_LENGTH = 2
OCR_MAX_LENGTH = 25

GroupKey = tuple[str, Decimal | None]


def round_amount(value: Decimal) -> Decimal:
    """Round a monetary amount to two decimals, half away from zero."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def compute(
    document: InvoiceDocument, *, exemptions: Mapping[str, tuple[str, str]] | None = None
) -> InvoiceDocument:
    """Return a copy of the document with line amounts, VAT breakdown and totals filled in."""
    # `exemptions` maps a category to (BT-120 text, BT-121 code). Without one, a reason
    # already on the document's breakdown is kept, and AE/K/G/O get their only VATEX code.
    result = copy.deepcopy(document)
    for line in result.lines:
        _compute_line(line)
    for charge in result.allowances_charges:
        if charge.percent is not None and charge.base_amount is None:
            charge.base_amount = _group_net(result.lines, charge)
        _apply_percent(charge)
    result.vat_breakdown = vat_breakdown(result, exemptions or {})
    result.totals = _totals(result)
    return result


def _compute_line(line: Line) -> None:
    if line.gross_price is not None:
        # BT-146 = BT-148 - BT-147: whichever of net price or discount is missing follows.
        if line.price_discount is None:
            line.price_discount = line.gross_price - line.net_price
        else:
            line.net_price = line.gross_price - line.price_discount
    gross_amount = round_amount(line.quantity * unit_price(line))
    for charge in line.allowances_charges:
        if charge.percent is not None and charge.base_amount is None:
            charge.base_amount = gross_amount
        _apply_percent(charge)
    line.line_extension = round_amount(
        line.quantity * unit_price(line) + _signed_sum(line.allowances_charges)
    )


def unit_price(line: Line) -> Decimal:
    """Return the net price of one unit of the invoiced quantity (BT-146 / BT-149)."""
    if line.base_quantity is None or line.base_quantity == ZERO:
        return line.net_price
    return line.net_price / line.base_quantity


def _apply_percent(charge: AllowanceCharge) -> None:
    if charge.percent is not None and charge.base_amount is not None:
        charge.amount = round_amount(charge.base_amount * charge.percent / HUNDRED)


def _signed_sum(charges: Iterable[AllowanceCharge]) -> Decimal:
    """Return charges minus allowances."""
    return sum((c.amount if c.is_charge else -c.amount for c in charges), ZERO)


def _group_net(lines: list[Line], charge: AllowanceCharge) -> Decimal:
    """Return the base a percentage document allowance applies to: its VAT group's lines."""
    if not charge.vat_category:
        return sum((line.line_extension for line in lines), ZERO)
    key = _key(charge.vat_category, charge.vat_rate)
    return sum(
        (line.line_extension for line in lines if _key(line.vat_category, line.vat_rate) == key),
        ZERO,
    )


def _key(category: str, rate: Decimal | None) -> GroupKey:
    # Normalised so that 25, 25.0 and 25.00 fall into one group.
    return (category, None if rate is None else rate.normalize())


def vat_breakdown(
    document: InvoiceDocument, exemptions: Mapping[str, tuple[str, str]]
) -> list[VatBreakdown]:
    """Return BG-23: one entry per (category, rate), in order of first appearance."""
    taxable: dict[GroupKey, Decimal] = {}
    rates: dict[GroupKey, Decimal | None] = {}
    for line in document.lines:
        key = _key(line.vat_category, line.vat_rate)
        taxable[key] = taxable.get(key, ZERO) + line.line_extension
        rates.setdefault(key, line.vat_rate)
    for charge in document.allowances_charges:
        key = _key(charge.vat_category, charge.vat_rate)
        signed = charge.amount if charge.is_charge else -charge.amount
        taxable[key] = taxable.get(key, ZERO) + signed
        rates.setdefault(key, charge.vat_rate)
    return [
        _breakdown(key[0], rates[key], amount, document.vat_breakdown, exemptions)
        for key, amount in taxable.items()
    ]


def _breakdown(
    category: str,
    rate: Decimal | None,
    taxable: Decimal,
    previous: list[VatBreakdown],
    exemptions: Mapping[str, tuple[str, str]],
) -> VatBreakdown:
    if category in ZERO_TAX_CATEGORIES or rate is None:
        tax = ZERO
    else:
        tax = round_amount(taxable * rate / HUNDRED)  # BR-CO-17
    reason, code = _exemption(category, rate, previous, exemptions)
    return VatBreakdown(
        category=category,
        rate=rate,
        taxable_amount=round_amount(taxable),
        tax_amount=tax,
        exemption_reason=reason,
        exemption_reason_code=code,
    )


def _exemption(
    category: str,
    rate: Decimal | None,
    previous: list[VatBreakdown],
    exemptions: Mapping[str, tuple[str, str]],
) -> tuple[str, str]:
    if category == VatCategory.STANDARD:
        return "", ""  # BR-S-10: a standard-rated group carries no exemption reason
    if category in exemptions:
        return exemptions[category]
    key = _key(category, rate)
    same_group = [b for b in previous if _key(b.category, b.rate) == key]
    same_category = [b for b in previous if b.category == category]
    for entry in same_group + same_category:
        if entry.exemption_reason or entry.exemption_reason_code:
            return entry.exemption_reason, entry.exemption_reason_code
    return "", DEFAULT_EXEMPTION_CODES.get(category, "")


def _totals(document: InvoiceDocument) -> Totals:
    """Return BG-22 (BR-CO-10..16); prepaid, rounding and BT-111 are kept as given."""
    previous = document.totals
    line_total = sum((line.line_extension for line in document.lines), ZERO)
    allowances = sum((c.amount for c in document.allowances_charges if not c.is_charge), ZERO)
    charges = sum((c.amount for c in document.allowances_charges if c.is_charge), ZERO)
    tax_exclusive = line_total - allowances + charges
    tax_amount = sum((b.tax_amount for b in document.vat_breakdown), ZERO)
    tax_inclusive = tax_exclusive + tax_amount
    return Totals(
        line_extension=line_total,
        allowance_total=allowances,
        charge_total=charges,
        tax_exclusive=tax_exclusive,
        tax_amount=tax_amount,
        tax_inclusive=tax_inclusive,
        prepaid=previous.prepaid,
        rounding=previous.rounding,
        payable=tax_inclusive - previous.prepaid + previous.rounding,
        tax_amount_in_tax_currency=previous.tax_amount_in_tax_currency,
    )


def ocr_number(reference: str | int, *, with_length_digit: bool = True) -> str:
    """Return a Swedish OCR reference: the digits, a length digit, then a Luhn check digit."""
    digits = str(reference)
    if not digits.isdigit():
        raise ValueError("An OCR reference is built from digits only.")
    if with_length_digit:
        # The length digit counts every digit of the result, itself and the check digit too,
        # modulo 10 (Bankgirot's "hård kontroll" with length check).
        digits += str((len(digits) + 2) % 10)
    if not OCR_MIN_LENGTH <= len(digits) + 1 <= OCR_MAX_LENGTH:
        raise ValueError(f"An OCR number has {OCR_MIN_LENGTH} to {OCR_MAX_LENGTH} digits.")
    return digits + luhn_check_digit(digits)


def ocr_valid(value: str, *, with_length_digit: bool = False) -> bool:
    """Return whether the value is an OCR number with a correct check (and length) digit."""
    if not value.isdigit() or not OCR_MIN_LENGTH <= len(value) <= OCR_MAX_LENGTH:
        return False
    if with_length_digit and (len(value) < 3 or int(value[-2]) != len(value) % 10):
        return False
    return luhn_valid(value)


def _giro_digits(number: str, lengths: range, label: str) -> str:
    digits = "".join(char for char in number if char not in " -")
    if not digits.isdigit() or len(digits) not in lengths:
        raise ValueError(f"A {label} number has {lengths.start} to {lengths.stop - 1} digits.")
    return digits


def bankgiro_payment_means(bankgiro: str, ocr: str) -> PaymentMeans:
    """Return payment means for a Bankgiro account (SE-R-008/009: digits only, 7-8 long)."""
    return PaymentMeans(
        code=CREDIT_TRANSFER,
        payment_id=ocr,
        account_id=_giro_digits(bankgiro, range(7, 9), "Bankgiro"),
        branch_id=BANKGIRO_BRANCH,
    )


def plusgiro_payment_means(plusgiro: str, ocr: str) -> PaymentMeans:
    """Return payment means for a Plusgiro account (SE-R-007/010: digits only, 2-8 long)."""
    return PaymentMeans(
        code=CREDIT_TRANSFER,
        payment_id=ocr,
        account_id=_giro_digits(plusgiro, range(2, 9), "Plusgiro"),
        branch_id=PLUSGIRO_BRANCH,
    )


def iban_payment_means(iban: str, bic: str, reference: str, *, sepa: bool = False) -> PaymentMeans:
    """Return payment means for a bank account given as IBAN and BIC."""
    # Code 30 (credit transfer) by default: SE-R-011/012 steer Swedish invoices to it
    # (50/56, and 31 between Swedish parties, are warned about), and a SEK payment to a
    # Swedish IBAN is no SEPA transfer. `sepa=True` gives 58 for EUR invoices. Both meet
    # BR-61 (account id present) and validate clean.
    return PaymentMeans(
        code=SEPA_CREDIT_TRANSFER if sepa else CREDIT_TRANSFER,
        payment_id=reference,
        account_id="".join(iban.split()).upper(),
        branch_id="".join(bic.split()).upper(),
    )
