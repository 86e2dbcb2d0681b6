from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ketacare.audit"
    label = "audit"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from ketacare.audit.services import flush_pending_denials

        # Denied-access events held back inside a rolled-back transaction are written here.
        request_finished.connect(flush_pending_denials, dispatch_uid="ketacare_flush_denials")
