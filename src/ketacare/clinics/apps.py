from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    name = "ketacare.clinics"
    label = "clinics"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from ketacare.clinics.tenancy import flush_pending_denials

        # Denied-access events kept aside inside a rolled-back transaction are written here.
        request_finished.connect(flush_pending_denials, dispatch_uid="ketacare_flush_denials")
