"""The medicine of KetaCare as pure Python: no Django, no I/O, no clock.

Every medical number lives in the rule registry (`ketacare.clinical.rules`), each rule
carrying its id and its source in `shared/clinical-reference.md`.
"""

# Load the registry first: catalog modules import `rules`, which gathers the catalog, so a catalog
# module imported on its own would otherwise meet a half-built `rules`.
from ketacare.clinical import rules as rules
