"""API bearer tokens (accounts helper fills in)."""
