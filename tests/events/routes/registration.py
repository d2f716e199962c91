"""Role × route rows of the registration area: the form, the registrant's own pages (the secret token is
the key: no account needed), the staff list and check-in desk, and the registration API.

world.event is Smart City Day (public, published). extend() registers three visitors: world.registration
(confirmed, "Matrix Attendee"), world.registration_cancel (cancelled by the page row) and
world.registration_api_cancel (cancelled by the API row)."""

from tests.core.route_matrix import LOGIN, REDIRECT, Row, every, roles

REGISTER = "events/<slug:slug>/register/"
LIST = "events/<slug:slug>/registrations/"
CHECK_IN = "events/<slug:slug>/check-in/"
DETAIL = "events/registration/<str:token>/"
QR = "events/registration/<str:token>/qr.svg"
CANCEL = "events/registration/<str:token>/cancel/"
BADGE = "events/registration/<str:token>/badge.pdf"
BADGES = "events/<slug:slug>/badges.pdf"
API_REGISTER = "api/v1/events/<slug>/registrations"
API_OWN = "api/v1/registrations/<token>"
API_CANCEL = "api/v1/registrations/<token>/cancel"
API_CHECK_IN = "api/v1/events/<slug>/check-in"

STAFF_ONLY = roles(
    visitor=LOGIN, member=403, representative=403, node_staff=200, ecosystem_staff=200, admin=200
)
API_STAFF_ONLY = roles(
    visitor=401, member=403, representative=403, node_staff=200, ecosystem_staff=200, admin=200
)

# The API check-in names a registration of the world, whose id is known only once the world is built:
# extend() fills it in (the dict is the row's own).
_API_CHECK_IN_DATA: dict = {}

ROWS: list[Row] = [
    Row(REGISTER, "/events/{w.event.slug}/register/", every(200), shows="Smart City Day"),
    Row(REGISTER, "/events/no-such-event/register/", every(404)),
    Row(
        REGISTER,
        "/events/{w.event.slug}/register/",
        every(REDIRECT),
        method="POST",
        data={"name": "Matrix Newcomer", "email": "newcomer@example.org", "language": "en"},
        note="registered: on to the registrant's own page",
    ),
    Row(
        REGISTER,
        "/events/{w.event.slug}/register/",
        every(400),
        method="POST",
        data={"name": "", "email": "not-an-address", "language": "en"},
    ),
    Row(DETAIL, "/events/registration/{w.registration.token}/", every(200), shows="Matrix Attendee"),
    Row(DETAIL, "/events/registration/no-such-token/", every(404), hides="Matrix Attendee"),
    Row(QR, "/events/registration/{w.registration.token}/qr.svg", every(200), shows="<svg"),
    Row(QR, "/events/registration/no-such-token/qr.svg", every(404)),
    Row(BADGE, "/events/registration/{w.registration.token}/badge.pdf", every(200), shows="%PDF"),
    Row(BADGE, "/events/registration/no-such-token/badge.pdf", every(404)),
    Row(BADGES, "/events/{w.event.slug}/badges.pdf", STAFF_ONLY, shows="%PDF"),
    Row(
        CANCEL,
        "/events/registration/{w.registration_cancel.token}/cancel/",
        every(200),
        shows="Matrix Leaver",
    ),
    Row(
        CANCEL,
        "/events/registration/{w.registration_cancel.token}/cancel/",
        every(REDIRECT),
        method="POST",
        isolated=True,
    ),
    Row(LIST, "/events/{w.event.slug}/registrations/", STAFF_ONLY, shows="Matrix Attendee", hides="Matrix"),
    Row(LIST, "/events/no-such-event/registrations/", every(404)),
    Row(CHECK_IN, "/events/{w.event.slug}/check-in/", STAFF_ONLY, shows="Smart City Day", hides="Matrix"),
    Row(
        CHECK_IN,
        "/events/{w.event.slug}/check-in/",
        STAFF_ONLY,
        method="POST",
        data={"scan": "Matrix Attendee"},
        shows="matrix@example.org",
        hides="matrix@example.org",
    ),
    # --- API -----------------------------------------------------------------------------------------
    Row(
        API_REGISTER,
        "/api/v1/events/{w.event.slug}/registrations",
        every(201),
        method="POST",
        json=True,
        data={"name": "Api Newcomer", "email": "api-newcomer@example.org", "language": "en"},
    ),
    Row(API_REGISTER, "/api/v1/events/{w.event.slug}/registrations", API_STAFF_ONLY, shows="Matrix Attendee"),
    Row(API_REGISTER, "/api/v1/events/no-such-event/registrations", {**every(404), "visitor": 401}),
    Row(API_OWN, "/api/v1/registrations/{w.registration.token}", every(200), shows="Matrix Attendee"),
    Row(API_OWN, "/api/v1/registrations/no-such-token", every(404), hides="Matrix"),
    Row(
        API_CANCEL,
        "/api/v1/registrations/{w.registration_api_cancel.token}/cancel",
        every(200),
        method="POST",
        shows="cancelled",
    ),
    Row(
        API_CHECK_IN,
        "/api/v1/events/{w.event.slug}/check-in",
        API_STAFF_ONLY,
        method="POST",
        json=True,
        data=_API_CHECK_IN_DATA,
        shows="checked_in",
        hides="Matrix",
    ),
]


def extend(world):
    from jumelage.events.services.registration import register

    world.registration = register(event=world.event, name="Matrix Attendee", email="matrix@example.org")
    world.registration_cancel = register(event=world.event, name="Matrix Leaver", email="leaver@example.org")
    world.registration_api_cancel = register(
        event=world.event, name="Api Leaver", email="api-leaver@example.org"
    )
    _API_CHECK_IN_DATA.clear()
    _API_CHECK_IN_DATA["registration"] = world.registration.pk
    return world
