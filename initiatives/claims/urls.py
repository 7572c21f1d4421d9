from django.urls import path

from initiatives.claims import views

app_name = "claims"

urlpatterns = [
    path("", views.claim_list, name="list"),
    path("claims.csv", views.claim_download, {"fmt": "csv"}, name="csv"),
    path("claims.xlsx", views.claim_download, {"fmt": "xlsx"}, name="xlsx"),
    path("review/", views.review_queue, name="review"),
    path("review/verify/", views.review_verify, name="review_verify"),
    path("review.csv", views.review_download, {"fmt": "csv"}, name="review_csv"),
    path("review.xlsx", views.review_download, {"fmt": "xlsx"}, name="review_xlsx"),
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
