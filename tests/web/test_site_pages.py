"""The browser tests' one list of the site's pages (e2e/site.py) is the app's URL map:
every GET address without a path argument, less the few that are no page to look at."""
from e2e.site import NOT_PAGES, SITE_PAGES


def test_the_declared_pages_are_the_apps_pages(app):
    addresses = {rule.rule for rule in app.url_map.iter_rules()
                 if "GET" in rule.methods and not rule.arguments}
    assert set(NOT_PAGES) <= addresses, "a non-page that the app no longer has"
    assert sorted(SITE_PAGES) == sorted(addresses - set(NOT_PAGES))
    assert len(set(SITE_PAGES)) == len(SITE_PAGES)


def test_each_declared_page_answers_with_html(app):
    client = app.test_client()
    for path in SITE_PAGES:
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        assert response.mimetype == "text/html", path
