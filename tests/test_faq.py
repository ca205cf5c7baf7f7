"""The questions students ask (experiments/faq): every question reproduced against real Keras,
a planted error in the twin turns its checks into MISMATCH, and the command line, the page and
the reports around them."""

import json
import re
import warnings
from pathlib import Path

import pytest

from scratch_vs_keras import experiments
from scratch_vs_keras.cli import main
from scratch_vs_keras.experiments import faq
from scratch_vs_keras.experiments.faq._shared import HISTORY, STEP, Answer, agree, numbers
from scratch_vs_keras.report import Report, verdict_frame

ROOT = Path(__file__).resolve().parents[1]
# The contract's bounds (DESIGN section 2); float32 runs: 100 eps32 per step, at most 0.05.
CONTRACT = {0.0, 1e-12, 1e-10}


@pytest.fixture(scope="module")
def all_questions(tmp_path_factory):
    """`run faq --quick` once, through the experiment runner: the overview and every part."""
    out = tmp_path_factory.mktemp("reports")
    report = experiments.run("faq", experiments.Config(quick=True, out=str(out)))
    return report, out


def test_at_least_ten_questions_each_declared():
    assert len(faq.SLUGS) >= 10 and len(set(faq.SLUGS)) == len(faq.SLUGS)
    for slug in faq.SLUGS:
        module = faq.question(slug)
        assert module.SLUG == slug
        assert module.QUESTION.endswith("?") and module.ANSWER and module.TITLE
        assert "$$" in module.EXPLANATION  # the equation, displayed
        assert module.THREADS and all(url.startswith("https://github.com/")
                                      for _, url in module.THREADS)


@pytest.mark.parametrize("slug", faq.SLUGS)
def test_question_reproduces_keras_within_the_contract(all_questions, slug):
    report, out = all_questions
    part = next(p for p in report.parts if p.name == f"faq-{slug}")
    v = part.verdict
    assert part.status == "MATCH", v
    assert len(v) >= 2
    assert v["worst difference"].notna().all()
    for tol in v["tolerance"]:  # each bound is one of the contract's, or a float32 run's
        assert tol in CONTRACT or 0 < tol <= 0.05, tol
    assert (v["worst difference"] <= v["tolerance"]).all()
    assert (part.data["numbers"]["Keras"].notna()).any()  # Keras's own numbers are shown
    folder = out / f"faq-{slug}"
    md = (folder / "report.md").read_text()
    assert "**Question.**" in md and "## Threads" in md and faq.question(slug).THREADS[0][1] in md
    assert json.loads((folder / "verdict.json").read_text())["status"] == "MATCH"
    assert f'href="faq-{slug}/report.html"' in (out / "index.html").read_text()


def test_the_overview_lists_every_question(all_questions):
    report, out = all_questions
    assert report.status == "MATCH" and len(report.verdict) == len(faq.SLUGS)
    html = (out / "faq" / "report.html").read_text()
    for slug in faq.SLUGS:
        assert f"../faq-{slug}/report.html" in html
    assert "<math" in (out / "faq-bce_clipping" / "report.html").read_text()  # LaTeX as MathML


def test_the_puzzling_numbers_differ_where_the_question_says(all_questions):
    report, _ = all_questions
    n = {p.name.removeprefix("faq-"): p.data["numbers"].set_index("number") for p in report.parts}
    fit = n["fit_vs_evaluate"]
    assert abs(fit.loc["fit: History['loss'], last epoch", "Keras"]
               - fit.loc["evaluate(x_train) after fit", "Keras"]) > 1e-3
    clip = n["bce_clipping"]
    assert clip.loc["z = -30: sigmoid layer (logits path)", "Keras"] == pytest.approx(-1.0)
    assert clip.loc["z = -30: tf.math.sigmoid (clipped path)", "Keras"] == 0.0
    outputs = n["bce_mean_over_outputs"]
    assert outputs.loc["student's dJ/dW / Keras's", "student"] == pytest.approx(3.0, rel=1e-12)
    seeds = n["same_seed"]["Keras"]
    assert seeds.iloc[0] == seeds.iloc[1]  # set_random_seed twice: the same run
    assert seeds.iloc[2] != seeds.iloc[0]  # another seed: other orders


def test_a_twin_with_the_exact_l2_factor_is_a_mismatch(monkeypatch):
    # Keras rounds L2(0.01) to float32; a twin that does not is off by 2.2e-8 in the penalty
    import scratch_vs_keras.scratch.regularizers as regularizers

    monkeypatch.setattr(regularizers, "float32_round", float)
    report = faq.question_report("l2_factor", experiments.Config(quick=True), "faq-l2_factor")
    rows = report.verdict.set_index("quantity")
    assert report.status == "MISMATCH"
    assert rows.loc["J with the penalty: twin vs Keras", "status"] == "MISMATCH"
    assert rows.loc["penalty = fl32(0.01) sum(W^2)", "status"] == "MATCH"  # Keras is unchanged


def test_a_twin_that_sums_over_the_outputs_is_a_mismatch(monkeypatch):
    # the student's binary cross-entropy: summed over the k outputs instead of averaged
    from scratch_vs_keras.scratch.losses import BinaryCrossentropy

    original = BinaryCrossentropy.per_sample_from_logits

    def summed(self, y_true, z):
        values, grad = original(self, y_true, z)
        return values * z.shape[-1], grad * z.shape[-1]

    monkeypatch.setattr(BinaryCrossentropy, "per_sample_from_logits", summed)
    report = faq.question_report("bce_mean_over_outputs", experiments.Config(quick=True), "x")
    rows = report.verdict.set_index("quantity")
    assert rows.loc["J: twin vs Keras", "status"] == "MISMATCH"
    assert rows.loc["dJ/dW and dJ/db: twin vs Keras", "worst difference"] == pytest.approx(2.0)
    assert rows.loc["dJ/dW = X^T (A - Y) / (B k)", "status"] == "MATCH"


def test_agree_holds_a_number_to_its_bound():
    assert agree("x", 1.0 + 2e-12, 1.0)[1] == pytest.approx(2e-12, rel=1e-3)
    verdict = verdict_frame([agree("wrong by 2e-12", 1.0 + 2e-12, 1.0),
                             agree("exact", [1.0, 2.0], [1.0, 2.0], 0.0),
                             agree("history", 1.5 + 1e-13, 1.5, HISTORY)])
    assert list(verdict.status) == ["MISMATCH", "MATCH", "MATCH"]
    assert STEP == 1e-12


def test_the_overview_names_a_failing_question():
    good = Report("faq-a", "A", "", verdict_frame([("a", 0.0, 1e-12)]))
    bad = Report("faq-b", "B", "", verdict_frame([("twin vs Keras", 1e-3, 1e-12, "step 2")]))
    overview = faq._overview([good, bad], experiments.Config())
    assert overview.status == "MISMATCH"
    assert list(overview.verdict.status) == ["MATCH", "MISMATCH"]
    assert "step 2" in overview.divergence


def _stub_answer(cfg):
    return Answer(numbers([("a number", 1.0, 1.0, 1.0, 2.0)]),
                  [agree("stub: twin vs Keras", 1.0, 1.0)], "A stub finding.")


def test_run_faq_one_question(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(faq.question("same_seed"), "measure", _stub_answer)
    assert main(["run", "faq", "same_seed", "--quick", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == f"Open {tmp_path}/faq-same_seed/report.html in a browser."
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == \
        ["faq-same_seed", "index.html"]
    assert "A stub finding." in (tmp_path / "faq-same_seed" / "report.md").read_text()
    cfg = experiments.Config(quick=True, question="same_seed")
    assert cfg.command("faq").startswith("scratch-vs-keras run faq same_seed ")


@pytest.mark.parametrize("argv, message", [
    (["run", "faq", "nope"], r"unknown question 'nope'; valid questions: fit_vs_evaluate, "),
    (["run", "headline", "same_seed"], r"`run headline` takes no question"),
    (["run", "all", "same_seed"], r"`run all` takes no question"),
    (["run", "faq", "same_seed", "--epochs", "3"], r"`run faq` does not take --epochs"),
    (["run", "faq", "--dataset", "wine"], r"`run faq` does not take --dataset"),
])
def test_bad_questions_exit_2_and_write_nothing(argv, message, tmp_path, capsys):
    assert main(argv + ["--out", str(tmp_path / "r")]) == 2
    assert re.search(message, capsys.readouterr().err)
    assert not (tmp_path / "r").exists()


def test_list_names_every_question(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for number, slug, title in faq.describe():
        assert re.search(rf"^  {slug} +{number}\. ", out, re.M), slug


def test_questions_page_is_generated_current_and_renders_offline(tmp_path, capsys):
    from scratch_vs_keras.report.markup import markdown_to_html

    page = tmp_path / "questions.md"
    assert main(["questions", "--out", str(page)]) == 0
    text = page.read_text()
    assert text == faq.questions_markdown()
    assert (ROOT / "docs" / "questions.md").read_text() == text, \
        "docs/questions.md is stale: scratch-vs-keras questions --out docs/questions.md"
    for slug in faq.SLUGS:
        assert f"(../reports/faq-{slug}/report.html)" in text
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an unsupported LaTeX snippet warns
        html = markdown_to_html(text)
    assert "tex-error" not in html and html.count("<math") >= 2 * len(faq.SLUGS)
    assert main(["questions"]) == 0 and "# Questions students ask" in capsys.readouterr().out


def test_categorical_cross_entropy_logits_gradient_from_first_principles():
    # d/dz [sum(y) logsumexp(z) - y.z] = softmax(z) sum(y) - y: 0 for an all-zero row (question 6)
    import numpy as np

    from scratch_vs_keras.scratch.losses import CategoricalCrossentropy

    z = np.array([[0.1, 0.9, -0.3], [1.0, 2.0, 3.0], [0.2, 0.1, 0.4]])
    y = np.array([[0.0, 0.0, 0.0], [0.25, 0.25, 0.0], [0.0, 1.0, 0.0]])
    values, grad = CategoricalCrossentropy().per_sample_from_logits(y, z)
    softmax = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert values[0] == 0 and np.all(grad[0] == 0)
    np.testing.assert_allclose(grad[1], 0.5 * softmax[1] - y[1], rtol=0, atol=1e-15)
    np.testing.assert_allclose(grad[2], softmax[2] - y[2], rtol=0, atol=1e-15)
    lse = np.log(np.exp(z[1]).sum())
    assert values[1] == pytest.approx(0.25 * (lse - 1.0) + 0.25 * (lse - 2.0), rel=1e-14)
