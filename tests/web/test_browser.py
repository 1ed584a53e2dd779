"""The browser test harness itself: chromium drives the live server, and axe finds violations."""

from __future__ import annotations

import pytest

from tests.web.axe import assert_accessible, violations
from tests.web.conftest import PageMaker, Site


def test_chromium_loads_a_page_from_the_live_server(new_page: PageMaker, site: Site) -> None:
    page = new_page()
    response = page.goto("/healthz")
    assert response is not None and response.status == 200
    assert '"ok"' in page.content()


def test_axe_reports_a_serious_violation(new_page: PageMaker) -> None:
    page = new_page()
    page.set_content('<html lang="en"><body><main><img src="x.png"></main></body></html>')
    assert "image-alt" in {v["id"] for v in violations(page)}
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)


def test_axe_passes_a_plain_accessible_page(new_page: PageMaker) -> None:
    page = new_page()
    page.set_content(
        '<html lang="en"><head><title>t</title></head>'
        "<body><main><h1>Hello</h1><p>Text.</p></main></body></html>"
    )
    assert_accessible(page)
