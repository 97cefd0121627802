from django.urls import path

from review import views

app_name = "review"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.concern_new, name="concern_new"),
    path("<int:flag_id>/", views.case, name="case"),
    path("<int:flag_id>/decide/", views.decide, name="decide"),
    path("<int:flag_id>/second-review/", views.second_review, name="second_review"),
    path(
        "<int:flag_id>/evidence/<int:evidence_id>/verify/",
        views.evidence_verify,
        name="evidence_verify",
    ),
    path("organisations/<uuid:public_id>/audit.csv", views.audit_csv, name="audit_csv"),
]
