"""The main job and the README's promises."""

import os
import re
import subprocess
import sys
from pathlib import Path

from scratch_vs_keras.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_gradients_command_prints_a_matching_comparison(capsys):
    assert main(["gradients"]) == 0
    out = capsys.readouterr().out
    assert "breast cancer" in out.lower()
    assert re.search(r"^MATCH: all 16 checks within tolerance \(float64", out, re.M)
    # every one of the 3 layers' kernels and biases is in the table
    for layer in ("dense", "dense_1", "dense_2"):
        assert re.search(rf"^{layer}\s+kernel\s+gradient", out, re.M)


def test_gradients_command_float32_and_small_batch(capsys):
    assert main(["gradients", "--dtype", "float32", "--batch-size", "5", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "batch of 5" in out and "float32" in out


def test_console_script_runs_and_rejects_bad_arguments(tmp_path):
    exe = Path(sys.executable).parent / "scratch-vs-keras"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "scratch_vs_keras.cli"]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    bad = subprocess.run(cmd + ["--dtype", "float16"], capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    bad = subprocess.run(cmd + ["--batch-size", "0"], capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "--batch-size must be a positive integer" in bad.stderr
    ok = subprocess.run(cmd + ["gradients", "--batch-size", "32"], capture_output=True, text=True,
                        env=env, cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "MATCH" in ok.stdout
    helped = subprocess.run(cmd + ["--help"], capture_output=True, text=True, env=env)
    assert helped.returncode == 0 and "--quick" in helped.stdout
    assert re.search(r"^    run\s+NAME\|all: run one experiment", helped.stdout, re.M)
    assert re.search(r"^    lessons\s+execute the bridge lessons", helped.stdout, re.M)


def test_readme_test_command_is_what_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    command = [l for l in ci.splitlines() if l.startswith("python3 -m venv")][0]
    assert command in readme


def test_train_command_rejects_bad_arguments(capsys, tmp_path):
    assert main(["train", "--optimizer", "adamm"]) == 2
    assert "unknown optimizer 'adamm'; choose one of sgd, rmsprop" in capsys.readouterr().err
    assert main(["train", "--epochs", "0"]) == 2
    assert main(["train", "--save", str(tmp_path / "missing" / "r.csv")]) == 2
    assert "is not a writable folder" in capsys.readouterr().err


def test_conventions_command_writes_atomically(tmp_path, monkeypatch, capsys):
    import scratch_vs_keras.course.conventions as conventions

    monkeypatch.setattr(conventions, "conventions_markdown", lambda: "# table\n")
    out = tmp_path / "conventions.md"
    assert main(["conventions", "--out", str(out)]) == 0
    assert out.read_text() == "# table\n"
    assert [p.name for p in tmp_path.iterdir()] == ["conventions.md"]
    assert main(["conventions", "--out", str(tmp_path / "no" / "such.md")]) == 2
    assert "is not a writable folder" in capsys.readouterr().err
