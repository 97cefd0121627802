from django.urls import path

from signing import views

app_name = "signing"

urlpatterns = [
    path("", views.verify, name="verify"),
    path("welcome/", views.interstitial, name="interstitial"),
    path("blocked/", views.blocked, name="blocked"),
    path("takeover/<str:org_number>/", views.takeover, name="takeover"),
    path("payment/<uuid:public_id>/", views.payment_change, name="payment_change"),
    path(
        "payment/<uuid:public_id>/withdraw/",
        views.payment_change_withdraw,
        name="payment_change_withdraw",
    ),
    path("orders/<uuid:public_id>/", views.order, name="order"),
    path("orders/<uuid:public_id>/status/", views.order_status, name="order_status"),
    path("orders/<uuid:public_id>/qr.svg", views.order_qr, name="order_qr"),
    path("orders/<uuid:public_id>/cancel/", views.order_cancel, name="order_cancel"),
]
