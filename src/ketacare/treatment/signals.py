"""Signals other apps listen to, so that treatment need not import the layers above it."""

from django.dispatch import Signal

# Sent inside the transaction that created a plan or moved or cancelled one of its sessions,
# after the sessions are saved: `plan` (the TreatmentPlan), `by` (the Membership). Long-term
# results lay out the plan's measurement timepoints from it.
plan_scheduled = Signal()
