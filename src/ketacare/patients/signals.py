"""Signals other apps listen to, so that lower layers need not import the upper ones."""

from django.dispatch import Signal

# Sent inside the transaction that saved a scored rating scale, whatever the channel (staff
# entry, a patient's link): `assessment`, `by` (the Membership, or None for a patient's link).
assessment_recorded = Signal()
