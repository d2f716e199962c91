from jumelage.brokerage.models import Brokerage
from jumelage.demo.events import load_demo_events


def test_the_demo_smart_city_day_has_b2b_meetings_open_for_requests(world):
    load_demo_events()
    brokerage = Brokerage.objects.get(event__slug="demo-smart-city-day")
    assert brokerage.status == "open"
    assert brokerage.tables.count() == 10
    # 10:30–12:30 and 14:00–16:00 in 20-minute meetings with 5-minute pauses: 5 slots each
    assert brokerage.slots.count() == 10
    assert all(s.startswith("Demo") for s in brokerage.sessions.values_list("name", flat=True))
