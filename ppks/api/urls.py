from rest_framework.routers import SimpleRouter

from ppks.api import views

router = SimpleRouter()
router.register("registrations", views.RegistrationViewSet, basename="registration")
router.register("persons", views.PersonViewSet, basename="person")
router.register("ppks-categories", views.CategoryViewSet, basename="ppks-category")
router.register("referrals", views.ReferralViewSet, basename="referral")

urlpatterns = router.urls
