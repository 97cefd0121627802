"""Units of measure (UN/ECE recommendation 20) the invoice form offers, with Swedish names."""

from django.utils.translation import gettext_lazy as _

COMMON_UNITS = [
    ("EA", _("piece")),
    ("HUR", _("hour")),
    ("DAY", _("day")),
    ("WEE", _("week")),
    ("MON", _("month")),
    ("ANN", _("year")),
    ("MIN", _("minute")),
    ("KGM", _("kilogram")),
    ("TNE", _("tonne")),
    ("MTR", _("metre")),
    ("KMT", _("kilometre")),
    ("MTK", _("square metre")),
    ("MTQ", _("cubic metre")),
    ("LTR", _("litre")),
    ("KWH", _("kilowatt hour")),
    ("SET", _("set")),
    ("PK", _("package")),
    ("C62", _("unit")),
]

SWEDISH_VAT_RATES = ("25", "12", "6", "0")
