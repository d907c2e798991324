from django.urls import path

from newcomers import views

app_name = "newcomers"
urlpatterns = [
    path("koordination/vermittlungen/", views.referral_list, name="referral_list"),
    path("koordination/tandems/", views.tandem_list, name="tandem_list"),
    path("vermittlungen/", views.my_referrals, name="my_referrals"),
]
