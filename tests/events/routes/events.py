from tests.core.route_matrix import Row, every, roles  # noqa: F401

ROWS: list[Row] = [
    Row("events/", "/events/", every(200), shows="Smart City Day"),
]


def extend(world):
    return world
