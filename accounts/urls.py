from django.urls import path

from accounts import views, views_api_keys

app_name = "accounts"

urlpatterns = [
    path("new/", views.onboarding, name="onboarding"),
    path("new/<str:org_number>/", views.onboarding_details, name="onboarding_details"),
    path("new/<str:org_number>/join/", views.join, name="join"),
    path("new/<str:org_number>/taken/", views.taken, name="taken"),
    path("switch/", views.switch, name="switch"),
    path("members/", views.members, name="members"),
    path("members/invite/", views.invite, name="invite"),
    path("members/<int:pk>/role/", views.member_role, name="member_role"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/accept/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("join-requests/<int:pk>/decide/", views.join_request_decide, name="join_request_decide"),
    path("settings/", views.settings_view, name="settings"),
    path("plan/", views.plan, name="plan"),
    path("api-keys/", views_api_keys.api_keys, name="api_keys"),
    path("api-keys/<int:pk>/revoke/", views_api_keys.api_key_revoke, name="api_key_revoke"),
    path("audit/", views.audit, name="audit"),
]
