"""The round trip in a real browser (headless Chromium driven by Selenium): an agency opens its
link, downloads its template, fills it with LibreOffice (one figure wrong), uploads it, reads the
finding at its cell, downloads the feedback workbook with the cell marked, fixes the figure in it,
uploads it and sees 已通过; the coordinator's board changes with it.

Screenshots of each page go to $TOOLKIT_SCREENSHOTS (default /tmp/toolkit-serve-screenshots).
Missing Chromium is a skip on a developer machine and a failure in CI (TOOLKIT_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import base64
import os
import shutil
import time
from pathlib import Path

import openpyxl
import pytest
from faults import YEAR, clean_report

from toolkit.check import check_bytes

from .helpers import PASSWORD, start_server, write_roster

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SHOTS = Path(os.environ.get("TOOLKIT_SCREENSHOTS", "/tmp/toolkit-serve-screenshots"))


def _unavailable() -> str:
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        return f"{CHROMIUM} or {CHROMEDRIVER} is missing"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    return ""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    reason = _unavailable()
    if reason:
        if os.environ.get("TOOLKIT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium is required here (TOOLKIT_REQUIRE_BROWSER=1) but {reason}")
        pytest.skip(f"Chromium not available: {reason}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tmp_path_factory.mktemp("chromium-profile")
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", "--window-size=1200,1000", "--lang=zh-CN"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(15)  # a form post returns before the next page is there
    driver.downloads = downloads
    yield driver
    driver.quit()


def _shot(driver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = driver.execute_script("return document.documentElement.scrollWidth")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(max(1200, width), min(max(700, height + 120), 2400))
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def _wait_for(folder: Path, pattern: str, timeout: float = 20) -> Path:
    """The file downloaded into ``folder`` whose name matches ``pattern``, once complete."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        done = [p for p in folder.glob(pattern) if not list(folder.glob("*.crdownload"))]
        if done:
            return done[0]
        time.sleep(0.05)
    raise AssertionError(f"no {pattern} was downloaded into {folder}")


def test_round_trip_in_chromium(browser, office, tmp_path, spec):
    from selenium.webdriver.common.by import By

    from toolkit.office.driver import cells_by_code

    server = start_server(tmp_path / "data", write_roster(tmp_path / "roster.csv"), deadline="2100-01-20")
    try:
        link = server.links()["a1"]
        browser.get(server.url + "/login")  # the coordinator first: a1 has not reported
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.ID, "login").click()
        assert browser.find_element(By.ID, "count-none").text == "未报送 3"
        _shot(browser, "1-board-before")

        browser.get(link)
        assert "甲单位" in browser.find_element(By.TAG_NAME, "h1").text
        _shot(browser, "2-agency")
        browser.find_element(By.ID, "template").click()
        downloaded = _wait_for(browser.downloads, "a1.xlsx")
        template = check_bytes(downloaded.read_bytes(), "a1.xlsx", spec, year=YEAR)
        assert (template.agency_id, template.year) == ("a1", YEAR)

        # The clerk types the report into the downloaded template with LibreOffice, one figure wrong.
        report = clean_report(spec)
        typed = {**report["values"], **report["narratives"], **report["contact"]}
        faulty = office.fill(downloaded, tmp_path / "甲单位报表.xlsx", cells_by_code(spec, {**typed, "t3_new_natural": 999}))
        browser.find_element(By.ID, "file").send_keys(str(faulty))
        browser.find_element(By.ID, "upload").click()
        assert "未通过校验" in browser.find_element(By.ID, "verdict").text
        cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "td.cell")]
        assert "D30" in cells  # R1 on table three's column 自然人, at its cell
        row = browser.find_elements(By.CSS_SELECTOR, "table.findings tr.error")[cells.index("D30")]
        assert "自然人" in row.text and "R1" in row.text
        _shot(browser, "3-findings")
        finding = next(f for f in check_bytes(faulty.read_bytes(), faulty.name, spec, year=YEAR).findings if f.cell == "D30")
        browser.find_element(By.ID, "feedback").click()  # the workbook returned with the problem marked
        feedback = _wait_for(browser.downloads, "*反馈表*.xlsx")
        book = openpyxl.load_workbook(feedback)
        assert "校验意见" in book.sheetnames and book[finding.sheet]["D30"].comment is not None

        browser.get(link)  # the clerk fixes the figure in the feedback workbook and uploads that
        fixed = office.fill(feedback, tmp_path / "甲单位报表（改）.xlsx", cells_by_code(spec, {"t3_new_natural": typed["t3_new_natural"]}))
        browser.find_element(By.ID, "file").send_keys(str(fixed))
        browser.find_element(By.ID, "upload").click()
        assert "已通过校验，报送完成" in browser.find_element(By.ID, "verdict").text
        _shot(browser, "4-passed")
        browser.find_element(By.ID, "report").click()
        docx = _wait_for(browser.downloads, "*.docx")
        assert docx.name == f"甲单位{YEAR}年政府信息公开工作年度报告（预览）.docx" and docx.read_bytes()[:2] == b"PK"

        browser.get(server.url + "/board")  # still logged in: the board has changed
        assert browser.find_element(By.ID, "count-ok").text == "已通过 1"
        assert browser.find_element(By.ID, "count-none").text == "未报送 2"
        row = browser.find_element(By.CSS_SELECTOR, 'tr[data-agency="a1"]')
        assert "已通过" in row.text and "张三" in row.text
        _shot(browser, "5-board-after")
        from selenium.webdriver.common.print_page_options import PrintOptions

        printed = PrintOptions()
        printed.orientation = "landscape"
        (SHOTS / "5-board-print.pdf").write_bytes(base64.b64decode(browser.print_page(printed)))
        assert (SHOTS / "5-board-print.pdf").read_bytes()[:4] == b"%PDF"
        browser.find_element(By.LINK_TEXT, "甲单位").click()
        assert len(browser.find_elements(By.CSS_SELECTOR, "table.list tbody tr")) == 2
        _shot(browser, "6-agency-history")
        logs = browser.get_log("browser")
        assert not [entry for entry in logs if entry["level"] == "SEVERE"], logs  # no CSP violation, no missing asset
    finally:
        server.stop()
