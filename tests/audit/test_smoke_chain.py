from ketacare.audit.models import Action, AuditEvent
from ketacare.audit.services import record_event


def test_events_chain_onto_each_other(alice, patient_a):
    first = record_event(action=Action.READ, membership=alice, object_type="patient",
                         object_id=patient_a.pk, patient_id=patient_a.pk)
    second = record_event(action=Action.READ, membership=alice, object_type="patient",
                          object_id=patient_a.pk, patient_id=patient_a.pk)
    assert second.previous_hash == first.hash
    assert AuditEvent.objects.count() == 2
