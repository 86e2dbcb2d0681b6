from ninja import Router

router = Router(tags=["Long-term results"])
