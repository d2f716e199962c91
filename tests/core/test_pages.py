def test_home_lists_ecosystems(client, world):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Digital Wallonia" in body and "La French Tech" in body


def test_home_without_any_ecosystem_says_how_to_start(client, db):
    body = client.get("/").content.decode()
    assert "jumelage demo" in body
