from rest_framework.routers import SimpleRouter

from dimensions.api import views

router = SimpleRouter()
router.register("assessments", views.AssessmentViewSet, basename="assessment")

urlpatterns = router.urls
