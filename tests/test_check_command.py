"""`scratch-vs-keras check FILE` and `check --class DIR`: a student's own file checked with the
same evidence as the lessons; a class's folder (right ones, each kind of mistake, a crash, an
endless loop, a skeleton, a submission that writes outside its folder) gives one offline page."""

import json
import os
import re

import pandas as pd
import pytest

from scratch_vs_keras.cli import main

RIGHT = '''import numpy as np

C = 0.1


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def gradients(W1, W2, X, Y):
    ones = np.ones((1, len(X)), dtype=X.dtype)
    A1 = np.vstack([ones, X.T])
    A2 = np.vstack([ones, sigmoid(W1 @ A1)])
    A3 = sigmoid(W2 @ A2)
    V2 = -2 * (Y.T - A3) * A3 * (1 - A3)
    V1 = A2 * (1 - A2) * (W2.T @ V2)
    grad1 = V1[1:] @ A1.T
    grad2 = V2 @ A2.T
    grad1[:, 1:] += C * W1[:, 1:]
    grad2[:, 1:] += C * W2[:, 1:]
    return grad1, grad2
'''

TANH = RIGHT.replace("C = 0.1", 'C = 0.0\nACTIVATION = "tanh"').replace(
    "A2 = np.vstack([ones, sigmoid(W1 @ A1)])", "A2 = np.vstack([ones, np.tanh(W1 @ A1)])").replace(
    "V1 = A2 * (1 - A2) * (W2.T @ V2)", "V1 = (1 - A2 ** 2) * (W2.T @ V2)")


NO_PENALTY = RIGHT.replace("C = 0.1\n", "").replace("    grad1[:, 1:] += C * W1[:, 1:]\n", "").replace(
    "    grad2[:, 1:] += C * W2[:, 1:]\n", "")


def _mistake(old, new, source=RIGHT):
    assert old in source
    return source.replace(old, new)


SUBMISSIONS = {
    "right_sigmoid.py": RIGHT,
    "right_tanh.py": TANH,
    "forgot_derivative.py": _mistake("V1 = A2 * (1 - A2) * (W2.T @ V2)", "V1 = W2.T @ V2"),
    "tanh_forgot_derivative.py": _mistake("V1 = (1 - A2 ** 2) * (W2.T @ V2)", "V1 = W2.T @ V2", TANH),
    "transposed.py": _mistake("return grad1, grad2", "return grad1.T, grad2"),
    "mean_cost.py": _mistake("V2 = -2 * (Y.T - A3) * A3 * (1 - A3)",
                             "V2 = -2 * (Y.T - A3) * A3 * (1 - A3) / len(X)"),
    "bias_regularized.py": _mistake("grad2[:, 1:] += C * W2[:, 1:]", "grad2 += C * W2"),
    "no_bias_gradient.py": _mistake("return grad1, grad2", "grad1[:, 0] = 0\n    return grad1, grad2"),
    "wrong_activations.py": _mistake("grad2 = V2 @ A2.T", "grad2 = V2 @ A1.T", NO_PENALTY),
    "forward_slip.py": _mistake("A2 = np.vstack([ones, sigmoid(W1 @ A1)])",
                                "A2 = np.vstack([ones, W1 @ A1])").replace(
        "return grad1, grad2", 'return {"W1": grad1, "W2": grad2, "A1": A1, "A2": A2, "A3": A3}'),
    "crashes.py": "import os\n\n\ndef gradients(W1, W2, X, Y):\n    os.abort()\n",
    "endless.py": "def gradients(W1, W2, X, Y):\n    while True:\n        pass\n",
    "skeleton.py": "def gradients(W1, W2, X, Y):\n    raise NotImplementedError  # your code here\n",
    "writes_outside.py": "OUTSIDE = {outside!r}\nopen(OUTSIDE, 'w').write('x')\n" + RIGHT,
    "writes_home.py": RIGHT.replace("return grad1, grad2", "import os\n    open(os.path.expanduser("
                                    "'~/notes.txt'), 'w').write('ok')\n    return grad1, grad2"),
}


def _notebook(source):
    """A notebook with the source in one code cell and a magic the checker must skip."""
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# My MLP"},
             {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": "%matplotlib inline\n" + source}]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """The class folder, the outside path a submission tries to write, and the page's run."""
    root = tmp_path_factory.mktemp("class")
    folder, outside = root / "submissions", root / "outside.txt"
    folder.mkdir()
    for name, source in SUBMISSIONS.items():
        (folder / name).write_text(source.replace("{outside!r}", repr(str(outside))))
    (folder / "right_notebook.ipynb").write_text(_notebook(RIGHT))
    (folder / "notes.txt").write_text("not a submission")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        code = main(["check", "--class", str(folder), "--time-limit", "2", "--out", str(root / "out")])
    finally:
        os.chdir(cwd)
    page = root / "out" / "check-submissions" / "report.html"
    return {"code": code, "root": root, "outside": outside, "page": page,
            "html": page.read_text(encoding="utf-8"),
            "rows": pd.read_csv(root / "out" / "check-submissions" / "data" / "submissions.csv"),
            "counts": pd.read_csv(root / "out" / "check-submissions" / "data" / "mistakes.csv")}


def test_the_class_page_exists_offline_with_its_figure(klass):
    assert klass["code"] == 1  # some submissions are wrong
    html = klass["html"]
    assert "data:image/png;base64," in html  # the figure is embedded
    assert not re.search(r"""(src|href)=["']https?://""", html)  # nothing fetched
    assert len(klass["rows"]) == 16 and "notes.txt" not in set(klass["rows"].submission)


EXPECTED = {  # submission -> (status, layer to start with, likely mistake)
    "right_sigmoid.py": ("right", None, None),
    "right_tanh.py": ("right", None, None),
    "right_notebook.ipynb": ("right", None, None),
    "writes_home.py": ("right", None, None),
    "forgot_derivative.py": ("wrong", 1, "sigmoid derivative missing"),
    "tanh_forgot_derivative.py": ("wrong", 1, "tanh derivative missing"),
    "transposed.py": ("wrong", 1, "transposed matrix"),
    "mean_cost.py": ("wrong", 2, "data term times 1/N"),
    "bias_regularized.py": ("wrong", 2, "penalty on the bias"),
    "no_bias_gradient.py": ("wrong", 1, "bias gradient missing"),
    "wrong_activations.py": ("wrong", 2, "wrong layer's activations"),
    "forward_slip.py": ("wrong", 1, "activation missing in the forward pass"),
    "crashes.py": ("crashed", None, None),
    "endless.py": ("timed out", None, None),
    "skeleton.py": ("not done", None, None),
    "writes_outside.py": ("error", None, None),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_submission_gets_its_status_layer_and_mistake(klass, name):
    row = klass["rows"].set_index("submission").loc[name]
    status, layer, mistake = EXPECTED[name]
    assert row.status == status, row.evidence
    if layer is not None:
        assert int(row.layer) == layer, row.evidence
        assert row["likely mistake"] == mistake, row.evidence
        assert "Next:" in row.evidence
    assert name in klass["html"]


def test_the_counts_across_the_class_are_per_student(klass):
    counts = klass["counts"].set_index("mistake").students
    assert counts["right"] == 4
    for label in ("sigmoid derivative missing", "tanh derivative missing", "transposed matrix",
                  "timed out", "crashed", "not done", "error", "penalty on the bias"):
        assert counts[label] == 1, label
    assert counts.sum() == 16  # each submission shows one mistake (or one status) here


def test_nothing_was_written_outside_the_submissions_folders(klass):
    assert not klass["outside"].exists()
    row = klass["rows"].set_index("submission").loc["writes_outside.py"]
    assert "PermissionError" in row.evidence and "outside the submission's folder" in row.evidence
    assert not os.path.exists(os.path.expanduser("~/notes.txt"))  # HOME was its temporary folder
    assert sorted(os.listdir(klass["root"])) == ["out", "submissions"]


def test_the_endless_loop_was_stopped_at_its_time_limit(klass):
    row = klass["rows"].set_index("submission").loc["endless.py"]
    assert "time limit of 2 s" in row.evidence and 1.9 <= row.seconds < 6


def test_check_file_prints_the_evidence_and_exits_by_the_convention(tmp_path, capsys):
    right, wrong = tmp_path / "mine.py", tmp_path / "slip.py"
    right.write_text(RIGHT)
    wrong.write_text(SUBMISSIONS["forgot_derivative.py"])
    assert main(["check", str(right)]) == 0
    assert "All 2 gradients are right" in capsys.readouterr().out
    assert main(["check", str(wrong)]) == 1
    out = capsys.readouterr().out
    assert "Layer 1's activation derivative is missing: the sigmoid's derivative A * (1 - A)" in out and "Start with layer 1" in out


@pytest.mark.parametrize("argv, words", [
    (["check"], "a FILE"),
    (["check", "nowhere.py"], "give an existing .py or .ipynb file"),
    (["check", "mine.txt"], "give an existing .py or .ipynb file"),
    (["check", "mine.py", "--out", "x"], "--class DIR only"),
    (["check", "mine.py", "--class", "."], "one of them"),
    (["check", "--class", "empty"], "holds no .py or .ipynb"),
    (["check", "mine.py", "--time-limit", "0"], "--time-limit must be a positive"),
    (["check", "mine.py", "--dataset", "wine"], "does not apply to `check`"),
    (["check", "no_function.py"], "defines no function `gradients"),
    (["check", "bad_setting.py"], "ACTIVATION must be one of"),
])
def test_bad_input_is_exit_2_with_one_line_naming_the_fix(argv, words, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.py").write_text(RIGHT)
    (tmp_path / "mine.txt").write_text(RIGHT)
    (tmp_path / "empty").mkdir()
    (tmp_path / "no_function.py").write_text("import numpy as np\n")
    (tmp_path / "bad_setting.py").write_text('ACTIVATION = "softsign"\n' + RIGHT)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1
