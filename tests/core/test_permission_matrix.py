"""Every URL and API route × every role of build_world(), against the table in route_matrix.py."""

import json
from urllib.parse import urlencode

import pytest
from django.urls import resolve

from tests.core import route_matrix
from tests.core.route_matrix import (
    ROLES,
    ROWS,
    api_operations,
    check,
    extend_world,
    normalise,
    project_routes,
    url_for,
)


@pytest.fixture
def matrix_world(world):
    return extend_world(world)


def walk(role, world, client_factory):
    """Request every row as `role`, yielding (row, url, response). One client per role; rows that log
    out or change the session get their own."""
    user = world.users[role]
    client = client_factory(user)
    for row in ROWS:
        url = url_for(row, world)
        c = client_factory(user) if row.isolated else client
        if row.json:
            body, content_type = json.dumps(row.data), "application/json"
        else:
            body, content_type = urlencode(row.data), "application/x-www-form-urlencoded"
        response = c.generic(row.method, url, body, content_type=content_type)
        yield row, url, response


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_table_says(role, matrix_world, client_factory):
    failures = [
        problem
        for row, url, response in walk(role, matrix_world, client_factory)
        if (problem := check(row, role, url, response))
    ]
    assert not failures, f"{len(failures)} unexpected answer(s):\n" + "\n".join(failures)


def test_every_url_pattern_has_expected_answers():
    covered = {row.route for row in ROWS}
    missing = sorted(project_routes() - covered)
    assert not missing, "\n".join(
        f"route {route} has no expected answers in route_matrix.py: add a row" for route in missing
    )


def test_every_api_operation_has_expected_answers():
    covered = {row.key() for row in ROWS}
    missing = sorted(api_operations() - covered)
    assert not missing, "\n".join(
        f"route {method} /{route} has no expected answers in route_matrix.py: add a row"
        for method, route in missing
    )


def test_every_row_names_a_route_that_exists_and_its_url_resolves_to_it(matrix_world):
    world = matrix_world
    routes = project_routes()
    stale = []
    for row in ROWS:
        url = url_for(row, world).split("?")[0]
        if row.route not in routes:
            stale.append(f"row for {row.route}: no such route in the project any more")
            continue
        resolved = normalise(resolve(url).route)
        if resolved != row.route:
            stale.append(f"row for {row.route}: its url {url} resolves to {resolved}")
    assert not stale, "\n".join(stale)


def test_a_route_without_a_row_is_named_in_the_failure(monkeypatch):
    """The guard itself: drop the rows of a route and the check reports exactly that route."""
    before = project_routes() - {row.route for row in ROWS}
    monkeypatch.setattr(route_matrix, "ROWS", [r for r in ROWS if r.route != "directory/import/"])
    after = project_routes() - {row.route for row in route_matrix.ROWS}
    assert after - before == {"directory/import/"}
