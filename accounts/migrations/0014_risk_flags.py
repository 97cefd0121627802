"""ReviewCase becomes RiskFlag: one flag per kind of risk, with severity, evidence and a hold.

The old "risk_flag" case kept its reasons as codes joined in its reason text; each
reason becomes a flag of its own kind (several reasons: one flag per kind). A payment
change case becomes a payment_details_changed flag; takeovers and transfer requests stay;
"declined" becomes "rejected".
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Old reason codes (signing's risk_flags()) and the kinds they become.
REASON_KINDS = {
    "signer_not_signatory": "signatory_mismatch",
    "details_entered_by_hand": "manual_details",
    "not_in_register": "register_unconfirmed",
    "register_unavailable": "register_unconfirmed",
}
RISK_KINDS = ["signatory_mismatch", "register_inactive", "register_unconfirmed", "manual_details"]
SEVERITY = {
    "signatory_mismatch": 3,
    "register_inactive": 3,
    "register_unconfirmed": 2,
    "manual_details": 2,
    "payment_details_changed": 3,
    "transfer_request": 2,
    "takeover": 1,
}
# Migrations cannot translate; these are the Swedish texts staff read (the portal's language).
REASONS = {
    "signatory_mismatch": "Den som signerade med BankID finns inte bland bolagets firmatecknare "
    "i bolagsregistret.",
    "register_inactive": "Bolagsregistret anger att bolaget inte är aktivt.",
    "register_unconfirmed": "Bolagsregistret kunde inte bekräfta bolaget vid signeringen.",
    "manual_details": "Företagsuppgifterna skrevs in för hand i stället för att hämtas från "
    "bolagsregistret.",
    "payment_details_changed": "Det nya betalkontot bekräftades med BankID av någon som inte är "
    "firmatecknare enligt bolagsregistret.",
}
ACTIVE = ("open", "info_requested", "awaiting_second_review")


def _kind_of(code: str) -> str:
    if code.startswith("register_status_"):
        return "register_inactive"
    # An unknown code (a case typed by hand) still needs a look: the register did not confirm it.
    return REASON_KINDS.get(code, "register_unconfirmed")


def _risk_kinds(codes: list[str]) -> list[str]:
    found = {_kind_of(code) for code in codes} or {"register_unconfirmed"}
    return [kind for kind in RISK_KINDS if kind in found]


def _evidence(kind: str, codes: list[str]) -> dict[str, Any]:
    evidence: dict[str, Any] = {"migrated_from": "review_case", "reason_codes": codes}
    for code in codes:
        if kind == "register_inactive" and code.startswith("register_status_"):
            evidence["register_status"] = code.removeprefix("register_status_")
    return evidence


def cases_to_flags(apps: Any, schema_editor: Any) -> None:
    RiskFlag = apps.get_model("accounts", "RiskFlag")
    for flag in RiskFlag.objects.order_by("pk"):
        if flag.status == "declined":
            flag.status = "rejected"
        if flag.kind == "risk_flag":
            _split_risk_case(RiskFlag, flag)
            continue
        if flag.kind == "payment_change":
            flag.kind = "payment_details_changed"
            flag.evidence = {"migrated_from": "review_case", "reason": flag.reason}
            flag.reason = REASONS["payment_details_changed"]
        flag.severity = SEVERITY.get(flag.kind, 2)
        flag.save()
    _check_now(schema_editor)


def _split_risk_case(RiskFlag: Any, case: Any) -> None:
    codes = [code.strip() for code in case.reason.split(",") if code.strip()]
    first, *others = _risk_kinds(codes)
    # Under the old rules every risk case held the organisation in review.
    for kind in others:
        copy = RiskFlag.objects.create(
            kind=kind,
            severity=SEVERITY[kind],
            status=case.status,
            holds_sending=True,
            organisation_id=case.organisation_id,
            org_number=case.org_number,
            raised_by_id=case.raised_by_id,
            reason=REASONS[kind],
            evidence=_evidence(kind, codes),
            resolved_by_id=case.resolved_by_id,
            resolved_at=case.resolved_at,
        )
        RiskFlag.objects.filter(pk=copy.pk).update(created_at=case.created_at)
    case.kind = first
    case.severity = SEVERITY[first]
    case.holds_sending = True
    case.reason = REASONS[first]
    case.evidence = _evidence(first, codes)
    case.save()


def flags_to_cases(apps: Any, schema_editor: Any) -> None:
    RiskFlag = apps.get_model("accounts", "RiskFlag")
    # Kinds the old model never knew have no case to return to.
    RiskFlag.objects.filter(kind__in=["velocity", "failed_signing_attempts"]).delete()
    kept: dict[tuple[str, bool], Any] = {}
    for flag in RiskFlag.objects.order_by("pk"):
        status = {"rejected": "declined"}.get(flag.status, flag.status)
        status = "open" if status in ACTIVE else status
        if flag.kind in RISK_KINDS:
            codes = flag.evidence.get("reason_codes") or [flag.kind]
            # The old model held one open risk case per number: merge the open ones again.
            if status == "open" and (flag.org_number, True) in kept:
                case = kept[(flag.org_number, True)]
                case.reason = ", ".join(dict.fromkeys([*case.reason.split(", "), *codes]))
                case.save(update_fields=["reason"])
                flag.delete()
                continue
            flag.kind, flag.reason = "risk_flag", ", ".join(codes)
            if status == "open":
                kept[(flag.org_number, True)] = flag
        elif flag.kind == "payment_details_changed":
            flag.kind = "payment_change"
            flag.reason = flag.evidence.get("reason", flag.reason)[:500]
        flag.status = status
        flag.save()
    _check_now(schema_editor)


def _check_now(schema_editor: Any) -> None:
    # The schema changes that follow in this transaction refuse a table with deferred
    # foreign-key checks still pending (PostgreSQL): run those checks now.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0013_partners"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="reviewcase", name="one_open_case_per_kind_and_org_number"
        ),
        migrations.RenameModel(old_name="ReviewCase", new_name="RiskFlag"),
        migrations.RenameField(
            model_name="riskflag", old_name="requested_by", new_name="raised_by"
        ),
        migrations.AlterField(
            model_name="riskflag",
            name="raised_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="raised by",
            ),
        ),
        migrations.AlterField(
            model_name="riskflag",
            name="kind",
            field=models.CharField(
                choices=[
                    ("signatory_mismatch", "Signer is not an authorised signatory"),
                    ("register_inactive", "Company inactive in the register"),
                    ("register_unconfirmed", "Register could not confirm the company"),
                    ("manual_details", "Details entered by hand"),
                    ("payment_details_changed", "Payment account changed"),
                    ("velocity", "Unusual sending volume"),
                    ("failed_signing_attempts", "Repeated failed signings"),
                    ("transfer_request", "Transfer request"),
                    ("takeover", "Taken over by the company's signatory"),
                ],
                max_length=32,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="riskflag",
            name="status",
            field=models.CharField(
                choices=[
                    ("open", "Open"),
                    ("info_requested", "Information requested"),
                    ("awaiting_second_review", "Awaiting second review"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("closed", "Closed without decision"),
                ],
                default="open",
                max_length=32,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="riskflag",
            name="reason",
            field=models.TextField(blank=True, verbose_name="reason"),
        ),
        migrations.AlterField(
            model_name="riskflag",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="risk_flags",
                to="accounts.organisation",
                verbose_name="organisation",
            ),
        ),
        migrations.AlterField(
            model_name="riskflag",
            name="payment_change",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="risk_flags",
                to="accounts.paymentdetailschange",
                verbose_name="payment account change",
            ),
        ),
        migrations.AddField(
            model_name="riskflag",
            name="severity",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "Low"), (2, "Medium"), (3, "High")],
                default=2,
                verbose_name="severity",
            ),
        ),
        migrations.AddField(
            model_name="riskflag",
            name="holds_sending",
            field=models.BooleanField(default=False, verbose_name="holds sending"),
        ),
        migrations.AddField(
            model_name="riskflag",
            name="evidence",
            field=models.JSONField(blank=True, default=dict, verbose_name="evidence"),
        ),
        migrations.AlterModelOptions(
            name="riskflag",
            options={
                "ordering": ["-severity", "created_at"],
                "permissions": [
                    ("review_riskflag", "Can decide risk flags in the review workspace")
                ],
                "verbose_name": "risk flag",
                "verbose_name_plural": "risk flags",
            },
        ),
        migrations.AddConstraint(
            model_name="riskflag",
            constraint=models.UniqueConstraint(
                condition=models.Q(status__in=["open", "info_requested", "awaiting_second_review"]),
                fields=("kind", "org_number"),
                name="one_active_flag_per_kind_and_org_number",
            ),
        ),
        migrations.RunPython(cases_to_flags, flags_to_cases),
    ]
