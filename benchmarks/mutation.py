"""Mutation audit: can the tests fail? Plant realistic bugs one at a time and watch a test fail.

Each mutant replaces one exact piece of source text (its *anchor*, which must occur exactly once
in its file) in a temporary copy of the repository, never in the working tree, and runs only the
tests named for it against that copy (``PYTHONPATH`` = the copy; ``-x -q -p no:cacheprovider``).
A mutant is KILLED when a test fails, SURVIVED when they all pass. A mutant whose anchor is not
found exactly once is reported as DOES NOT APPLY and fails the audit, so this list is kept in
step with the code. Mutants documented as equivalent (the program still computes the same
numbers) are listed apart with the reason and not run.

Before the mutants, the named tests run once on the unmutated copy (the baseline): a test that
fails without a mutant would "kill" every mutant and prove nothing.

    python benchmarks/mutation.py                 # the whole audit; rewrites TESTING.md's table
    python benchmarks/mutation.py --list          # the mutants and whether each anchor applies
    python benchmarks/mutation.py --only NAME     # one mutant (a comma-separated list works too);
                                                  # updates only its rows of the table

The last line printed is ``mutation: killed K of N`` (of the mutants run). Exit status 0 when
every mutant applies and is killed, else 1. Not part of CI: the full audit runs one pytest
process per mutant (93), most of them importing TensorFlow (see TESTING.md for the time it took).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTING_MD = ROOT / "TESTING.md"
TABLE_START, TABLE_END = "<!-- mutation table: start -->", "<!-- mutation table: end -->"

PKG = "scratch_vs_keras/"
T_ACT = "tests/test_activations_vs_keras.py::"
T_LOSS = "tests/test_losses_vs_keras.py::test_loss_matches_keras"
T_OPT = "tests/test_optimizers_vs_keras.py::test_updates_are_identical_to_keras_in_float64"
T_SCHED = "tests/test_optimizers_vs_keras.py::test_schedule_values_equal_keras_bit_for_bit"
T_SURV = "tests/test_mutation_survivors.py::"
T_PINS = "tests/test_tolerance_pins.py::"
T_LOC = "tests/test_fit_history_and_locator.py::"
T_FAULT = "tests/test_detects_faults.py::"
T_COURSE = "tests/test_course.py::"
T_LESSON = "tests/test_lesson_checker.py::"
T_SURV2 = "tests/test_mutation_survivors_2.py::"
T_BREADTH = "tests/test_breadth_gradients_vs_keras.py::"
T_PORTED = "tests/test_keras_ported_losses.py::"
T_DROP = "tests/test_dropout_twin.py::"
T_NOTEBOOKS = "tests/test_course_notebooks.py::"
T_MISTAKES = "tests/test_checker_mistakes.py::"
T_FEAT = "tests/test_optimizer_features_vs_keras.py::"


@dataclass(frozen=True)
class Mutant:
    """One planted bug: in ``path``, ``anchor`` becomes ``replacement``."""

    name: str
    path: str
    anchor: str
    replacement: str
    description: str
    tests: tuple = ()
    equivalent: str = ""  # why the mutant computes the same numbers (then it is not run)


def M(name, path, anchor, replacement, description, *tests):
    return Mutant(name, PKG + path, anchor, replacement, description, tests)


def E(name, path, anchor, replacement, description, reason):
    return Mutant(name, PKG + path, anchor, replacement, description, (), reason)


MUTANTS = [
    # -- scratch/activations.py ---------------------------------------------------------------
    M("softmax_no_max_shift", "scratch/activations.py",
      "e = np.exp(z - z.max(axis=self.axis, keepdims=True))", "e = np.exp(z)",
      "softmax without the max subtraction (overflows at large logits)",
      T_SURV + "test_softmax_value_and_derivative_at_large_logits_match_keras",
      T_SURV + "test_softmax_hidden_layer_with_large_preactivations_matches_keras"),
    M("sigmoid_derivative", "scratch/activations.py",
      "lambda z, a, g: g * a * (1 - a)", "lambda z, a, g: g * (1 - a)",
      "sigmoid derivative a(1 - a) written as (1 - a)",
      T_ACT + "test_activation_function_and_derivative_match_keras_elementwise[sigmoid]"),
    M("tanh_derivative", "scratch/activations.py",
      "lambda z, a, g: g * (1 - a * a)", "lambda z, a, g: g * (1 - a)",
      "tanh derivative 1 - a^2 written as 1 - a",
      T_ACT + "test_activation_function_and_derivative_match_keras_elementwise[tanh]"),
    M("relu_kink", "scratch/activations.py",
      "return grad_a * (z > 0)", "return grad_a * (z >= 0)",
      "relu'(0) = 1 instead of TensorFlow's 0",
      T_ACT + "test_activation_function_and_derivative_match_keras_elementwise[relu]"),
    M("leaky_relu_textbook_slope", "scratch/activations.py",
      "return np.where(z > 0, z, float32_round(self.negative_slope) * z)",
      "return np.where(z > 0, z, self.negative_slope * z)",
      "leaky_relu with the exact 0.2, not TensorFlow's float32 attribute",
      T_ACT + "test_textbook_constants_would_not_match"),
    M("gelu_textbook_constant", "scratch/activations.py",
      "c = float32_round(0.7071067811865476)", "c = 0.7071067811865476",
      "gelu's 1/sqrt(2) not rounded through float32 as TensorFlow does",
      T_ACT + "test_activation_function_and_derivative_match_keras_elementwise[gelu]"),
    M("elu_derivative", "scratch/activations.py",
      "return np.where(res < 0, g * (res + 1), g)",
      "return np.where(res < 0, g * res, g)",
      "elu derivative e^z written as e^z - 1 (a instead of a + 1)",
      T_ACT + "test_activation_function_and_derivative_match_keras_elementwise[elu]"),
    # -- scratch/losses/ --------------------------------------------------------------------
    M("mse_factor_two", "scratch/losses/regression.py",
      "(-2.0 / k) * diff", "(-1.0 / k) * diff",
      "mean squared error gradient without the 2 of d(e^2)/de",
      T_LOSS + "[MeanSquaredError-linear3-sum_over_batch_size-float64]"),
    M("mse_sum_not_mean", "scratch/losses/regression.py",
      "return np.mean(diff * diff, axis=-1)", "return np.sum(diff * diff, axis=-1)",
      "per-sample MSE summed over the k outputs, not averaged",
      T_LOSS + "[MeanSquaredError-linear3-sum_over_batch_size-float64]"),
    M("mae_sign_of_zero", "scratch/losses/regression.py",
      "-np.sign(diff) / k", "np.where(diff > 0, -1.0, 1.0) / k",
      "MAE gradient +-1 at a zero residual (TensorFlow: sign(0) = 0)",
      T_SURV + "test_mae_gradient_at_exactly_zero_residuals_matches_keras"),
    M("bce_no_logits_shortcut", "scratch/losses/probabilistic.py",
      "return activation.name in self._shortcut_activations or self.from_logits",
      "return self.from_logits",
      "cross-entropy through clipped probabilities where Keras uses the logits",
      "tests/test_losses_vs_keras.py::test_predict_output_and_model_loss_differ_where_keras_does"),
    M("cce_no_normalization", "scratch/losses/probabilistic.py",
      "q = y_pred / s\n        p, inside = _clip(q)\n        values = -(y_true",
      "q = y_pred\n        p, inside = _clip(q)\n        values = -(y_true",
      "categorical cross-entropy (clipping path) without p / sum(p)",
      T_LOSS + "[CategoricalCrossentropy-softplus3-sum_over_batch_size-float64]"),
    M("batch_mean_gradient", "scratch/losses/base.py",
      "grad *= 1.0 / n", "grad *= 1.0",
      "sum_over_batch_size: the loss divided by B, its gradient not",
      T_LOSS + "[MeanSquaredError-linear3-sum_over_batch_size-float64]"),
    # -- scratch/regularizers.py --------------------------------------------------------------
    M("l1_sign_of_zero", "scratch/regularizers.py",
      "grad += float32_round(self.l1) * np.sign(w)",
      "grad += float32_round(self.l1) * np.where(w >= 0, 1.0, -1.0)",
      "L1 gradient +l1 at w = 0 (TensorFlow: sign(0) = 0)",
      T_SURV + "test_l1_on_zero_biases_matches_keras"),
    M("l2_gradient_factor_two", "scratch/regularizers.py",
      "grad += 2 * float32_round(self.l2) * w", "grad += float32_round(self.l2) * w",
      "L2 gradient l2*w (the course's C*W) for Keras's 2*l2*w",
      "tests/test_regularizers_vs_keras.py::test_penalty_counts_in_loss_and_gradients[l2-kernel-float64]"),
    M("l2_textbook_factor", "scratch/regularizers.py",
      "total = total + float32_round(self.l2) * (w * w).sum()",
      "total = total + self.l2 * (w * w).sum()",
      "L2 penalty with the exact factor, not Keras's float32-rounded one",
      "tests/test_regularizers_vs_keras.py::test_unrounded_factor_would_be_off_by_more_than_the_tolerance"),
    # -- scratch/optimizers -------------------------------------------------------------------
    M("sgd_momentum_textbook", "scratch/optimizers/sgd.py",
      "mu = float32_round(self.momentum)", "mu = self.momentum",
      "SGD momentum not rounded through float32 as Keras does",
      T_OPT + "[sgd_momentum]"),
    M("sgd_nesterov_old_velocity", "scratch/optimizers/sgd.py",
      "variable += m * mu - gradient * learning_rate", "variable += m",
      "Nesterov step without the look-ahead (plain momentum)",
      T_OPT + "[sgd_nesterov]"),
    M("rmsprop_no_epsilon", "scratch/optimizers/rmsprop.py",
      "denominator = v + self.epsilon", "denominator = v",
      "RMSprop without epsilon inside the square root",
      T_OPT + "[rmsprop]"),
    M("rmsprop_centered_sign", "scratch/optimizers/rmsprop.py",
      "denominator = v - a * a + self.epsilon", "denominator = v + a * a + self.epsilon",
      "centered RMSprop adds the squared mean instead of subtracting it",
      T_OPT + "[rmsprop_centered]"),
    M("adagrad_zero_start", "scratch/optimizers/adagrad.py",
      "self._slots(variables, float32_round(self.initial_accumulator_value))",
      "self._slots(variables, 0.0)",
      "Adagrad accumulator starting at 0, not Keras's 0.1",
      T_OPT + "[adagrad]"),
    M("adam_no_bias_correction", "scratch/optimizers/adam.py",
      "alpha = learning_rate * np.sqrt(1 - beta_2_power) / (1 - beta_1_power)",
      "alpha = learning_rate",
      "Adam without bias correction",
      T_OPT + "[adam]"),
    M("adam_epsilon_inside_sqrt", "scratch/optimizers/adam.py",
      "variable -= m * alpha / (np.sqrt(v) + self.epsilon)",
      "variable -= m * alpha / np.sqrt(v + self.epsilon)",
      "Adam's epsilon inside the square root",
      T_OPT + "[adam]"),
    M("amsgrad_ignored", "scratch/optimizers/adam.py",
      "np.maximum(v_hat, v, out=v_hat)", "np.copyto(v_hat, v)",
      "amsgrad keeps the latest v, not the running maximum",
      T_OPT + "[adam_amsgrad]"),
    M("adamax_no_decay", "scratch/optimizers/adamax.py",
      "u[...] = np.maximum(self.beta_2 * u, abs_g)", "u[...] = np.maximum(u, abs_g)",
      "Adamax's infinity norm without the beta_2 decay",
      T_OPT + "[adamax]"),
    M("adadelta_no_rho", "scratch/optimizers/adadelta.py",
      "D[...] = rho * D + (1 - rho) * delta_squared", "D[...] = rho * D + delta_squared",
      "Adadelta's update accumulator without (1 - rho)",
      T_OPT + "[adadelta]"),
    M("nadam_textbook_decay", "scratch/optimizers/nadam.py",
      "decay = dt(float32_round(0.96))", "decay = dt(0.96)",
      "Nadam's 0.96 not rounded through float32 as Keras does",
      T_OPT + "[nadam]"),
    M("weight_decay_after_update", "scratch/optimizers/base.py",
      "        self._apply_weight_decay(variables, lr)\n"
      "        self._update_all(grads, variables, lr)\n",
      "        self._update_all(grads, variables, lr)\n"
      "        self._apply_weight_decay(variables, lr)\n",
      "decoupled weight decay applied after the update instead of before",
      T_OPT + "[adamw]"),
    M("clipnorm_always_rescales", "scratch/optimizers/base.py",
      "v * c / np.maximum(np.sqrt(np.sum(values(g) ** 2)), c)",
      "v * c / np.sqrt(np.sum(values(g) ** 2))",
      "clipnorm rescales every gradient to norm c, also the small ones",
      T_OPT + "[sgd_clipnorm]"),
    M("schedule_post_increment", "scratch/optimizers/base.py",
      "return float(lr(self._iterations))",
      "return float(lr(self._iterations + 1))",
      "a schedule evaluated at the step after the update, not before",
      T_OPT + "[sgd_exponential]"),
    M("callable_learning_rate_exact", "scratch/optimizers/base.py",
      "return dtype.type(float32_round(lr) if called and type(lr) is float else lr)",
      "return dtype.type(lr)",
      "a callable's Python-float learning rate not rounded through float32 as Keras's cast",
      T_FEAT + "test_each_step_equals_keras_in_float64[sgd_callable_learning_rate]"),
    M("exclusion_searches_the_path", "scratch/optimizers/base.py",
      'names[i].rsplit("/", 1)[-1]', "names[i]",
      "var_names searched in the path dense/kernel, not Keras's variable.name kernel",
      T_FEAT + "test_each_step_equals_keras_in_float64[adamax_decay_excluding_regex]"),
    M("ema_without_first_step_start", "scratch/optimizers/base.py",
      "self.ema_momentum if self.iterations != 0 else 0.0", "self.ema_momentum",
      "the moving average starts from zeros, not from the first updated weights",
      T_FEAT + "test_each_step_equals_keras_in_float64[adam_ema]"),
    M("accumulation_sums_not_averages", "scratch/optimizers/base.py",
      "grads = [(dense(g) + acc) / steps for", "grads = [(dense(g) + acc) for",
      "gradient accumulation applies the sum of the gradients, not their mean",
      T_FEAT + "test_each_step_equals_keras_in_float64[adam_accumulate_3]"),
    M("fit_not_finalized", "scratch/trainer.py",
      "        self.optimizer.finalize_variable_values(\n",
      "        (lambda var_list: None)(\n",
      "fit ends without setting the weights to their moving averages (use_ema)",
      T_FEAT + "test_side_by_side_fit_of_1020_steps[ema_finalized_at_the_end]"),
    # -- scratch/optimizers/schedules.py ------------------------------------------------------
    M("exponential_staircase_ignored", "scratch/optimizers/schedules.py",
      "            p = np.floor(p)\n", "            p = p\n",
      "ExponentialDecay(staircase=True) decays smoothly",
      T_SCHED + "[exponential_staircase]"),
    M("inverse_time_staircase_ignored", "scratch/optimizers/schedules.py",
      "rate_p = dt(self.decay_rate) * np.floor(dt(step) * r)",
      "rate_p = dt(self.decay_rate) * (dt(step) * r)",
      "InverseTimeDecay(staircase=True) decays smoothly",
      T_SCHED + "[inverse_time_staircase]"),
    M("piecewise_boundary", "scratch/optimizers/schedules.py",
      "if step <= b:", "if step < b:",
      "PiecewiseConstantDecay switches one step early at each boundary",
      T_SCHED + "[piecewise]"),
    # -- scratch/batching.py, trainer.py ------------------------------------------------------
    M("permutation_seed_stream", "scratch/batching.py",
      "np.random.default_rng([int(seed), 1, int(call)])",
      "np.random.default_rng([int(seed), int(call)])",
      "epoch permutations drawn from another stream than documented",
      T_SURV + "test_fit_visits_the_rows_in_the_documented_order"),
    M("partial_batch_dropped", "scratch/batching.py",
      "for i in range(0, num_rows(x), batch_size)]",
      "for i in range(0, num_rows(x) - batch_size + 1, batch_size)]",
      "fit drops the last, shorter batch of an epoch",
      T_SURV + "test_fit_without_shuffle_visits_the_rows_as_stored"),
    M("fit_calls_not_counted", "scratch/trainer.py",
      "        self._fit_calls += 1\n", "",
      "every fit of a model repeats the first fit's shuffles",
      T_SURV + "test_fit_visits_the_rows_in_the_documented_order"),
    M("history_unweighted_mean", "scratch/trainer.py",
      'trackers["loss"].update(loss, size)', 'trackers["loss"].update(loss, 1)',
      "History's loss: a plain mean of batch losses, not weighted by batch size",
      T_LOC + "test_fit_history_equals_keras_fit_history[data]"),
    # -- scratch/layers -----------------------------------------------------------------------
    M("dense_bias_gradient_mean", "scratch/layers/dense.py",
      "np.add.reduce(delta, axis=0, out=out[1])",
      "np.mean(delta, axis=0, out=out[1])",
      "Dense bias gradient averaged over the batch instead of summed",
      T_FAULT + "test_smooth_activations_are_compared_at_a_large_step"),
    M("embedding_assign_not_add", "scratch/sparse.py",
      "np.add.at(out, self.indices, self.values)", "out[self.indices] = self.values",
      "Embedding gradient: repeated categories overwrite instead of adding up",
      "tests/test_wide_and_deep.py::test_embedding_gradient_with_repeated_indices_matches_keras"),
    M("bias_row_of_zeros", "scratch/layers/ones_column.py",
      "ones = np.ones((x.shape[0], 1), dtype=x.dtype)",
      "ones = np.zeros((x.shape[0], 1), dtype=x.dtype)",
      "the course's bias row is a row of zeros",
      T_COURSE + "test_gradients_are_the_lectures_equations[0.0-row]"),
    # -- keras_side/twin.py ---------------------------------------------------------------------
    M("copy_weights_to_numpy_noop", "keras_side/twin.py",
      "target.set_weights([by_name[n] for n in target.weight_names()])",
      "target.get_weights()",
      "copy_weights from Keras to the NumPy model copies nothing",
      "tests/test_wide_and_deep.py::test_functional_twin_has_the_same_graph_and_weights"),
    # -- compare/diff.py: the contract's tolerances -------------------------------------------
    M("step_tolerance_float64", "compare/diff.py",
      '("step", "float64"): 1e-12,', '("step", "float64"): 1e-11,',
      "the one-batch float64 bound loosened a decade",
      T_PINS + "test_one_batch_bound_against_keras"),
    M("step_tolerance_float32", "compare/diff.py",
      '("step", "float32"): 1e-5,', '("step", "float32"): 1e-4,',
      "the one-batch float32 bound loosened a decade",
      T_PINS + "test_one_batch_bound_against_keras"),
    M("finite_difference_tolerance", "compare/diff.py",
      '("finite_difference", "float64"): 1e-6,', '("finite_difference", "float64"): 1e-5,',
      "the finite-difference bound loosened a decade",
      T_PINS + "test_finite_difference_bound"),
    M("run_tolerance_float64", "compare/diff.py",
      '("run", "float64"): 1e-10,', '("run", "float64"): 1e-9,',
      "the whole-run float64 weight bound loosened a decade",
      T_PINS + "test_weight_bound_of_a_run"),
    M("float32_run_margin", "compare/diff.py",
      "FLOAT32_RUN_MARGIN = 100\n", "FLOAT32_RUN_MARGIN = 1000\n",
      "the float32 run margin loosened a decade",
      T_PINS + "test_weight_bound_of_a_run"),
    M("float32_run_cap", "compare/diff.py",
      "FLOAT32_RUN_CAP = 0.05\n", "FLOAT32_RUN_CAP = 0.5\n",
      "the float32 run cap loosened a decade",
      T_PINS + "test_float32_bound_is_capped_for_long_runs"),
    M("rel_diff_all_zero_reference", "compare/diff.py",
      '    if scale == 0.0 or not np.isfinite(gap):\n        return float("inf")',
      '    if scale == 0.0 or not np.isfinite(gap):\n        return 0.0',
      "a nonzero tensor against an all-zero reference counts as equal",
      T_SURV + "test_a_nonzero_tensor_against_an_all_zero_reference_is_a_mismatch"),
    # -- compare/training.py ------------------------------------------------------------------
    M("run_batch_loss_tolerance", "compare/training.py",
      '"batch_loss": tolerance("step", "float64")', '"batch_loss": 1e-11',
      "the run's batch-loss bound loosened a decade",
      T_PINS + "test_batch_loss_bound_of_a_run"),
    M("run_history_tolerance", "compare/training.py",
      '"history": tolerance("step", "float64")', '"history": 1e-11',
      "the run's History bound loosened a decade",
      T_PINS + "test_history_bound_of_a_run"),
    M("run_gradient_tolerance", "compare/training.py",
      '"gradient": tolerance("step", "float64")}', '"gradient": 1e-11}',
      "the run's per-step gradient bound loosened a decade",
      T_PINS + "test_gradient_bound_of_a_run"),
    M("run_final_weight_tolerance", "compare/training.py",
      '"final_weight": tolerance("run", "float64")', '"final_weight": 1e-9',
      "the run's final-weight bound loosened a decade",
      T_PINS + "test_final_weight_bound_of_a_run"),
    M("locator_weights_first", "compare/training.py",
      'for quantity in ("batch_loss", "gradient", "weight"):',
      'for quantity in ("weight", "batch_loss", "gradient"):',
      "the locator names the updated weights before the batch loss that caused them",
      T_LOC + "test_locator_finds_one_batch_out_of_order"),
    M("locator_last_step", "compare/training.py",
      "step = int(beyond.step.min())", "step = int(beyond.step.max())",
      "the locator reports the last step beyond tolerance, not the first",
      T_PINS + "test_weight_bound_of_a_run"),
    # -- compare/gradients.py -----------------------------------------------------------------
    M("no_summed_magnitude_floor", "compare/gradients.py",
      'r, note = rel_diff(g, kg, floor=terms), ""', 'r, note = rel_diff(g, kg), ""',
      "a cancelling gradient measured against its round-off result, not its terms",
      T_FAULT + "test_cancelling_bias_gradient_is_measured_against_its_terms"),
    M("fd_one_sided_difference", "compare/gradients.py",
      "return (plus - minus) / (2 * h), ", "return (plus - minus) / h, ",
      "central difference without the 2h",
      T_FAULT + "test_smooth_activations_are_compared_at_a_large_step"),
    M("fd_kinks_always_checked", "compare/gradients.py",
      "checked = compared >= max(1, int(np.ceil(FD_MIN_COMPARED * idx.size)))",
      "checked = True",
      "a finite-difference row that compared nothing still says ok",
      T_FAULT + "test_kinks_no_slope_explains_are_not_checked"),
    # -- course/: estimator.py, rules.py, presets.py, weights.py --------------------------------
    M("course_fixed_size_batches", "course/estimator.py",
      "np.array_split(order, int(self.minibatches))",
      "[order[i:i + -(-len(order) // int(self.minibatches))] for i in "
      "range(0, len(order), -(-len(order) // int(self.minibatches)))]",
      "the course's mini-batches as ceil-sized slices, not np.array_split pieces",
      T_SURV + "test_course_minibatches_are_array_split_pieces"),
    M("course_lookback_accumulates", "course/rules.py",
      "            step = rho + self.alpha * self.rho_prev[index]\n",
      "            step = rho = rho + self.alpha * self.rho_prev[index]\n",
      "the one-step look-back momentum keeps accumulating (heavy ball)",
      T_SURV + "test_course_lookback_momentum_looks_back_one_step_only"),
    M("course_l2_on_bias_row", "course/rules.py",
      "            grad[0] = 0.0\n", "            pass\n",
      "the course's L2 penalizes the bias row too",
      T_COURSE + "test_gradients_are_the_lectures_equations[0.3-row]"),
    # -- lessons/: evidence.py, mistakes.py, lecture.py ---------------------------------------
    M("checker_no_transpose_diagnosis", "lessons/evidence.py",
      "if given.ndim == 2 and given.shape[::-1] == ref.shape and rel_diff(given.T, ref, scale) <= tol:",
      "if False:",
      "a transposed non-square gradient is not recognized",
      T_LESSON + "test_transposed_non_square_gradient_is_named"),
    M("checker_first_wrong_from_input", "lessons/evidence.py",
      'sort_values("layer", ascending=False, kind="stable")',
      'sort_values("layer", ascending=True, kind="stable")',
      "the first wrong tensor counted from the input, not from the output",
      T_LESSON + "test_bias_regularized_is_named"),
    M("checker_batch_factor_hint", "lessons/mistakes.py",
      'for value, name in {1 / N: "1/N", 1 / k: "1/k", 1 / (N * k): "1/(N k)", 2.0: "2", 0.5: "1/2",\n'
      '                        -1.0: "-1", float(N): "N"}.items():',
      'for value, name in {1 / N: "N", 1 / k: "1/k", 1 / (N * k): "1/(N k)", 2.0: "2", 0.5: "1/2",\n'
      '                        -1.0: "-1", float(N): "1/N"}.items():',
      "the names of the factors 1/N and N swapped (an extra 1/N called a missing one)",
      T_LESSON + "test_extra_one_over_n_is_named"),
    # -- issue 18, second round: the code main merged since the first audit ---------------------
    # scratch/activations.py: the new activations' derivatives at their kinks
    M("celu_kink_slope", "scratch/activations.py",
      "grad_a * (z >= 0) + grad_a * (z <= 0)", "grad_a * (z > 0) + grad_a * (z <= 0)",
      "celu'(0) = 1, not TensorFlow's 2 (both one-sided terms count at z = 0)",
      T_BREADTH + "test_new_activation_and_derivative_match_tensorflow_at_every_point_and_kink[celu]"),
    M("hard_tanh_open_ends", "scratch/activations.py",
      "lambda z, a, g: g * ((z >= -1) & (z <= 1))", "lambda z, a, g: g * ((z > -1) & (z < 1))",
      "hard_tanh's slope 0 at z = +-1, where TensorFlow passes the gradient",
      T_BREADTH + "test_new_activation_and_derivative_match_tensorflow_at_every_point_and_kink[hard_tanh]"),
    # scratch/losses/
    M("reduction_over_batch_rows", "scratch/losses/base.py",
      "            n = values.size\n", "            n = values.shape[0]\n",
      "sum_over_batch_size divides by the batch size B, not by the number of loss values (> 2-D input)",
      T_PORTED + "test_more_than_two_dimensions_average_over_every_loss_value"),
    M("sample_weight_not_in_loss", "scratch/losses/base.py",
      "                weighted = v * weight\n", "                weighted = v\n",
      "sample_weight left out of the loss value",
      T_PORTED + "test_keras_loss_case[losses_test.py::MeanSquaredErrorTest::test_sample_weighted]"),
    M("sample_weight_not_in_gradient", "scratch/losses/base.py",
      "dweighted = sum_to_shape(np.broadcast_to(weight, weighted.shape), v.shape)",
      "dweighted = np.ones(v.shape, values.dtype)",
      "sample_weight in the loss value but not in its gradient",
      T_SURV2 + "test_sample_weighted_loss_gradient_matches_keras"),
    M("weighted_mean_gradient_by_count", "scratch/losses/base.py",
      "return total / divisor, grad * (dweighted * (1.0 / divisor))",
      "return total / divisor, grad * (dweighted * (1.0 / weighted.size))",
      "mean_with_sample_weight: the loss divided by the sum of the weights, its gradient by their count",
      T_SURV2 + "test_sample_weighted_loss_gradient_matches_keras"),
    M("cce_label_smoothing_binary_offset", "scratch/losses/probabilistic.py",
      "return s / y_true.shape[-1]", "return 0.5 * s",
      "categorical label smoothing y(1 - s) + s/2 (the binary formula), not + s/k",
      T_BREADTH + "test_loss_call_with_every_reduction_and_sample_weight_matches_keras[CategoricalCrossentropy]"),
    # scratch/layers/dropout.py
    M("dropout_mask_unscaled", "scratch/layers/dropout.py",
      "scale = dtype.type(1.0 / (1.0 - self.rate)) if self.rate < 1 else dtype.type(0.0)",
      "scale = dtype.type(1.0)",
      "Dropout keeps units without the 1/(1 - rate) scale",
      T_DROP + "test_dropout_gradient_passes_only_kept_units_scaled"),
    M("dropout_at_inference", "scratch/layers/dropout.py",
      "if not training or self.rate == 0:", "if self.rate == 0:",
      "Dropout drops units at inference too (predict, evaluate)",
      T_DROP + "test_inference_drops_nothing_on_either_side"),
    # scratch/layers/preprocessing/hashed_crossing.py
    M("hashed_crossing_key", "scratch/layers/preprocessing/hashed_crossing.py",
      "HASH_KEY = 0xDECAFCAFFE", "HASH_KEY = 0",
      "HashedCrossing starts every cross's hash from 0, not TensorFlow's key",
      "tests/test_preprocessing_twins.py::test_hashed_crossing_of_strings_equals_keras_on_all_of_adult[columns1-14]"),
    # compare/training.py: the recorder inside Keras's compiled step
    M("in_graph_loss_after_update", "compare/training.py",
      "        saved = [state.value * 1 for state in states]\n"
      "        loss = model.compute_loss(x=x, y=y, y_pred=model(x, training=True),\n"
      "                                  sample_weight=sample_weight, training=True)\n"
      "        for state, value in zip(states, saved):\n"
      "            state.assign(value)\n"
      "        logs = keras_step(data)  # Keras's own step: forward, loss, tape, optimizer\n",
      "        logs = keras_step(data)  # Keras's own step: forward, loss, tape, optimizer\n"
      "        saved = [state.value * 1 for state in states]\n"
      "        loss = model.compute_loss(x=x, y=y, y_pred=model(x, training=True),\n"
      "                                  sample_weight=sample_weight, training=True)\n"
      "        for state, value in zip(states, saved):\n"
      "            state.assign(value)\n",
      "the in-graph recorder takes the batch loss after the update, not before",
      "tests/test_harness_records.py::test_records_are_bit_identical_to_the_step_by_step_harness[True-float64]"),
    M("in_graph_probe_draws_a_mask", "compare/training.py",
      "        for state, value in zip(states, saved):\n"
      "            state.assign(value)\n"
      "        logs = keras_step(data)",
      "        logs = keras_step(data)",
      "the in-graph recorder's loss probe moves the Dropout seed (Keras's step draws another mask)",
      "tests/test_dropout_twin.py::test_side_by_side_1000_steps_with_dropout_match_within_1e_10"),
    # course/: the notebooks' rules and presets
    M("course_heavy_ball_markdown_rule", "course/rules.py",
      "            rho = step = learning_rate * step_g + self.alpha * self.rho_prev[index]\n",
      "            rho = step_g + self.alpha * self.rho_prev[index]\n"
      "            step = learning_rate * rho\n",
      "07a's heavy ball as its markdown writes it, eta_k (g + alpha c), not its code's rule",
      T_NOTEBOOKS + "test_heavy_ball_by_hand_with_a_decreasing_rate"),
    M("course_bias_in_momentum", "course/rules.py",
      "plain = None if self.plain is None else self.plain[index]", "plain = None",
      "the biases take momentum and AdaGrad too (07a, 08a leave them out)",
      T_NOTEBOOKS + "test_adagrad_then_lookback_with_one_alpha_and_plain_bias_by_hand"),
    M("course_adagrad_own_decay", "course/presets.py",
      'settings["adagrad_decay"] = params.get("alpha") if decay is None else decay',
      'settings["adagrad_decay"] = 0.9 if decay is None else decay',
      "08a's AdaGrad decays with a constant 0.9, not with the one alpha of its momentum",
      T_NOTEBOOKS + "test_each_preset_trains_as_its_class[08a:TLPAdaGrad]"),
    M("course_shuffle_not_compounded", "course/estimator.py",
      'order = order[perm] if s["shuffle_from"] == "previous" else perm', "order = perm",
      "each epoch permutes the original rows, not the previous epoch's order (08)",
      T_NOTEBOOKS + "test_each_preset_trains_as_its_class[08:TLPMiniBatch]"),
    M("course_bfgs_engine_order", "course/solvers.py",
      "    notebook = _notebook_arithmetic(est, shapes)", "    notebook = False",
      "07/07a's L-BFGS-B evaluated by the engine (Keras's layout), not in the notebook's order",
      T_NOTEBOOKS + "test_bfgs_follows_the_notebook_bit_for_bit[07a:TLPVectorizedBFGS]"),
    M("course_warm_start_resets_state", "course/estimator.py",
      "        self.engine_.optimizer = self._optimizer(self.engine_, self.settings_, self.engine_.optimizer)",
      "        self.engine_.optimizer = self._optimizer(self.engine_, self.settings_)",
      "08a's second fit starts momentum and AdaGrad again from zero",
      T_NOTEBOOKS + "test_08a_second_fit_continues[08a:TLPAdaGrad]"),
    M("course_07a_l2_factor_one", "course/rules.py",
      "grad = w * self.C * 2 if self.factor == 2 else self.C * w", "grad = self.C * w",
      "07a's L2 gradient C*W, not its 2C*W",
      T_NOTEBOOKS + "test_07a_l2_gradient_is_2C_W"),
    M("course_float_minibatches_ceil", "course/estimator.py",
      "np.array_split(order, int(self.minibatches))",
      "np.array_split(order, int(np.ceil(self.minibatches)))",
      "a float `minibatches` (len(X)/256) rounded up, not truncated as np.array_split does",
      T_NOTEBOOKS + "test_each_preset_trains_as_its_class[08:TLPMiniBatch]"),
    M("course_float_minibatches_rounded", "course/estimator.py",
      "np.array_split(order, int(self.minibatches))",
      "np.array_split(order, round(self.minibatches))",
      "a float `minibatches` rounded to the nearest piece count, not truncated",
      T_SURV2 + "test_a_float_minibatches_is_truncated_as_array_split_truncates_it"),
    M("course_steps_per_epoch_rounded", "course/estimator.py",
      "CourseSGD(self.eta, int(self.minibatches),", "CourseSGD(self.eta, round(self.minibatches),",
      "the rate's epoch counted with a rounded `minibatches` while the batches truncate it",
      T_SURV2 + "test_a_float_minibatches_is_truncated_as_array_split_truncates_it"),
    M("course_output_bias_zero", "course/weights.py",
      "np.full((fan_out, 1), output_bias if output else 0.0)", "np.full((fan_out, 1), 0.0)",
      "08a's output bias starts at 0, not at -2 (TLPBetterInitial, TLPAdaGrad)",
      T_NOTEBOOKS + "test_each_preset_trains_as_its_class[08a:TLPBetterInitial]"),
    M("course_zero_bias_fan_plus_one", "course/weights.py",
      "limit = _limit(init, fan_in, fan_out, output, plus_one=drawn)",
      "limit = _limit(init, fan_in, fan_out, output, plus_one=True)",
      "07a/08a's Glorot bound counts the bias in the fan (+ 1) though they draw no bias",
      T_NOTEBOOKS + "test_each_preset_trains_as_its_class[08a:TLPBetterInitial]"),
    M("course_drawn_bias_kept", "course/weights.py",
      "            if limit is not None:\n                W[:, 0] = 0.0\n", "",
      "08's Glorot start keeps the drawn bias column instead of setting it to 0",
      T_NOTEBOOKS + "test_each_preset_trains_as_its_class[08:TLPBetterInitial]"),
    # lessons/: the mistake catalogue and the evidence
    M("checker_scalar_fit_never_fires", "lessons/evidence.py",
      "return c if c != 1 and rel_diff(given, c * ref) <= max(tolerance, 1e-9) else None",
      "return None",
      "the factor test never fires: a gradient off by a constant factor is not named",
      T_LESSON + "test_keras_layout_missing_one_over_n_and_missing_derivative"),
    M("checker_float32_tolerance_of_float64", "lessons/evidence.py",
      'TOLERANCE = {"float64": 1e-9, "float32": 1e-5}', 'TOLERANCE = {"float64": 1e-9, "float32": 1e-9}',
      "a float32 answer held to float64's tolerance (right answers called wrong)",
      T_MISTAKES + "test_a_float32_answer_is_right_to_float32_round_off_and_says_so"),
    M("checker_float64_tolerance_of_float32", "lessons/evidence.py",
      'TOLERANCE = {"float64": 1e-9, "float32": 1e-5}', 'TOLERANCE = {"float64": 1e-5, "float32": 1e-5}',
      "a float64 answer held only to float32's tolerance (errors up to 1e-5 called right)",
      T_SURV2 + "test_the_checker_holds_a_float64_answer_to_1e_9[W1]"),
    M("checker_catalogue_without_factors", "lessons/mistakes.py",
      'slips += [Slip("data_factor", None, f) for f in factors]', "slips += []",
      "the catalogue's data-term factors (1/N, 1/k, 2, sign) never tested",
      T_MISTAKES + "test_each_mistake_is_caught_named_and_placed[over_n-sigmoid]"),
    M("checker_derivative_from_z_slip_is_right", "lessons/mistakes.py",
      "V = V * Z[L - 1] * (1 - Z[L - 1])", "V = V * out * (1 - out)",
      "the 'derivative from Z' slip modelled as the right pass, so it is never named",
      T_MISTAKES + "test_each_mistake_is_caught_named_and_placed[output_derivative_from_z-sigmoid]"),
    # -- report/document.py -------------------------------------------------------------------
    M("verdict_nan_is_mismatch", "report/document.py",
      'status = "NOT CHECKED" if np.isnan(worst) else ("MATCH" if worst <= tol else "MISMATCH")',
      'status = "MATCH" if worst <= tol else "MISMATCH"',
      "a row that compared nothing (NaN) is a MISMATCH, not NOT CHECKED",
      "tests/test_verdicts.py::test_verdict_frame_statuses_and_report_status"),
    M("verdict_not_checked_is_match", "report/document.py",
      'return "NOT CHECKED" if "NOT CHECKED" in statuses else "MATCH"', 'return "MATCH"',
      "a report with unchecked rows says MATCH",
      "tests/test_verdicts.py::test_verdict_frame_statuses_and_report_status"),
    M("verdict_infinite_tolerance", "report/document.py",
      "        if not np.isfinite(tol):\n", "        if False:\n",
      "a verdict row without a finite bound is accepted",
      "tests/test_verdicts.py::test_verdict_frame_statuses_and_report_status"),
]

EQUIVALENT = [
    E("elu_kink_inclusive", "scratch/activations.py",
      "return np.where(res < 0, g * (res + 1), g)",
      "return np.where(res <= 0, g * (res + 1), g)",
      "elu derivative branch taken at a = 0 as well",
      "res = 0 only at z = 0, where res + 1 = 1: both branches give g (alpha * grad_a)"),
    E("relu_float32_where", "scratch/activations.py",
      "return z * (z > 0)", "return np.maximum(z, 0)",
      "relu in float32 through np.maximum instead of a masked product",
      "the same numbers (z for z > 0, 0 otherwise; -0.0 vs 0.0 compare equal); only speed differs"),
    E("rel_diff_gap_first", "compare/diff.py",
      "    scale = max(scale, floor)\n    if gap == 0.0:\n        return 0.0",
      "    if gap == 0.0:\n        return 0.0\n    scale = max(scale, floor)",
      "the zero gap tested before the floor is applied",
      "the floor only scales a nonzero gap: the order of the two statements cannot change a result"),
]


# -- applying and running ----------------------------------------------------------------------

def applies(mutant, root=ROOT):
    """How often the anchor occurs in the mutant's file (it must be exactly once)."""
    path = Path(root) / mutant.path
    return path.read_text().count(mutant.anchor) if path.exists() else 0


def copy_repository(dest):
    """The working tree's sources and tests in ``dest`` (no .git, caches, venv or reports)."""
    ignore = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".hypothesis", ".pytest_cache",
                                    "reports", "*.egg-info", "*.pyc")
    shutil.copytree(ROOT, dest, ignore=ignore)
    return Path(dest)


def run_tests(copy, tests, timeout=900):
    """``(returncode, seconds, last lines)`` of pytest on ``tests`` in the copy."""
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1",
           "TF_CPP_MIN_LOG_LEVEL": "2"}
    cmd = [sys.executable, "-m", "pytest", *tests, "-x", "-q", "-p", "no:cacheprovider"]
    start = time.perf_counter()
    try:
        done = subprocess.run(cmd, cwd=copy, env=env, capture_output=True, text=True,
                              timeout=timeout)
        code, out = done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired:
        code, out = -1, f"timed out after {timeout} s"
    return code, time.perf_counter() - start, "\n".join(out.strip().splitlines()[-6:])


def check_copy_is_imported(copy):
    """The copy's package, not the installed one, is what the tests import."""
    env = {**os.environ, "PYTHONPATH": str(copy)}
    out = subprocess.run([sys.executable, "-c", "import scratch_vs_keras; print(scratch_vs_keras.__file__)"],
                         cwd=copy, env=env, capture_output=True, text=True).stdout.strip()
    if not Path(out).resolve().is_relative_to(Path(copy).resolve()):
        sys.exit(f"mutation: the tests would import {out}, not the copy in {copy}; stopping.")


def audit_one(copy, mutant):
    """Plant ``mutant`` in the copy, run its tests, restore the file: ``(status, seconds, tail)``."""
    path = Path(copy) / mutant.path
    original = path.read_text()
    if original.count(mutant.anchor) != 1:
        return "DOES NOT APPLY", 0.0, f"anchor found {original.count(mutant.anchor)} times in {mutant.path}"
    path.write_text(original.replace(mutant.anchor, mutant.replacement))
    try:
        code, seconds, tail = run_tests(copy, mutant.tests)
    finally:
        path.write_text(original)
    # 1: a test failed; 2: collection failed (an import error is a failing test too)
    status = {0: "SURVIVED", 1: "KILLED", 2: "KILLED"}.get(code, "ERROR")
    return status, seconds, tail


# -- output ------------------------------------------------------------------------------------

def print_list():
    for m in MUTANTS:
        n = applies(m)
        flag = "applies" if n == 1 else f"DOES NOT APPLY (anchor found {n} times)"
        print(f"{m.name:34s} {m.path:38s} {flag}\n    {m.description}\n    tests: {', '.join(m.tests)}")
    print("\nequivalent (not run):")
    for m in EQUIVALENT:
        n = applies(m)
        flag = "applies" if n == 1 else f"DOES NOT APPLY (anchor found {n} times)"
        print(f"{m.name:34s} {m.path:38s} {flag}\n    {m.description}\n    why: {m.equivalent}")


def table(results, total_seconds):
    """The Markdown table of ``results`` (mutant -> (status, seconds, how it ran)), every mutant
    of the list in order (``not run`` where there is no result), then the equivalent ones."""
    lines = ["| mutant | file | what it plants | result | seconds | run | caught by |",
             "|---|---|---|---|---|---|---|"]
    for m in MUTANTS:
        status, seconds, how = results.get(m.name, ("not run", float("nan"), ""))
        tests = "<br>".join(f"`{t.split('::', 1)[1] if '::' in t else t}`" for t in m.tests)
        lines.append(f"| `{m.name}` | `{m.path.removeprefix(PKG)}` | {m.description} | {status} | "
                     f"{seconds:.1f} | {how} | {tests} |")
    killed = sum(results.get(m.name, ("",))[0] == "KILLED" for m in MUTANTS)
    lines += ["", "Equivalent mutants (not run, not counted):", "",
              "| mutant | file | change | why it computes the same numbers |", "|---|---|---|---|"]
    lines += [f"| `{m.name}` | `{m.path.removeprefix(PKG)}` | {m.description} | {m.equivalent} |"
              for m in EQUIVALENT]
    lines += ["", f"Last full run: {total_seconds / 60:.1f} minutes (baseline included); rows "
              "marked `--only` come from `--only` runs since (a new mutant, a mutant re-anchored "
              "after the code moved, or a fix to a test).",
              "", f"`mutation: killed {killed} of {len(MUTANTS)}`"]
    return "\n".join(lines)


def stored_results():
    """The results in TESTING.md's table (name -> (status, seconds, how)) and the last full
    run's minutes, so that an ``--only`` run updates its rows and keeps the others."""
    doc = TESTING_MD.read_text()
    if TABLE_START not in doc:
        return {}, float("nan")
    text = doc.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0]
    results, minutes = {}, float("nan")
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) in (6, 7) and cells[0].startswith("`") and cells[3] in (
                "KILLED", "SURVIVED", "ERROR", "DOES NOT APPLY"):
            how = cells[5] if len(cells) == 7 else "full"
            results[cells[0].strip("`")] = (cells[3], float(cells[4]), how)
        elif line.startswith(("Last full run: ", "Total time: ")):
            minutes = float(line.split()[3 if line.startswith("Last") else 2])
    return results, minutes * 60


def write_testing_md(text):
    doc = TESTING_MD.read_text()
    head, rest = doc.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    TESTING_MD.write_text(f"{head}{TABLE_START}\n{text}\n{TABLE_END}{tail}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="list the mutants; run nothing")
    parser.add_argument("--only", help="run only these mutants (comma-separated names)")
    args = parser.parse_args(argv)
    if args.list:
        print_list()
        return 0
    chosen = MUTANTS
    if args.only:
        names = args.only.split(",")
        unknown = sorted(set(names) - {m.name for m in MUTANTS})
        if unknown:
            parser.error(f"unknown mutant(s) {', '.join(unknown)}; see --list")
        chosen = [m for m in MUTANTS if m.name in names]
    bad_equivalent = [m.name for m in EQUIVALENT if applies(m) != 1]
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        copy = copy_repository(Path(tmp) / "repo")
        check_copy_is_imported(copy)
        tests = list(dict.fromkeys(t for m in chosen for t in m.tests))
        code, seconds, tail = run_tests(copy, tests)
        print(f"baseline: {len(tests)} tests on the unmutated copy, {seconds:.1f} s", flush=True)
        if code != 0:
            print(f"mutation: the named tests fail without any mutant; fix them first.\n{tail}")
            return 1
        results = []
        for m in chosen:
            status, seconds, tail = audit_one(copy, m)
            results.append((m, (status, seconds, tail)))
            print(f"{status:15s} {seconds:6.1f} s  {m.name}: {m.description}", flush=True)
            if status != "KILLED":
                print("    " + tail.replace("\n", "\n    "), flush=True)
    total = time.perf_counter() - start
    print("\nequivalent mutants (not run):")
    for m in EQUIVALENT:
        flag = "" if m.name not in bad_equivalent else "  DOES NOT APPLY"
        print(f"  {m.name}: {m.description}. Why: {m.equivalent}{flag}")
    killed = sum(status == "KILLED" for _, (status, _, _) in results)
    how = "`--only`" if args.only else "full"
    stored, full_seconds = stored_results() if args.only else ({}, total)
    stored.update({m.name: (status, seconds, how) for m, (status, seconds, _) in results})
    write_testing_md(table(stored, full_seconds))
    print(f"\nTESTING.md: table {'rows updated' if args.only else 'rewritten'} ({total / 60:.1f} minutes)")
    print(f"mutation: killed {killed} of {len(results)}")
    return 0 if killed == len(results) and not bad_equivalent else 1


if __name__ == "__main__":
    sys.exit(main())
