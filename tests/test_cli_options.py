"""Options on the command line: honoured wherever they stand, refused where a command or an
experiment does not use them, and data an experiment cannot run on refused before training.

Most tests replace the experiments' bodies by stubs that record the settings they were given
(each experiment runs for real, in quick mode, in test_experiments.py): what is tested here is
what reaches them.
"""

import re
from dataclasses import dataclass

import pytest

from scratch_vs_keras import experiments
from scratch_vs_keras.cli import main
from scratch_vs_keras.report import Report, verdict_frame


@dataclass
class StubReport(Report):
    status: str = "MATCH"
    divergence: str = None


def stub_experiments(monkeypatch, status="MATCH", divergence=None):
    """Replace every experiment's run(cfg) by a stub; returns the [(name, cfg)] it was called with."""
    seen = []

    def stub(module):
        def run(cfg):
            seen.append((module.NAME, cfg))
            worst = 0.0 if status == "MATCH" else 1.0
            return StubReport(module.NAME, module.TITLE, "A stub.",
                              verdict_frame([("stub check", worst, 1e-12)]),
                              settings=cfg.settings(), status=status, divergence=divergence)
        return run

    for name in experiments.NAMES:
        monkeypatch.setattr(experiments.get(name), "run", stub(experiments.get(name)))
    return seen


def test_options_before_the_command_reach_the_experiment(tmp_path, monkeypatch):
    # `scratch-vs-keras --quick --out o2 run optimizers` ran the full run into ./reports
    monkeypatch.chdir(tmp_path)
    seen = stub_experiments(monkeypatch)
    assert main(["--quick", "--out", "o2", "--seed", "4", "run", "optimizers"]) == 0
    (name, cfg), = seen
    assert (name, cfg.quick, cfg.out, cfg.seed) == ("optimizers", True, "o2", 4)
    assert (tmp_path / "o2" / "optimizers" / "report.html").exists()
    assert not (tmp_path / "reports").exists()


def test_options_split_around_the_command(tmp_path, monkeypatch):
    seen = stub_experiments(monkeypatch)
    assert main(["--dataset", "wine", "run", "headline", "--epochs", "3", "--out",
                 str(tmp_path)]) == 0
    (_, cfg), = seen
    assert (cfg.dataset, cfg.epochs, cfg.out) == ("wine", 3, str(tmp_path))


def test_gradients_honours_dataset_and_dtype_before_or_after(capsys):
    # `--dataset wine gradients` used breast cancer; `--dtype float32 gradients` ran float64;
    # `gradients --dataset wine` was refused
    assert main(["--dtype", "float32", "gradients", "--dataset", "wine", "--batch-size", "8"]) == 0
    out = capsys.readouterr().out
    assert "Wine recognition" in out and "breast cancer" not in out.lower()
    assert re.search(r"^MATCH: .*\(float32, batch of 8;", out, re.M)
    assert "dense_2 (Dense)" in out and "(None, 3)" in out  # softmax over wine's 3 classes


COMMANDS = {"list": [], "gradients": [], "train": [], "conventions": [], "lessons": [],
            "run": ["headline"]}
# every option a command does not use, with a value where it takes one
NOT_USED = [
    ("list", "--epochs", "3"), ("list", "--out", "x"), ("list", "--quick", None),
    ("gradients", "--epochs", "7"), ("gradients", "--optimizer", "adam"),
    ("gradients", "--quick", None), ("gradients", "--out", "x"), ("gradients", "--save", "x.csv"),
    ("train", "--quick", None), ("train", "--out", "x"), ("train", "--copy", "x"),
    ("conventions", "--dtype", "float32"), ("conventions", "--seed", "1"),
    ("conventions", "--quick", None), ("lessons", "--dataset", "wine"), ("lessons", "--seed", "2"),
    ("run", "--save", "x.csv"), ("run", "--no-shuffle", None), ("run", "--copy", "x"),
    (None, "--save", "x.csv"), (None, "--copy", "x"), (None, "--no-shuffle", None),
]


@pytest.mark.parametrize("command, flag, value, before", [
    case + (before,) for case in NOT_USED for before in (True, False) if case[0] or before])
def test_an_option_a_command_does_not_use_is_refused(command, flag, value, before, capsys,
                                                      monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    seen = stub_experiments(monkeypatch)
    option = [flag] + ([value] if value is not None else [])
    cmd = [command] + COMMANDS[command] if command else []
    try:
        code = main(option + cmd if before else cmd + option)
    except SystemExit as exc:  # argparse's own refusal
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert re.search(rf"{flag} does not apply to|unrecognized arguments: .*{flag}", err), err
    assert seen == [] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name, flag, value, reason", [
    ("optimizers", "--optimizer", "sgd", "it runs every optimizer"),
    ("batch_size", "--batch-size", "8", "it sweeps the batch size"),
    ("bias_conventions", "--dtype", "float32", "computes in float64"),
    ("backprop_review", "--optimizer", "adam", "its own SGD"),
    ("wide_and_deep", "--dataset", "wine", "Adult census"),
    ("wide_and_deep", "--csv", "x.csv", "Adult census"),
])
def test_an_option_an_experiment_does_not_use_is_refused(name, flag, value, reason, capsys,
                                                         monkeypatch, tmp_path):
    seen = stub_experiments(monkeypatch)
    extra = ["--target", "y"] if flag == "--csv" else []
    assert main(["run", name, flag, value, *extra, "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert f"`run {name}` does not take {flag}: " in err and reason in err
    assert seen == [] and not (tmp_path / "r").exists()


def test_run_all_says_which_experiments_an_option_does_not_apply_to(tmp_path, monkeypatch, capsys):
    seen = stub_experiments(monkeypatch)
    assert main(["run", "all", "--optimizer", "sgd", "--quick", "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert re.search(r"note: --optimizer does not apply to backprop_review \(.*\), bias_conventions "
                     r"\(.*\), optimizers \(it runs every optimizer\)\.", err), err
    assert [n for n, _ in seen] == experiments.NAMES
    assert {cfg.optimizer for _, cfg in seen} == {"sgd"}


@pytest.mark.parametrize("argv, message", [
    (["run", "loss_functions", "--dataset", "wine"],
     r"experiment 'loss_functions' needs a binary target .*--dataset wine has a multiclass target\. "
     r"Bundled data sets that fit: breast_cancer\."),
    (["run", "bias_conventions", "--dataset", "diabetes"],
     r"'bias_conventions' needs a binary or multiclass target .*diabetes has a regression target"),
    (["run", "backprop_review", "--dataset", "diabetes"], r"needs a binary or multiclass target"),
    (["run", "all", "--dataset", "iris"], r"`run all` with --dataset iris: loss_functions cannot run "
                                          r"on its target"),
])
def test_data_an_experiment_cannot_run_on_is_refused_before_training(argv, message, tmp_path,
                                                                      monkeypatch, capsys):
    # these died with tracebacks after loading
    seen = stub_experiments(monkeypatch)
    assert main(argv + ["--out", str(tmp_path / "r")]) == 2
    assert re.search(message, capsys.readouterr().err)
    assert seen == [] and not (tmp_path / "r").exists()


def test_every_experiment_reads_the_csv_or_refuses_it(tmp_path, monkeypatch, capsys):
    # tabular_tour and loss_functions ignored --csv
    from scratch_vs_keras.data import load_dataset

    path = tmp_path / "cancer.csv"
    load_dataset("breast_cancer").frame.to_csv(path, index=False)

    class Asked(Exception):
        pass

    def asked(cfg, *args, **kwargs):
        raise Asked(cfg.csv)

    for name in experiments.NAMES:
        module = experiments.get(name)
        if "csv" in experiments.options(name):
            monkeypatch.setattr(module, "load", asked)
            with pytest.raises(Asked, match="cancer.csv"):
                module.run(experiments.Config(csv=str(path), target="target", quick=True))
        else:
            assert main(["run", name, "--csv", str(path), "--target", "target", "--out",
                         str(tmp_path / "r")]) == 2, name
            assert "does not take --csv" in capsys.readouterr().err
