from django.urls import path

from initiatives.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_list, name="list"),
    path("new/", views.import_new, name="new"),
    path("template.xlsx", views.import_template, name="template"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/start/", views.import_start, name="start"),
    path("<int:pk>/errors.csv", views.import_errors, {"fmt": "csv"}, name="errors_csv"),
    path("<int:pk>/errors.xlsx", views.import_errors, {"fmt": "xlsx"}, name="errors_xlsx"),
]
