"""The brokerage API: requests, answers, agenda and the scheduler, with the pages' rules."""

import json

from django.test import Client

from jumelage.brokerage.models import MeetingRequest


def api(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_a_request_and_its_answer_through_the_api(brokerage_world, smtp):
    brokerage, p, _ = brokerage_world
    base = f"/api/v1/events/{brokerage.event.slug}/b2b"
    anna, bruno = api(p["Anna"].user), api(p["Bruno"].user)
    names = [x["name"] for x in anna.get(f"{base}/participants").json()["items"]]
    assert names == ["Anna", "Bruno", "Chloé", "Dirk"]
    filtered = anna.get(f"{base}/participants", {"country": "fr"}).json()["items"]
    assert [x["name"] for x in filtered] == ["Bruno", "Chloé"]  # the page's filters
    assert [x["name"] for x in anna.get(f"{base}/participants", {"q": "dirk sa"}).json()["items"]] == ["Dirk"]
    response = post(anna, f"{base}/requests", {"recipient": p["Bruno"].pk, "message": "Hello"})
    assert response.status_code == 201 and response.json()["status"] == "pending"
    request_id = response.json()["id"]
    response = post(bruno, f"{base}/requests/{request_id}/answer", {"accept": True})
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert MeetingRequest.objects.get(pk=request_id).meeting is not None
    # The same e-mails as through the pages: the request to Bruno, the answer to Anna.
    assert [m.subject for m in smtp.to("bruno@example.org")] == ["Anna asks you for a meeting"]
    assert [m.subject for m in smtp.to("anna@example.org")] == ["Bruno accepted your meeting request"]

    # Anna cancels the agreed meeting: Bruno is told; cancelling again is refused with the reason.
    response = post(anna, f"{base}/requests/{request_id}/withdraw", {})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert smtp.to("bruno@example.org")[-1].subject == "Anna cancelled your meeting"
    response = post(anna, f"{base}/requests/{request_id}/withdraw", {})
    assert response.status_code == 422 and "no longer open" in json.dumps(response.json())


def test_refusals_come_back_as_problems_naming_the_reason(brokerage_world):
    brokerage, p, _ = brokerage_world
    base = f"/api/v1/events/{brokerage.event.slug}/b2b"
    anna = api(p["Anna"].user)
    response = post(anna, f"{base}/requests", {"recipient": p["Anna"].pk})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert "cannot ask for a meeting with yourself" in json.dumps(response.json())
    response = post(anna, f"{base}/requests", {"recipient": p["Bruno"].pk, "message": "x" * 2001})
    assert response.status_code == 422 and not MeetingRequest.objects.exists()


def test_organisers_run_the_scheduler_and_publish_through_the_api(
    brokerage_world, django_capture_on_commit_callbacks
):
    brokerage, p, staff = brokerage_world
    base = f"/api/v1/events/{brokerage.event.slug}/b2b"
    post(api(p["Bruno"].user), f"{base}/requests", {"recipient": p["Anna"].pk})
    request_id = MeetingRequest.objects.get().pk
    post(api(p["Anna"].user), f"{base}/requests/{request_id}/answer", {"accept": True})
    organiser = api(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(organiser, f"{base}/runs", {"time_limit": 5})
    assert response.status_code == 202
    run = organiser.get(f"{base}/runs/{response.json()['id']}").json()
    assert run["status"] == "ready" and run["placed"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = post(organiser, f"{base}/runs/{run['id']}/publish", {})
    assert response.json()["status"] == "published"
    agenda = api(p["Anna"].user).get(f"{base}/agenda").json()
    assert len(agenda) == 1 and agenda[0]["with_name"] == "Bruno"
    # a participant may not run the scheduler
    assert post(api(p["Anna"].user), f"{base}/runs", {"time_limit": 5}).status_code == 403
