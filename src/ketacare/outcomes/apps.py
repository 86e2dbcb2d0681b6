from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "ketacare.outcomes"
    label = "outcomes"
    verbose_name = "Long-term results"

    def ready(self) -> None:
        # Lower layers send signals; this app listens, so they never import it.
        from ketacare.outcomes import receivers
        from ketacare.patients.signals import assessment_recorded
        from ketacare.treatment.signals import plan_scheduled

        plan_scheduled.connect(
            receivers.on_plan_scheduled, dispatch_uid=receivers.PLAN_SCHEDULED_UID
        )
        assessment_recorded.connect(
            receivers.on_assessment_recorded, dispatch_uid=receivers.ASSESSMENT_RECORDED_UID
        )
