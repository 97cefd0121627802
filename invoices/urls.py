from django.urls import path

from invoices import views

app_name = "invoices"

urlpatterns = [
    path("", views.invoice_list, name="list"),
    path("new/", views.invoice_create, name="create"),
    path("import/", views.invoice_import, name="import"),
    path("<uuid:public_id>/", views.invoice_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.invoice_edit, name="edit"),
    path("<uuid:public_id>/copy/", views.invoice_copy, name="copy"),
    path("<uuid:public_id>/delete/", views.invoice_delete, name="delete"),
    path("<uuid:public_id>/issue/", views.invoice_issue, name="issue"),
    path("<uuid:public_id>/credit/", views.invoice_credit, name="credit"),
    path("<uuid:public_id>/xml/", views.invoice_xml, name="xml"),
    path("<uuid:public_id>/pdf/", views.invoice_pdf, name="pdf"),
    path("<uuid:public_id>/attachments/", views.attachment_add, name="attachment_add"),
    path("<uuid:public_id>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path(
        "<uuid:public_id>/attachments/<int:pk>/remove/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path("<uuid:public_id>/send/", views.invoice_send, name="send"),
    path("<uuid:public_id>/resend/", views.invoice_resend, name="resend"),
    path("to-manage/", views.to_manage, name="to_manage"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<uuid:public_id>/", views.received_detail, name="received"),
    path("inbox/<uuid:public_id>/xml/", views.received_xml, name="received_xml"),
    path("inbox/<uuid:public_id>/pdf/", views.received_pdf, name="received_pdf"),
    path("inbox/<uuid:public_id>/handled/", views.received_handled, name="received_handled"),
    path("customers/", views.customer_list, name="customers"),
    path("customers/new/", views.customer_edit, name="customer_create"),
    path("customers/<int:pk>/", views.customer_edit, name="customer_edit"),
    path("customers/<int:pk>/delete/", views.customer_delete, name="customer_delete"),
    path("articles/", views.article_list, name="articles"),
    path("articles/new/", views.article_edit, name="article_create"),
    path("articles/<int:pk>/", views.article_edit, name="article_edit"),
]
