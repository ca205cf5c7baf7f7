"""A sweep's results file: one JSON line per finished cell, appended and flushed to disk as each
cell arrives, so that an interrupted sweep loses at most the cells that were running.

A line is complete or absent: a line cut short by the interruption (no final newline, or not
valid JSON) is dropped when the file is read again, and the file is cut back to its last
complete line before anything is appended.
"""

import json
import os


def read_results(path):
    """``{key: record}`` of every complete line of ``path`` (empty if there is no file yet); the
    last line for a key wins. A cut-off tail is removed from the file."""
    if not os.path.exists(path):
        return {}
    with open(path, "rb") as f:
        data = f.read()
    complete = data[:data.rfind(b"\n") + 1]
    records = {}
    for line in complete.splitlines():
        try:
            record = json.loads(line)
            records[record["key"]] = record
        except (ValueError, KeyError, TypeError):
            continue  # a line written by something else, or damaged: run its cell again
    if len(complete) < len(data):
        with open(path, "r+b") as f:
            f.truncate(len(complete))
    return records


class ResultsWriter:
    """Appends one record per line to ``path`` and forces it to disk (flush and fsync)."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        self.file = open(self.path, "a", encoding="utf-8")
        return self

    def write(self, record):
        self.file.write(json.dumps(record, sort_keys=True, default=float) + "\n")
        self.file.flush()
        os.fsync(self.file.fileno())

    def __exit__(self, *exc):
        self.file.close()
        return False
