from rest_framework.routers import SimpleRouter

from actionplans.api import views

router = SimpleRouter()
router.register("action-plans", views.ActionPlanViewSet, basename="action-plan")
router.register("programme-stages", views.ProgrammeStageViewSet, basename="programme-stage")
router.register("stage-change-requests", views.StageChangeRequestViewSet, basename="stage-change-request")
router.register("stimulus-tranches", views.StimulusTrancheViewSet, basename="stimulus-tranche")
router.register("assets", views.AssetViewSet, basename="asset")
router.register("monitoring-visits", views.MonitoringVisitViewSet, basename="monitoring-visit")

urlpatterns = router.urls
