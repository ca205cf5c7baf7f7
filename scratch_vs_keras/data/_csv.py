"""Reading a user's CSV file into a DataFrame, with every failure told as one sentence.

A user's file can be missing, unreadable, binary, in another text encoding, or malformed; pandas
reports each of these in its own terms (``UnicodeDecodeError``, ``C error: Expected 1 fields``,
...). Here each becomes a ``ValueError`` (an ``OSError`` for a file that exists but cannot be
read) that names the file, the problem and the fix, and that stays free of Python internals.
"""

import codecs
import os
import re

import pandas as pd

# pandas infers these from the file name and decompresses them: their bytes are binary by design.
_COMPRESSED = (".gz", ".bz2", ".zip", ".xz", ".zst", ".tar")
_SNIFF_BYTES = 8192
_BOMS = {codecs.BOM_UTF16_LE: "utf-16", codecs.BOM_UTF16_BE: "utf-16",
         codecs.BOM_UTF32_LE: "utf-32", codecs.BOM_UTF32_BE: "utf-32"}


def read_csv(path, encoding="utf-8"):
    """The CSV file ``path`` as a DataFrame; a clear ``ValueError`` for anything that is not CSV text.

    Checks, in order: the file exists; ``encoding`` is a known codec; the file is text (no NUL
    bytes, unless it is compressed or in a UTF-16/32 encoding); it decodes in ``encoding``; it
    parses as CSV.
    """
    label = f"CSV file {path!r}"
    if not os.path.isfile(path):
        raise ValueError(f"{label} does not exist; check the path.")
    codec = _codec(encoding, label)
    if not path.lower().endswith(_COMPRESSED) and not codec.startswith(("utf-16", "utf-32")):
        _refuse_binary(path, label)
    try:
        return pd.read_csv(path, encoding=encoding)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{label} is empty; it needs a header line and at least one row.") from None
    except UnicodeDecodeError:
        raise ValueError(_decode_problem(path, encoding, label)) from None
    except pd.errors.ParserError as exc:
        raise ValueError(f"{label} could not be read as CSV: {_parser_reason(exc)}; check that the "
                         "fields are comma-separated and quotes are closed.") from None
    except OSError as exc:
        raise OSError(f"Cannot read {label}: {exc.strerror or exc}.") from None


def _codec(encoding, label):
    """The canonical name of ``encoding``; an unknown one is refused with examples of known ones."""
    if not isinstance(encoding, str):
        raise ValueError(f"The encoding of {label} must be a name such as 'utf-8' or 'latin-1'; "
                         f"received encoding={encoding!r}.")
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(f"Unknown encoding {encoding!r} for {label}; use a name such as utf-8, "
                         "latin-1 or cp1252 (--encoding).") from None


def _refuse_binary(path, label):
    """A file with NUL bytes is not CSV text (a spreadsheet, an image, a pickle, ...)."""
    try:
        with open(path, "rb") as f:
            head = f.read(_SNIFF_BYTES)
    except OSError as exc:
        raise OSError(f"Cannot read {label}: {exc.strerror or exc}.") from None
    for bom, name in _BOMS.items():
        if head.startswith(bom) and b"\x00" in head:
            raise ValueError(f"{label} is {name.upper()} text, not UTF-8; name its encoding: "
                             f"--encoding {name}.")
    if b"\x00" in head:
        raise ValueError(f"{label} is a binary file, not CSV text; export the data as a CSV file "
                         "(comma-separated text, e.g. 'Save as CSV' in a spreadsheet) and use that.")


def _decode_problem(path, encoding, label):
    """Where the file stops being ``encoding`` text, and which encoding to name instead."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        raw.decode(encoding)
        where = ""
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        where = f" (line {line} has the byte 0x{raw[exc.start]:02x})"
    suggestion = "cp1252" if encoding.lower().replace("-", "") in ("latin1", "iso88591") else "latin-1"
    shown = encoding.upper() if encoding.lower().startswith("utf") else encoding
    return (f"{label} is not {shown} text{where}; if it was saved in another encoding, name it, "
            f"e.g. --encoding {suggestion} (or encoding={suggestion!r} in load_csv).")


def _parser_reason(exc):
    """pandas's tokenizer message in plain words (``Expected 2 fields in line 3, saw 3``)."""
    text = str(exc)
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if fields:
        expected, line, saw = fields.groups()
        return f"line {line} has {saw} fields where the header has {expected}"
    if "EOF inside string" in text:
        return "a quoted field is never closed"
    return text.split("C error: ")[-1].strip() or "the file is not valid CSV"
