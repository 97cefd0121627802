"""The invoicing enums the OpenAPI schema names once (settings' ENUM_NAME_OVERRIDES).

Several components have a "status" or a "kind" with different choices; without a name of
its own each enum would get a generated one (StatusD18Enum) that changes with the code.
"""

from invoices.models import Delivery, DeliveryChannel, Invoice

DELIVERY_CHANNEL = DeliveryChannel
DELIVERY_STATUS = Delivery.Status
INVOICE_STATUS = Invoice.Status
INVOICE_KIND = Invoice.Kind
