"""The reports' and lessons' Markdown and LaTeX become HTML and MathML at build time: nothing is
left for a script from a CDN (which offline leaves raw LaTeX on the page)."""

import re

import pytest

from scratch_vs_keras.report.render import text_to_html


def visible(html):
    """The text a reader sees, roughly: tags dropped (MathML's text kept), code spans dropped."""
    html = re.sub(r"<code>.*?</code>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", "", html)


def test_bold_containing_a_star_is_bold():
    # The vanishing-gradients report showed a literal **A * (1 − A)** (the old pattern allowed no
    # star inside the bold).
    out = text_to_html("the factor **A * (1 − A)** in V1 = A2 * (1 − A2)")
    assert "<strong>A * (1 − A)</strong>" in out
    assert "**" not in visible(out)


def test_latex_becomes_mathml_not_raw_text():
    out = text_to_html(r"The mean $\frac{1}{N}\sum_i x_i$ and $$J = \|\mathbf Y - \mathbf A\|^2$$")
    assert out.count("<math") == 2 and 'display="block"' in out
    assert "<mfrac>" in out and "<msub>" in out
    text = visible(out)
    for raw in ("$", "\\frac", "\\mathbf", "\\|", "^{"):
        assert raw not in text, raw
    assert "\u2016" in out or "&#x02016;" in out  # the norm bars survived (Markdown reads \| as |)
    assert "http" not in out  # no namespace URL, nothing that looks fetchable


def test_bold_letters_use_the_unicode_bold_alphabet():
    # Chromium's MathML ignores mathvariant="bold": \mathbf A would show as an italic A.
    out = text_to_html(r"$\mathbf A^{(1)}$")
    assert "\U0001d400" in out and 'mathvariant="bold"' not in out


@pytest.mark.parametrize("text, kept", [
    ("costs $5 and $6 today", "costs $5 and $6 today"),
    ("in code: `x = $y$` stays", "<code>x = $y$</code>"),
    (r"an escaped \$ dollar", "an escaped $ dollar"),
])
def test_dollars_that_are_not_math_stay_dollars(text, kept):
    out = text_to_html(text)
    assert kept in out and "<math" not in out


def test_report_text_cannot_inject_html():
    out = text_to_html("x < y and <script>alert(1)</script>")
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_unsupported_latex_warns_and_stays_visible():
    with pytest.warns(UserWarning, match="unknowncmd"):
        out = text_to_html(r"see $\unknowncmd x$ here")
    assert 'class="tex-error"' in out and "<math" not in out


def test_lists_tables_and_code_render():
    out = text_to_html("- one `a`\n- two **b**\n\n| x | y |\n|---|---|\n| 1 | 2 |")
    assert "<li>one <code>a</code></li>" in out and "<strong>b</strong>" in out
    assert "<table>" in out and "<td>2</td>" in out
