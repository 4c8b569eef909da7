"""/docs in a real browser with no internet (issue 12 §4): Swagger UI renders every operation
of the OpenAPI document from this server's own files, and loads nothing from anywhere else."""

from __future__ import annotations

import pytest
import requests
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser import offline_chromium
from tests.servers import Server

pytestmark = [pytest.mark.slow, pytest.mark.store_independent]

OLD_CDN = "https://cdn.jsdelivr.net/npm/swagger-ui-dist/swagger-ui-bundle.js"


def test_swagger_ui_renders_every_operation_offline(server: Server) -> None:
    spec = requests.get(f"{server.url}/api/v1/openapi.json", timeout=30).json()
    operations = sum(1 for item in spec["paths"].values() for method in item
                     if method in ("get", "post", "put", "patch", "delete"))
    assert operations > 30

    with offline_chromium() as browser:
        # the browser really is offline: what /docs loaded before (the CDN) cannot load
        with pytest.raises(WebDriverException, match="ERR_NAME_NOT_RESOLVED"):
            browser.get(OLD_CDN)

        browser.get(f"{server.url}/docs")
        WebDriverWait(browser, 30).until(
            lambda b: b.execute_script("return document.querySelectorAll('.opblock').length")
            == operations)
        title = browser.execute_script(
            "return document.querySelector('.info .title').textContent")
        assert title.startswith("hirelog")
        loaded = browser.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)")
        assert f"{server.url}/api/v1/openapi.json" in loaded
        assert f"{server.url}/docs/assets/swagger-ui-bundle.js" in loaded
        assert all(url.startswith(f"{server.url}/") for url in loaded), loaded
        errors = [entry for entry in browser.get_log("browser")
                  if entry["level"] == "SEVERE"]
        assert errors == []
