"""Rows of the role × route matrix (tests/core/route_matrix.py) for the events app, one module per area.
Each module defines `ROWS` and `extend(world)`, which adds the objects its rows name to the world."""

from tests.events.routes import calls, events, programme, registration, reports, schedule

AREAS = (events, schedule, programme, calls, registration, reports)
ROWS = [row for area in AREAS for row in area.ROWS]


def extend(world):
    from tests.factories import build_event

    world.event = build_event(world)
    for area in AREAS:
        area.extend(world)
    return world
