"""The events API: one router per area, joined here and mounted under /api/v1/ by jumelage.api."""

from ninja import Router

from jumelage.events.api import calls, events, programme, registration

router = Router()
for _module in (events, programme, calls, registration):
    router.add_router("", _module.router)
