"""The curator's HTML report in a real headless Chromium (Debian's chromium, installed by
.ci/run): it loads with no console error and no network request, shows every finding code and
one quicklook per raster, and station tables get their columns drawn over time."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from affine import Affine

from tpqc.examples.wudaoliang.generate import NORTH, PIXEL, WEST, alt_field, write_alt
from tpqc_testkit import run_cli

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("TPQC_REQUIRE_BROWSER"):
            pytest.fail(f"chromium is required for the browser tests: {CHROMIUM}")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def open_report(browser: Any, path: Path, screenshot: Path) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.screenshot(path=str(screenshot), full_page=True)
    return page, errors, [r for r in requests if r != path.as_uri()]


def plant(example: Path) -> None:
    data = alt_field(2018)
    data[40, 7:10] = 12.5
    (example / "Wudaoliang_ALT_2018.tif").unlink()
    write_alt(example / "Wudaoliang_ALT_2018.tif", data)
    data = alt_field(2020)
    data[5, 5:7] = np.nan
    (example / "Wudaoliang_ALT_2020.tif").unlink()
    write_alt(example / "Wudaoliang_ALT_2020.tif", data)
    (example / "Wudaoliang_ALT_2019.tif").unlink()
    shifted = Affine(PIXEL, 0, WEST + PIXEL / 2, 0, -PIXEL, NORTH)
    write_alt(example / "Wudaoliang_ALT_2019.tif", alt_field(2019), transform=shifted)
    spec = example / "spec.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("license: CC-BY-4.0", "license: CC BY 4.0"),
        encoding="utf-8",
    )


def test_report_of_planted_defects_in_a_real_browser(
    browser: Any, example: Path, tmp_path: Path
) -> None:
    plant(example)
    spec = str(example / "spec.yaml")
    html = tmp_path / "report.html"
    result = run_cli("validate", spec, "-f", "html", "-o", str(html), "--no-cache")
    assert result.exit_code == 1, result.stderr
    report = json.loads(run_cli("validate", spec, "-f", "json", "--no-cache").stdout)
    codes = {f["code"] for f in report["findings"]}
    assert {"R014", "R015", "D004", "M007"} <= codes
    page, errors, requests = open_report(browser, html, tmp_path / "report.png")
    assert errors == [] and requests == []
    assert (tmp_path / "report.png").stat().st_size > 10_000
    shown = set(page.locator("tr.finding").evaluate_all("rows => rows.map(r => r.dataset.code)"))
    assert shown == codes
    assert page.locator("img.quicklook").count() == 4  # one per raster file
    assert page.locator("#verdict").inner_text().strip().lower() == "failed"
    # the three files on one grid are one outline, the shifted 2019 another, and the extent
    outlines = page.locator("#map polygon").evaluate_all(
        "shapes => shapes.map(s => s.querySelector('title').textContent)"
    )
    assert sorted(outlines) == sorted(
        [
            "3 files: Wudaoliang_ALT_2017.tif, Wudaoliang_ALT_2018.tif, Wudaoliang_ALT_2020.tif",
            "Wudaoliang_ALT_2019.tif",
            "declared extent 91.8, 34.8 .. 94.04, 35.61",
        ]
    )
    # a graticule labelled in degrees frames the data
    labels = page.locator("#map text").evaluate_all("texts => texts.map(t => t.textContent)")
    assert "92.0°E" in labels and "35.0°N" in labels
    for code in codes:
        assert page.locator(f"#check-{code}").count() == 1  # each finding links its check
    text = html.read_text(encoding="utf-8")
    assert "<script" not in text and "http://" not in text.replace("http://www.w3.org", "")


def test_report_is_deterministic(example: Path, tmp_path: Path) -> None:
    spec = str(example / "spec.yaml")
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    run_cli("validate", spec, "-f", "html", "-o", str(first), "--no-cache")
    run_cli("validate", spec, "-f", "html", "-o", str(second), "--no-cache", "-j", "1")
    assert first.read_bytes() == second.read_bytes()


def test_station_table_columns_are_drawn_over_time(browser: Any, tmp_path: Path) -> None:
    from tpqc.examples.aws.generate import spec_text, write_aws_year

    data = tmp_path / "data"
    write_aws_year(data / "Dashalong_AWS_2019.csv", 2019, days=30, defects=("rh130", "gap6h"))
    (data / "spec.yaml").write_text(spec_text(), encoding="utf-8")
    html = tmp_path / "aws.html"
    run_cli("validate", str(data / "spec.yaml"), "-f", "html", "-o", str(html), "--no-cache")
    page, errors, requests = open_report(browser, html, tmp_path / "aws.png")
    assert errors == [] and requests == []
    charts = page.locator(".file-section .charts svg")
    assert charts.count() >= 10  # one per declared column
    rh = page.locator(".file-section .charts svg[aria-label^='RH']").first
    assert rh.locator("line[stroke='#c62828']").count() >= 1  # the 130 % values in red
    assert page.locator(".file-section .charts rect[fill='#c62828']").count() >= 1  # the gap
