"""Exit codes and messages: 0 match, 1 mismatch (or not checked), 2 bad input (one line, nothing
written, found before anything runs), 3 an I/O failure; never a traceback for a user error. Also
--version, --help, the report folder of a --csv run, what a run reports, and its last line."""

import json
import re
import sys

import pytest

from scratch_vs_keras import experiments
from scratch_vs_keras.cli import main
from test_cli_options import stub_experiments

CSV_HEADER = "a,b,y\n"
GOOD_ROWS = "".join(f"{i},{i % 3},{i % 2}\n" for i in range(20))


def one_line_error(capsys):
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("name, content, encoding, message", [
    ("inf.csv", CSV_HEADER + GOOD_ROWS + "3,inf,1\n", "utf-8", r"inf\.csv': .*infinite value \(inf\) in column 'b'"),
    ("two_rows.csv", CSV_HEADER + "1,2,0\n2,3,1\n", "utf-8", r"two_rows\.csv': "),
    ("empty_feature.csv", "a,b,y\n" + "".join(f"{i},,{i % 2}\n" for i in range(20)), "utf-8",
     r"empty_feature\.csv': .*\bb\b.*empty"),
    ("empty_target.csv", "a,b,y\n" + "".join(f"{i},{i},\n" for i in range(20)), "utf-8",
     r"empty_target\.csv'"),
    ("latin.csv", "a,caf\u00e9,y\n" + GOOD_ROWS, "latin-1",
     r"--csv '.*latin\.csv': .*--encoding latin-1"),
])
def test_a_csv_that_cannot_be_used_exits_2_before_anything_runs(name, content, encoding, message,
                                                                tmp_path, monkeypatch, capsys):
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    seen = stub_experiments(monkeypatch)
    out = tmp_path / "reports"
    assert main(["run", "headline", "--csv", str(path), "--target", "y", "--out", str(out)]) == 2
    assert re.search(message, one_line_error(capsys))
    assert seen == [] and not out.exists()


@pytest.mark.parametrize("argv", [
    ["--seed", "-1"], ["run", "headline", "--seed", "-1"], ["--seed", "-1", "gradients"],
    ["train", "--seed", "-5"],
])
def test_a_negative_seed_exits_2(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    seen = stub_experiments(monkeypatch)
    assert main(argv) == 2
    assert "--seed must be a non-negative integer; received -" in one_line_error(capsys)
    assert seen == [] and list(tmp_path.iterdir()) == []


def test_unwritable_output_is_found_before_the_run(tmp_path, monkeypatch, capsys):
    seen = stub_experiments(monkeypatch)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["--out", "", "run", "headline"]) == 2
    assert "--out is empty" in one_line_error(capsys)
    for argv in (["--out", str(blocker)], ["run", "all", "--out", str(blocker / "reports")],
                 ["lessons", "--out", str(blocker / "x")]):
        assert main(argv) == 2
        assert "not a writable folder" in one_line_error(capsys)
    assert seen == [] and blocker.read_text() == "not a folder"


def test_train_checks_save_before_training(tmp_path, monkeypatch, capsys):
    import scratch_vs_keras.compare as compare

    def never(*args, **kwargs):
        raise AssertionError("trained before checking --save")

    monkeypatch.setattr(compare, "train_side_by_side", never)
    assert main(["train", "--save", ""]) == 2
    assert "--save is empty" in one_line_error(capsys)
    assert main(["train", "--save", str(tmp_path / "no" / "such" / "r.csv")]) == 2
    assert "is not a writable folder" in one_line_error(capsys)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if pyarrow were not installed
    monkeypatch.setitem(sys.modules, "fastparquet", None)
    assert main(["train", "--save", str(tmp_path / "r.parquet")]) == 2
    assert "writing Parquet needs pyarrow (pip install pyarrow); or save as .csv" in one_line_error(capsys)
    assert list(tmp_path.iterdir()) == []


def test_a_foreign_verdict_json_in_the_output_folder_exits_2(tmp_path, monkeypatch, capsys):
    seen = stub_experiments(monkeypatch)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "verdict.json").write_text("{not json")
    assert main(["run", "headline", "--out", str(tmp_path)]) == 2
    err = one_line_error(capsys)
    assert "verdict.json is not a scratch_vs_keras verdict" in err and "another --out" in err
    assert seen == [] and sorted(p.name for p in tmp_path.iterdir()) == ["other"]


def test_an_io_failure_during_the_run_exits_3_naming_the_file(tmp_path, monkeypatch, capsys):
    def fails(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "headline" / "report.html"))

    monkeypatch.setattr(experiments, "run", fails)
    assert main(["run", "headline", "--out", str(tmp_path)]) == 3
    err = one_line_error(capsys)
    assert f"{tmp_path}/headline/report.html" in err and "Permission denied" in err


@pytest.mark.parametrize("status, code", [("MATCH", 0), ("MISMATCH", 1), ("NOT CHECKED", 1)])
def test_exit_status_follows_the_verdict(status, code, tmp_path, monkeypatch, capsys):
    where = "step 3, layer dense_1, tensor kernel: 2.1e-09 > 1e-10"
    stub_experiments(monkeypatch, status=status, divergence=None if status == "MATCH" else where)
    assert main(["run", "headline", "--out", str(tmp_path)]) == code
    out = capsys.readouterr().out
    assert re.search(rf"^{status} \(\d+\.\d s\)\. Report: ", out, re.M)
    assert (f"Where: {where}" in out) == (status != "MATCH")
    assert ("Reproduce: scratch-vs-keras run headline --dtype float64 --seed 0" in out) == (
        status != "MATCH")
    verdict = json.loads((tmp_path / "headline" / "verdict.json").read_text())
    assert verdict["name"] == "headline"


def test_the_last_line_says_where_the_report_is(tmp_path, monkeypatch, capsys):
    stub_experiments(monkeypatch)
    assert main(["run", "regularization", "--out", str(tmp_path)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == f"Open {tmp_path}/regularization/report.html in a browser."
    assert main(["run", "all", "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip().splitlines()[-1] == f"Open {tmp_path}/index.html in a browser."
    assert "experiment/s" in captured.err or "s/experiment" in captured.err  # tqdm's unit


def test_a_csv_run_writes_its_own_report_folder(tmp_path, monkeypatch, capsys):
    from scratch_vs_keras.data import load_dataset

    stub_experiments(monkeypatch)
    path = tmp_path / "my data.csv"
    load_dataset("iris").frame.to_csv(path, index=False)
    out = tmp_path / "reports"
    assert main(["run", "headline", "--csv", str(path), "--target", "target", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["headline-my_data", "index.html"]
    assert capsys.readouterr().out.strip().endswith(f"{out}/headline-my_data/report.html in a browser.")
    assert main(["--dataset", "wine", "--out", str(out)]) == 0
    assert (out / "headline-wine" / "report.html").exists() and not (out / "headline").exists()


def test_version_and_help_list_the_exit_codes(capsys):
    from scratch_vs_keras import __version__

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out.strip() == f"scratch-vs-keras {__version__}"
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    out = capsys.readouterr().out
    assert exc.value.code == 0
    for code, meaning in [(0, "every check matched"), (1, "did not match"), (2, "bad input"),
                          (3, "could not be read or written")]:
        assert re.search(rf"^  {code}  .*{meaning}", out, re.M), code


def test_conventions_table_fits_the_terminal(monkeypatch, capsys):
    import numpy as np

    import scratch_vs_keras.course.conventions as conventions

    table = conventions.conventions_table(measure=False)  # the measured runs: test_course_vs_keras
    table["residual"], table["stock Keras residual"] = 1.2e-16, np.nan
    monkeypatch.setattr(conventions, "conventions_table", lambda: table)
    for width in (80, 100):
        monkeypatch.setenv("COLUMNS", str(width))
        assert main(["conventions"]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert max(map(len, lines)) <= width
        text = " ".join(" ".join(lines).split())
        for row in table.to_dict("records"):  # every cell is printed, wrapped or not
            assert " ".join(row["translation"].split()) in text


def test_regression_reports_mse_and_r2_and_the_batch_size_used(tmp_path):
    # diabetes reported "accuracy nan"; a batch larger than the data was reported as asked
    cfg = experiments.Config(dataset="diabetes", quick=True, batch_size=5000, out=str(tmp_path))
    report = experiments.run("headline", cfg, write=False)
    assert "accuracy" not in report.summary and "nan" not in report.summary
    assert re.search(r"MSE \d\.\d{3} \(NumPy\) / \d\.\d{3} \(Keras\), R² -?\d\.\d{3} \(NumPy\)",
                     report.summary)
    assert report.verdict.quantity[0] == "one batch (332 rows): activations, loss, gradients"
    assert report.settings["batch_size"] == 332


def test_train_reports_the_batch_size_it_used(capsys, tmp_path):
    assert main(["train", "--batch-size", "1000", "--epochs", "2"]) == 0
    out = capsys.readouterr().out
    assert "batch size 427 (all rows), 2 epochs (2 steps)" in out


def test_encoding_reads_a_latin1_csv(tmp_path, monkeypatch):
    seen = stub_experiments(monkeypatch)
    path = tmp_path / "latin.csv"
    path.write_bytes(("caf\u00e9,b,y\n" + GOOD_ROWS).encode("latin-1"))
    assert main(["run", "headline", "--csv", str(path), "--target", "y", "--encoding", "latin-1",
                 "--out", str(tmp_path / "r")]) == 0
    (_, cfg), = seen
    dataset, _ = experiments.common.load(cfg)
    assert "caf\u00e9" in dataset.frame.columns
