"""A real browser for the tests: Debian's chromium, headless, driven by selenium through
Debian's chromedriver (nothing is downloaded at run time). Every host name but 127.0.0.1
fails to resolve inside it, so a page that needs the internet breaks as it would offline.

Where chromium is not installed the browser tests skip, unless HIRELOG_REQUIRE_BROWSER=1 (CI,
which installs it: .ci/run), where they fail."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = ("chromium", "chromedriver")
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"


def require_browser() -> tuple[str, str]:
    """The paths of chromium and chromedriver, or a skip (a failure in CI)."""
    found = [shutil.which(name) for name in CHROMIUM]
    if all(found):
        return found[0] or "", found[1] or ""
    missing = [name for name, path in zip(CHROMIUM, found, strict=True) if not path]
    message = (f"{' and '.join(missing)} not installed (Debian: apt-get install chromium "
               "chromium-driver)")
    if os.environ.get("HIRELOG_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def offline_chromium() -> Iterator[webdriver.Chrome]:
    """A headless chromium that reaches 127.0.0.1 only."""
    binary, driver = require_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,2000", OFFLINE):
        options.add_argument(argument)
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium manager: never download a driver
    browser = webdriver.Chrome(options=options, service=Service(driver))
    try:
        yield browser
    finally:
        browser.quit()
