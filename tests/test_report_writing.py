"""Writing reports: never lost (a fault or a real signal at each step of the swap, a crash, two
writers at once), readable by others as the umask says, and an index that survives foreign
files and says what it skipped."""

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import scratch_vs_keras
from scratch_vs_keras.report import Figure, Report, Section, verdict_frame, write_index, write_report
from scratch_vs_keras.report_io import write_text_atomic

SOURCE_ROOT = str(Path(scratch_vs_keras.__file__).resolve().parents[1])

# A child process's prelude: the same package as this test, and a small report of a given version.
CHILD = textwrap.dedent("""
    import os, signal, sys, time
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    from scratch_vs_keras.report import Figure, Report, Section, verdict_frame, write_report

    def report(version, figure=True):
        figs = []
        if figure:
            fig = plt.figure(figsize=(1, 1))
            figs = [Figure("f", fig, "a figure")]
        return Report("demo", f"Demo {version}", f"version {version}",
                      verdict_frame([("x", 0.0, 1e-12)]), [Section("s", "text", figures=figs)],
                      data={"d": pd.DataFrame({"a": [version]})})

    def after_directory_renames(action):
        # Call action(n) after the n-th rename of a folder (by os.rename or os.replace).
        count = [0]
        for fname in ("rename", "replace"):
            real = getattr(os, fname)
            def wrapped(src, dst, *a, _real=real, **k):
                is_dir = os.path.isdir(src)
                _real(src, dst, *a, **k)
                if is_dir:
                    count[0] += 1
                    action(count[0])
            setattr(os, fname, wrapped)

    out = sys.argv[1]
""")


def run_child(body, out, wait=True):
    env = {**os.environ, "PYTHONPATH": SOURCE_ROOT, "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.Popen([sys.executable, "-c", CHILD + textwrap.dedent(body), str(out)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if wait:
        proc.communicate(timeout=120)
    return proc


def report(version, name="demo", settings=None):
    fig = plt.figure(figsize=(1, 1))
    return Report(name, f"Demo {version}", f"version {version}", verdict_frame([("x", 0.0, 1e-12)]),
                  [Section("s", "text", figures=[Figure("f", fig, "a figure")])],
                  data={"d": pd.DataFrame({"a": [version]})}, settings=settings or {})


def hidden(out):
    return sorted(p.name for p in Path(out).iterdir() if p.name.startswith((".tmp-", ".old-")))


def assert_complete(out, version, name="demo"):
    """One complete report of ``version``, nothing left over, and an index whose links work."""
    folder = Path(out) / name
    assert f"version {version}" in (folder / "report.md").read_text()
    assert json.loads((folder / "verdict.json").read_text())["title"] == f"Demo {version}"
    assert (folder / "figures" / "f.png").stat().st_size > 0
    assert hidden(out) == []
    index = (Path(out) / "index.html").read_text()
    assert f'href="{name}/report.html"' in index and f"Demo {version}" in index


@pytest.mark.parametrize("failing", [1, 2], ids=["moving-the-old-aside", "moving-the-new-in"])
def test_a_failing_rename_keeps_the_old_report(failing, tmp_path, monkeypatch):
    # Failing the second rename used to leave no report at all (the old one hidden as .old-*).
    write_report(report(1), tmp_path)
    count = [0]
    for fname in ("rename", "replace"):
        real = getattr(os, fname)

        def broken(src, dst, *a, _real=real, **k):
            if os.path.isdir(src):
                count[0] += 1
                if count[0] == failing:
                    raise OSError("injected failure")
            return _real(src, dst, *a, **k)

        monkeypatch.setattr(os, fname, broken)
    with pytest.raises(OSError, match="injected"):
        write_report(report(2), tmp_path)
    monkeypatch.undo()
    assert_complete(tmp_path, 1)


RENAMES = pytest.mark.parametrize("after_rename", [1, 2], ids=["old-moved-aside", "new-moved-in"])


@RENAMES
def test_sigterm_during_the_swap_still_completes_it(after_rename, tmp_path):
    # SIGTERM right after the old report was moved aside used to kill the process there: no
    # report folder, the old one only as a hidden .old-*; right after the new one was moved in,
    # it left the old one behind as a stale .old-*.
    proc = run_child(f"""
        write_report(report(1), out)
        after_directory_renames(lambda n: n == {after_rename} and os.kill(os.getpid(), signal.SIGTERM))
        write_report(report(2), out)
        time.sleep(5)   # the held-back signal ends the process once the write is done
        sys.exit(3)
    """, tmp_path)
    assert proc.returncode == -signal.SIGTERM, proc.stderr
    assert_complete(tmp_path, 2)


@RENAMES
def test_a_crash_during_the_swap_is_repaired_by_the_next_write(after_rename, tmp_path):
    # SIGKILL cannot be held back: the crash leaves the old report aside (with or without the new
    # one in place). The next write into the folder (here: refreshing the index) must repair that
    # before anything else: the old one moved back where no report is, deleted where one is.
    proc = run_child(f"""
        write_report(report(1), out)
        after_directory_renames(lambda n: n == {after_rename} and os.kill(os.getpid(), signal.SIGKILL))
        write_report(report(2), out)
    """, tmp_path)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert hidden(tmp_path)  # the crash's leftovers
    write_index(tmp_path)
    assert_complete(tmp_path, 1 if after_rename == 1 else 2)


def test_sigterm_while_building_leaves_nothing_behind(tmp_path):
    # A real SIGTERM from outside while the new report is being built used to leave a hidden
    # .tmp-* folder.
    marker = tmp_path / "building"
    out = tmp_path / "reports"
    proc = run_child(f"""
        write_report(report(1), out)
        from scratch_vs_keras.report import render
        real = render._render
        def slow(*a, **k):
            open({str(marker)!r}, "w").close()
            time.sleep(60)
            return real(*a, **k)
        render._render = slow
        write_report(report(2), out)
    """, out, wait=False)
    deadline = time.monotonic() + 90
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marker.exists(), proc.communicate()[1]
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGTERM, err
    assert_complete(out, 1)


def test_two_writers_of_the_same_report_take_turns(tmp_path):
    # Interleaved swaps raced: "Directory not empty" / FileNotFoundError and a stale .old-* left.
    # Each rename is slowed (as on a busy disk) so that the two writers' swaps overlap.
    body = """
        after_directory_renames(lambda n: time.sleep(0.3))
        for i in range(5):
            write_report(report(i, figure=False), out)
    """
    procs = [run_child(body, tmp_path, wait=False) for _ in range(2)]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    assert_complete_without_figure(tmp_path, 4)


def assert_complete_without_figure(out, version):
    folder = Path(out) / "demo"
    assert f"version {version}" in (folder / "report.md").read_text()
    assert hidden(out) == []
    assert 'href="demo/report.html"' in (Path(out) / "index.html").read_text()


def test_stale_leftovers_of_a_crashed_run_are_cleaned_or_restored(tmp_path):
    write_report(report(1, name="other"), tmp_path)
    os.rename(tmp_path / "other", tmp_path / ".old-other-abcd1234")  # crashed mid-swap
    (tmp_path / ".tmp-demo-zz99yy88" / "figures").mkdir(parents=True)  # crashed mid-build
    write_report(report(2), tmp_path)
    assert_complete(tmp_path, 2)
    assert "version 1" in (tmp_path / "other" / "report.md").read_text()
    assert 'href="other/report.html"' in (tmp_path / "index.html").read_text()


def test_the_repair_touches_nothing_but_report_leftovers(tmp_path):
    # A reports folder may be a user's own folder (--out .): only our leftovers go.
    (tmp_path / ".tmp-notes").mkdir()
    (tmp_path / ".tmp-abcdefgh.csv").write_text("someone else's file being written")
    (tmp_path / ".old-style").write_text("x")
    write_report(report(1), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [
        ".old-style", ".tmp-abcdefgh.csv", ".tmp-notes"]


def test_a_foreign_verdict_json_with_bad_json_is_skipped_and_said(tmp_path):
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "verdict.json").write_text("{not json")
    with pytest.warns(UserWarning, match="foreign/verdict.json"):
        write_report(report(1), tmp_path)
    index = (tmp_path / "index.html").read_text()
    assert 'href="demo/report.html"' in index
    assert "foreign/verdict.json: not valid JSON" in index and 'href="foreign/' not in index


def test_the_index_opens_with_the_headline_and_says_quick_or_full_and_which_data(tmp_path):
    write_report(report(1, name="aaa", settings={"quick mode": False, "dataset": "wine"}), tmp_path)
    write_report(report(2, name="headline",
                        settings={"quick mode": True, "dataset": "breast_cancer"}), tmp_path)
    index = (tmp_path / "index.html").read_text()
    assert index.index('href="headline/report.html"') < index.index('href="aaa/report.html"')
    rows = index.split("<tr>")
    headline = next(r for r in rows if 'href="headline/' in r)
    other = next(r for r in rows if 'href="aaa/' in r)
    assert "<td>quick</td>" in headline and "breast_cancer" in headline
    assert "<td>full</td>" in other and "wine" in other
    assert "Mixed quick and full runs" in index


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(params=[(0o022, 0o755, 0o644), (0o027, 0o750, 0o640)], ids=["022", "027"])
def umask(request):
    mask, folder_mode, file_mode = request.param
    previous = os.umask(mask)
    yield folder_mode, file_mode
    os.umask(previous)


def test_report_folders_and_files_honour_the_umask(umask, tmp_path):
    # mkdtemp/mkstemp made them 0700/0600 whatever the umask: an instructor could not serve them.
    folder_mode, file_mode = umask
    out = tmp_path / "reports"
    write_report(report(1), out)
    for folder in (out, out / "demo", out / "demo" / "figures", out / "demo" / "data"):
        assert mode(folder) == folder_mode, folder
    for f in ("index.html", "demo/report.html", "demo/report.md", "demo/verdict.json",
              "demo/figures/f.png", "demo/data/d.csv"):
        assert mode(out / f) == file_mode, f


def test_saved_tables_and_written_files_honour_the_umask(umask, tmp_path):
    # write_text_atomic writes --save CSVs (SideBySideRun.save) and the conventions file.
    from scratch_vs_keras.compare.training import SideBySideRun

    _, file_mode = umask
    assert mode(write_text_atomic(tmp_path / "conventions.md", "x")) == file_mode

    class Run:  # SideBySideRun.save needs only the tidy records
        records = pd.DataFrame({"step": [0, 1], "value": [0.5, 0.25]})

    SideBySideRun.save(Run(), tmp_path / "records.csv")
    assert mode(tmp_path / "records.csv") == file_mode
    assert (tmp_path / "records.csv").read_text().startswith("step,value")
