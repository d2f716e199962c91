def test_home_lists_ecosystems(client, world):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Digital Wallonia" in body and "La French Tech" in body


def test_home_without_any_ecosystem_says_how_to_start(client, db):
    body = client.get("/").content.decode()
    assert "jumelage demo" in body


def test_static_files_are_served_without_collectstatic_in_embedded_mode(client, db):
    response = client.get("/static/jumelage/css/jumelage.css")
    assert response.status_code == 200
    assert b".site-header" in b"".join(response.streaming_content)
