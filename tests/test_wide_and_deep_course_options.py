"""``run wide_and_deep --course 10|10a``'s options: ``--dropout`` (notebook 10a's last model)
parsed, refused where it does not apply, and run; a run longer than the weight-record budget
compares the weights at each epoch's end and says so, never claiming the steps in between."""

import json

import pytest

from scratch_vs_keras.cli import main, parse
from scratch_vs_keras.cli.options import _config
from scratch_vs_keras.experiments import wide_and_deep_course as course


def test_dropout_option_reaches_the_config_and_names_its_own_report():
    args = parse(["run", "wide_and_deep", "--course", "10a", "--dropout", "--quick"])
    cfg = _config(args)
    assert args.dropout is True and cfg.dropout is True
    assert cfg.report_name("wide_and_deep") == "wide_and_deep-course10a-dropout"
    assert cfg.command("wide_and_deep").endswith("--course 10a --dropout --dtype float64 --seed 0 --quick")
    assert _config(parse(["run", "wide_and_deep", "--course", "10a"])).dropout is False


@pytest.mark.parametrize("argv, message", [
    (["run", "wide_and_deep", "--dropout"], "add --course 10a"),
    (["run", "wide_and_deep", "--course", "10", "--dropout"], "add --course 10a"),
    (["run", "headline", "--dropout"], "does not take --dropout"),
    (["train", "--dropout"], "--dropout does not apply to `train`"),
])
def test_dropout_is_refused_where_it_does_not_apply(argv, message, capsys, tmp_path):
    assert main(argv + ["--out", str(tmp_path)] * (argv[0] == "run")) == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())  # nothing ran, nothing written


def test_quick_dropout_run_matches_and_says_it_has_dropout(tmp_path, capsys):
    pytest.importorskip("keras")
    assert main(["run", "wide_and_deep", "--course", "10a", "--dropout", "--quick",
                 "--out", str(tmp_path)]) == 0
    folder = tmp_path / "wide_and_deep-course10a-dropout"
    report = (folder / "report.md").read_text()
    assert "with Dropout" in report and "7,386" in report and "0.8505" in report
    verdict = json.loads((folder / "verdict.json").read_text())
    assert verdict["settings"]["dropout"] in (True, "True")  # stored as written


def test_run_past_the_budget_compares_weights_at_epoch_ends(tmp_path, capsys, monkeypatch):
    """Quick course 10, 2 epochs of 40 steps, with the budget below its 80 x 45,207 weight
    numbers: the weights are compared at the 2 epoch ends, the batch loss at all 80 steps. (The
    full run's 65 epochs are past the real budget the same way.)"""
    pytest.importorskip("keras")
    assert 65 * 849 * 45_207 > course.WEIGHT_RECORD_BUDGET >= 5 * 424 * 7_386  # 10 | 10a's 5 epochs
    monkeypatch.setattr(course, "WEIGHT_RECORD_BUDGET", 80 * 45_207 - 1)
    assert main(["run", "wide_and_deep", "--course", "10", "--quick", "--epochs", "2",
                 "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "weights at 2 epoch ends (1 course network)" in printed
    assert "batch loss, every step (80 steps" in printed
    assert "the other 78 steps' weights: not checked" in printed
    report = (tmp_path / "wide_and_deep-course10" / "report.md").read_text()
    assert "weights at 2 epoch ends" in report and "were not checked" in report
