"""`ketacare demo`: the demo clinics with patients at every step of the path (synthetic only)."""
