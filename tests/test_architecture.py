"""The architecture as a test: import contracts (import-linter, configured in pyproject.toml) and
the public contract of the NumPy side; a new layer is one class plus one Keras mapping."""

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scratch_vs_keras import scratch

ROOT = Path(__file__).resolve().parents[1]

#: every contract of pyproject.toml: each must hold
HOLDING = ["layers", "layers-from-compare-down", "scratch-no-tensorflow",
           "course-estimator-no-tensorflow", "scratch-is-the-bottom",
           "scratch-private-modules", "no-cycles"]
TO_DO = []


def _lint_imports(*contracts):
    exe = Path(sys.executable).with_name("lint-imports")
    command = [str(exe) if exe.exists() else shutil.which("lint-imports"), "--no-cache"]
    for c in contracts:
        command += ["--contract", c]
    env = {"PYTHONPATH": str(ROOT), "PATH": str(Path(sys.executable).parent)}
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)


def test_import_contracts_hold():
    result = _lint_imports(*HOLDING)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(HOLDING)} kept, 0 broken." in result.stdout, result.stdout


def test_every_contract_is_listed():
    """HOLDING and TO_DO together are the contracts of pyproject.toml (none forgotten)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    ids = {c["id"] for c in config["tool"]["importlinter"]["contracts"]}
    assert ids == set(HOLDING) | set(TO_DO)


def test_the_contract_check_can_fail(tmp_path):
    """A planted upward import (scratch -> keras_side) breaks a contract the test checks."""
    package = tmp_path / "scratch_vs_keras"
    shutil.copytree(ROOT / "scratch_vs_keras", package,
                    ignore=shutil.ignore_patterns("__pycache__", "*.csv.gz"))
    with open(package / "scratch" / "sparse.py", "a") as f:
        f.write("\nfrom ..keras_side import twin  # planted\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    exe = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(exe) if exe.exists() else shutil.which("lint-imports"), "--no-cache",
         "--contract", "scratch-is-the-bottom"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={"PYTHONPATH": str(tmp_path), "PATH": str(Path(sys.executable).parent)})
    assert result.returncode != 0
    assert "scratch_vs_keras.scratch.sparse -> scratch_vs_keras.keras_side.twin" in result.stdout


# -- the public contract of the NumPy side ----------------------------------------------------------

def _model(*middle, dtype="float64"):
    model = scratch.Sequential([scratch.Input((4,)), scratch.layers.Dense(5, activation="tanh"),
                                *middle, scratch.layers.Dense(1, activation="sigmoid")],
                               seed=0, dtype=dtype)
    model.compile(optimizer=scratch.optimizers.SGD(0.1), loss="binary_crossentropy")
    return model


def test_trace_holds_the_lectures_quantities():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(7, 4)), (rng.random(7) > 0.5).astype(float)
    model = _model()
    t = model.trace(x, y)
    loss, grads = model.loss_and_gradients(x, y)
    assert t.loss == loss and all(np.array_equal(a, b) for a, b in zip(t.gradients, grads))
    assert list(t.outputs) == ["dense", "dense_1"] and t.y.shape == (7, 1)
    # the output sensitivity of sigmoid + binary cross-entropy is (A - Y) / B, and the hidden one
    # the lecture's recurrence delta_1 = (delta_2 W_2^T) * g'(Z_1)
    np.testing.assert_allclose(t.deltas[1], (t.y_pred - t.y) / 7, rtol=1e-13)
    hidden = t.caches[0]
    np.testing.assert_allclose(t.deltas[0], (t.deltas[1] @ model.layers[1].kernel.T)
                               * (1 - hidden.a ** 2), rtol=1e-13)
    assert model.loss_of_batch(t.x, t.y) == loss


def test_prepare_checks_and_batches_are_the_fits_batches():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(10, 4)), (rng.random(10) > 0.5).astype(float)
    model = _model()
    xc, yc = model.prepare(x, y)
    assert yc.shape == (10, 1)
    with pytest.raises(ValueError, match=r"`x_val` has 3 columns"):
        model.prepare(x[:, :3], y, x_name="x_val")
    order = model.epoch_orders(10, 1)[0]
    seen = []

    class Spy(scratch.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(logs["batch_loss"])

    probe = model.astype(model.dtype)
    expected = []
    for xb, yb in scratch.batching.batches(xc, yc, order, 4):
        expected.append(probe.loss_of_batch(xb, yb))
        loss, grads, _ = probe._train_step(xb, yb)
        probe.optimizer.apply(grads, probe.weights)
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[Spy()])
    assert seen == expected


def test_a_copy_packs_its_own_weight_buffer():
    import copy

    model = _model()
    clone = copy.deepcopy(model)
    assert clone._buffer.holds(clone.layers) and not np.shares_memory(clone._buffer.values,
                                                                         model._buffer.values)


def test_optimizer_config_is_complete():
    adam = scratch.optimizers.Adam(beta_1=0.8)
    assert adam.get_config()["beta_1"] == 0.8 and "beta_1=0.8" in repr(adam)


# -- a new layer: one class in one file plus its Keras mapping ---------------------------------

def test_a_new_layer_needs_no_change_to_the_model():
    """``Identity`` (scratch/layers/identity.py and one entry in keras_side.twin.KERAS_LAYERS)
    trains in a Sequential and a functional model, and its gradients equal Keras's."""
    pytest.importorskip("tensorflow")
    from scratch_vs_keras.compare import compare_gradients

    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(16, 4)), (rng.random(16) > 0.5).astype(float)
    model = _model(scratch.layers.Identity())
    result = compare_gradients(model, x, y, finite_differences=False)
    assert result.ok, str(result)
    worst = result.table[result.table.quantity == "gradient"].rel_diff.max()
    assert worst < 1e-14, str(result)

    inp = scratch.Input((4,))
    out = scratch.layers.Dense(1, activation="sigmoid")(scratch.layers.Identity()(inp))
    functional = scratch.Model(inp, out, seed=0, dtype="float64")
    functional.compile(optimizer="sgd", loss="binary_crossentropy")
    assert compare_gradients(functional, x, y, finite_differences=False).ok
