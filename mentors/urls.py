from django.urls import path

from mentors import views

app_name = "mentors"
urlpatterns = [
    path("koordination/paten/", views.mentor_list, name="list"),
]
