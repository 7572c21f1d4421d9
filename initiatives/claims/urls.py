from django.urls import path

from initiatives.claims import views

app_name = "claims"

urlpatterns = [
    path("", views.claim_list, name="list"),
    path("claims.csv", views.claim_csv, name="csv"),
    path("review/", views.review_queue, name="review"),
    path("<int:pk>/", views.claim_detail, name="detail"),
    path("<int:pk>/edit/", views.claim_edit, name="edit"),
    path("<int:pk>/submit/", views.claim_submit, name="submit"),
    path("<int:pk>/withdraw/", views.claim_withdraw, name="withdraw"),
    path("<int:pk>/decide/", views.claim_decide, name="decide"),
    path("<int:pk>/correct/", views.claim_correct, name="correct"),
    path("<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence"),
    path(
        "<int:pk>/evidence/<int:evidence_pk>/remove/", views.evidence_remove, name="evidence_remove"
    ),
]
