"""The medicine of KetaCare as pure Python: no Django, no I/O, no clock.

Every medical number lives in the rule registry (`ketacare.clinical.rules`), each rule
carrying its id and its source in `shared/clinical-reference.md`.
"""
