"""The generated pages, opened in a real browser (Debian's headless Chromium through its own
chromedriver, so nothing is downloaded): index.html, a report and a lesson page show no raw LaTeX
or Markdown, every image loads, and no request leaves the machine.

The browser runs behind a proxy that answers nothing (127.0.0.1:9), so a page that needed the
network would also look broken; its performance log lists every request the pages made, and only
``file:`` and ``data:`` URLs may appear there.

One browser session serves all three pages (a module fixture; the xdist group keeps the tests on
one worker). Set ``SCRATCH_VS_KERAS_SCREENSHOTS=DIR`` to keep a screenshot of each page.
"""

import json
import os
import shutil

import pytest

from scratch_vs_keras import experiments
from scratch_vs_keras.lessons import run_lessons

pytestmark = pytest.mark.xdist_group("browser")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
LOCAL = ("file:", "data:", "about:", "blob:")
RAW = ["$", "\\frac", "\\mathbf", "\\sum", "^{", "_{", "**", "__"]

# The text a reader sees: visible text nodes outside code (Python's ** is not Markdown).
VISIBLE_TEXT = """
const skip = 'pre, code, script, style, .jp-InputArea, .jp-OutputArea, .highlight';
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const out = [];
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  const el = n.parentElement;
  if (!el || el.closest(skip) || !el.checkVisibility()) continue;
  out.push(n.textContent);
}
return out.join(' ');
"""
IMAGES = """
return Array.from(document.images).map(i => [i.alt.slice(0, 60), i.complete, i.naturalWidth]);
"""
MATH = """
return Array.from(document.querySelectorAll('math')).map(
  m => [m instanceof MathMLElement, m.getBoundingClientRect().width, m.getBoundingClientRect().height]);
"""


def _browser_or_skip():
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.path.exists(p)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package")
    if missing:
        reason = f"no browser to check the pages in: {', '.join(missing)} missing"
        if os.environ.get("SCRATCH_VS_KERAS_REQUIRE_BROWSER"):
            pytest.fail(reason + " (.ci/run installs chromium and chromium-driver)")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """index.html, the vanishing-gradients report (Markdown with ``**A * (1 − A)**``, figures)
    and lesson 1 (LaTeX in every Markdown cell), generated as a user would."""
    _browser_or_skip()
    out = tmp_path_factory.mktemp("reports")
    experiments.run("vanishing_gradients", experiments.Config(quick=True, out=str(out)))
    run_lessons(str(out), quick_mode=True, names=["01_backprop_equations"])
    return {"index": out / "index.html", "report": out / "vanishing_gradients" / "report.html",
            "lesson": out / "lessons" / "01_backprop_equations.html"}


@pytest.fixture(scope="module")
def browser(pages):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1200,900", "--proxy-server=http://127.0.0.1:9",
                "--proxy-bypass-list=<-loopback>", "--no-first-run",
                "--disable-background-networking", "--disable-component-update"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def requests_made(driver):
    """URLs the page asked for since the last call (from Chrome's performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
        elif message["method"] == "Network.webSocketCreated":
            urls.append(message["params"]["url"])
    return urls


@pytest.mark.parametrize("page", ["index", "report", "lesson"])
def test_page_renders_offline_with_nothing_raw(page, pages, browser):
    browser.get_log("performance")  # drop what came before
    browser.get(pages[page].as_uri())
    assert browser.execute_script("return document.readyState") == "complete"
    shots = os.environ.get("SCRATCH_VS_KERAS_SCREENSHOTS")
    if shots:
        os.makedirs(shots, exist_ok=True)
        browser.save_screenshot(os.path.join(shots, f"{page}.png"))

    urls = requests_made(browser)
    assert urls and all(u.startswith(LOCAL) for u in urls), [u for u in urls if not u.startswith(LOCAL)]

    text = browser.execute_script(VISIBLE_TEXT)
    assert len(text) > 200
    shown = {raw: text[max(0, text.find(raw) - 40):text.find(raw) + 40] for raw in RAW if raw in text}
    assert not shown, shown

    images = browser.execute_script(IMAGES)
    assert all(complete and width > 0 for _, complete, width in images), images
    if page == "report":
        assert len(images) >= 2
        assert "A * (1 − A)" in text  # the bold text is there, as bold, not as **...**
    if page == "lesson":
        math = browser.execute_script(MATH)
        assert len(math) >= 5 and all(is_mathml and w > 0 and h > 0 for is_mathml, w, h in math), math
    if page == "index":
        assert "Quick run" in text and "breast_cancer" in text and "Vanishing gradients" in text
        assert "01_backprop_equations" in text and "planted mistake caught" in text
