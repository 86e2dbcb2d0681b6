from ninja import Router

router = Router(auth=None, tags=["Public (no sign-in)"])
