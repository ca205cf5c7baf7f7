"""Markdown and LaTeX to HTML at build time, so that pages need no script and no network.

The reports' texts and the lessons' Markdown cells are CommonMark (``**bold**``, lists, ``code``,
tables) with LaTeX between ``$...$`` or ``$$...$$`` (also ``\\(...\\)`` and ``\\[...\\]``). A
renderer in the browser (MathJax from a CDN) fails offline, as in many classrooms, and leaves raw
LaTeX on the page; so the LaTeX is turned into MathML here (``latex2mathml``), which Chromium and
Firefox draw natively.

Math is cut out before the Markdown is parsed and put back after: Markdown would otherwise read
``\\|`` as an escaped bar and ``A_1 ... B_2`` as emphasis. Code spans and fenced code are left
alone, so ``$`` inside code stays a dollar.
"""

import html
import re
import warnings

from latex2mathml.converter import convert as _latex2mathml
from markdown_it import MarkdownIt

# Order matters: code first (its dollars are not math), display math before inline math.
_TOKENS = re.compile(
    r"(?P<fence>^[ \t]*(?P<ticks>```+|~~~+)[^\n]*\n.*?^[ \t]*(?P=ticks)[ \t]*$)"
    r"|(?P<code>(?P<run>`+).+?(?<!`)(?P=run)(?!`))"
    r"|(?P<escaped>\\\$)"
    r"|\$\$(?P<display>.+?)\$\$"
    r"|\\\[(?P<display2>.+?)\\\]"
    r"|\\\((?P<inline2>.+?)\\\)"
    # Pandoc's rule: no space just inside the dollars, no digit right after the closing one
    # (so "costs $5 and $6" is not math); inline math does not cross a blank line.
    r"|\$(?P<inline>[^\s$](?:(?!\n[ \t]*\n)[^$])*?(?<![\s\\]))\$(?!\d)",
    re.S | re.M,
)
# Chromium's MathML (MathML Core) ignores mathvariant="bold": bold letters are written with the
# Unicode mathematical bold alphabet instead, which every MathML renderer draws bold.
_BOLD_MI = re.compile(r'<(mi|mn|mo) mathvariant="bold">([^<]*)</\1>')
_BOLD_STARTS = ((ord("A"), 0x1D400, 26), (ord("a"), 0x1D41A, 26), (ord("0"), 0x1D7CE, 10),
                (0x391, 0x1D6A8, 25), (0x3B1, 0x1D6C2, 25))


def _bold_char(ch):
    for first, bold, count in _BOLD_STARTS:
        if first <= ord(ch) < first + count:
            return chr(bold + ord(ch) - first)
    return ch


def _unicode_bold(mathml):
    def swap(m):
        text = "".join(_bold_char(c) for c in html.unescape(m.group(2)))
        attr = ' mathvariant="normal"' if m.group(1) == "mi" else ""
        return f"<{m.group(1)}{attr}>{html.escape(text)}</{m.group(1)}>"

    return _BOLD_MI.sub(swap, mathml)


_PLACEHOLDER = "\x02MATH{}\x03"  # control characters: Markdown leaves them as they are
_PLACEHOLDER_RE = re.compile("\x02MATH(\\d+)\x03")


class MathError(ValueError):
    """A LaTeX snippet that could not be turned into MathML."""


def latex_to_mathml(tex, display=False):
    """MathML for one LaTeX snippet (``display`` for a block of its own), without the namespace
    URL, which HTML5 does not need."""
    try:
        out = _latex2mathml(tex.strip(), display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises assorted errors for unsupported input
        raise MathError(f"cannot turn the LaTeX {tex.strip()!r} into MathML: {exc}") from exc
    unknown = re.search(r">(\\[A-Za-z]+)<", out)  # a command latex2mathml passed through as text
    if unknown:
        raise MathError(f"cannot turn the LaTeX {tex.strip()!r} into MathML: {unknown.group(1)} "
                        "is not supported")
    return _unicode_bold(out.replace(' xmlns="http://www.w3.org/1998/Math/MathML"', ""))


def _math_html(tex, display):
    try:
        return latex_to_mathml(tex, display)
    except MathError as exc:
        # The page must still build; the snippet stays visible (and the browser test sees it).
        warnings.warn(str(exc), stacklevel=3)
        return f'<span class="tex-error" title="unsupported LaTeX">{html.escape(tex)}</span>'


def _cut_math(text):
    """``text`` with each math snippet replaced by a placeholder, and the snippets' MathML."""
    pieces = []

    def swap(m):
        if m.group("fence") or m.group("code"):
            return m.group(0)
        if m.group("escaped"):
            pieces.append("$")
        else:
            display = m.group("display") or m.group("display2")
            tex = display if display is not None else (m.group("inline") or m.group("inline2"))
            pieces.append(_math_html(tex, display is not None))
        return _PLACEHOLDER.format(len(pieces) - 1)

    return _TOKENS.sub(swap, text), pieces


def _parser(allow_html):
    return MarkdownIt("commonmark", {"html": allow_html}).enable("table")


def markdown_to_html(text, allow_html=False, inline=False):
    """HTML for Markdown ``text`` with LaTeX math as MathML.

    Args:
        allow_html: pass raw HTML in the Markdown through (the lessons' cells, written by us);
            otherwise it is shown as text.
        inline: one line of text, without the surrounding ``<p>`` (a caption, a table cell).
    """
    cut, pieces = _cut_math(text or "")
    parser = _parser(allow_html)
    out = parser.renderInline(cut) if inline else parser.render(cut)
    return _PLACEHOLDER_RE.sub(lambda m: pieces[int(m.group(1))], out).strip()
