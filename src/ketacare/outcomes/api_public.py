from ninja import Router

router = Router(auth=None, tags=["Patient links (no sign-in)"])
