from django.urls import path

from seminars import views

app_name = "seminars"
urlpatterns = [
    path("koordination/seminare/", views.seminar_list, name="list"),
]
