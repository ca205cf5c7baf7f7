"""One preset per perceptron class of the course notebooks 07, 07a, 08 and 08a: ``CourseMLP(
variant="08a:TLPAdaGrad", ...)`` sets every rule as that class does; the hyper-parameters the class
takes as arguments (``n_hidden``, ``C``, ``epochs``, ``eta``, ``alpha``, ``decrease_const``,
``decrease_iter`` as ``decrease_step``, ``minibatches``, ``shuffle``, ``dropout``, ``gtol``,
``random_state``) stay the caller's, as in the notebooks' ``vals`` dictionaries.

A knob left at ``None`` takes the variant's value (or, without a variant, the package default in
:data:`DEFAULTS`); a knob given explicitly wins over the variant.
"""

DEFAULTS = {
    "activation": "sigmoid", "cost": "quadratic", "bias": "row", "init": "uniform",
    "init_bias": "drawn", "output_bias": 0.0, "decrease": "none", "momentum": "none",
    "bias_update": "same", "adagrad": False, "l2_factor": 1, "shuffle": True,
    "shuffle_from": "original", "solver": "sgd", "warm_start": False,
}

# What every class of a notebook shares, then what each class changes.
_07 = {"bias": "row", "init_bias": "drawn", "l2_factor": 1}
_07A = {"bias": "vector", "init_bias": "zero", "l2_factor": 2, "bias_update": "plain"}
_MINI_07 = {"decrease": "power", "momentum": "lookback", "shuffle_from": "previous"}
_08 = {"bias": "row", "init_bias": "drawn", "decrease": "inverse_time", "momentum": "lookback",
       "shuffle_from": "previous"}
_08A = {"bias": "vector", "init_bias": "zero", "decrease": "step", "momentum": "lookback",
        "bias_update": "plain", "shuffle_from": "previous", "warm_start": True}
_CE = {"cost": "cross_entropy"}
_FULL = {"shuffle": False, "momentum": "none", "decrease": "none"}

# name: (notebook, how it records its cost, settings). Recording: "epoch" one value per epoch
# (full batch), "batches" a list per epoch, "mean" the epoch's mean of the mini-batch costs,
# "bfgs" nothing (course_cost_ keeps the values SciPy was given).
VARIANTS = {
    "07:TwoLayerPerceptronVectorized": ("07", "epoch", {**_07, **_FULL}),
    "07:TLPVectorizedMiniBatch": ("07", "batches", {**_07, **_MINI_07}),
    "07:TLPVectorizedBFGS": ("07", "bfgs", {**_07, **_FULL, "solver": "lbfgs"}),
    "07a:TwoLayerPerceptronVectorized": ("07a", "epoch", {**_07A, **_FULL}),
    "07a:TLPVectorizedMiniBatch": ("07a", "batches", {**_07A, **_MINI_07, "momentum": "heavy_ball"}),
    "07a:TLPVectorizedBFGS": ("07a", "bfgs", {**_07A, **_FULL, "solver": "lbfgs"}),
    "08:TLPMiniBatch": ("08", "batches", {**_08}),
    "08:TLPMiniBatchCrossEntropy": ("08", "batches", {**_08, **_CE}),
    "08:TLPBetterInitial": ("08", "batches", {**_08, **_CE, "init": "glorot"}),
    "08:TLPReLU": ("08", "batches", {**_08, **_CE, "init": "relu", "activation": "relu"}),
    "08:TLPDropout": ("08", "batches", {**_08, **_CE, "decrease": "inverse_time_compound"}),
    "08a:TLPMiniBatch": ("08a", "mean", {**_08A}),
    "08a:TLPMiniBatchCrossEntropy": ("08a", "mean", {**_08A, **_CE}),
    "08a:TLPBetterInitial": ("08a", "mean", {**_08A, **_CE, "init": "glorot", "output_bias": -2.0}),
    "08a:TLPAdaGrad": ("08a", "mean", {**_08A, **_CE, "init": "glorot", "output_bias": -2.0,
                                       "adagrad": True}),
    "08a:TLPReLU": ("08a", "mean", {**_08A, **_CE, "init": "relu", "output_bias": -1.0,
                                    "adagrad": True, "activation": "relu"}),
}


def resolve(params):
    """``(settings, notebook, recording)`` for the constructor ``params`` of a ``CourseMLP``:
    every knob in :data:`DEFAULTS` resolved (explicit value, else the variant's, else the default)."""
    variant = params.get("variant")
    if variant is None:
        notebook, recording, preset = None, None, {}
    elif variant in VARIANTS:
        notebook, recording, preset = VARIANTS[variant]
    else:
        raise ValueError(f"`variant` must be None or one of the course classes {', '.join(map(repr, VARIANTS))}; "
                         f"received variant={variant!r}.")
    settings = {}
    for name, default in DEFAULTS.items():
        value = params.get(name)
        settings[name] = value if value is not None else preset.get(name, default)
    decay = params.get("adagrad_decay")  # None: 08a's one alpha, AdaGrad's decay and the momentum
    settings["adagrad_decay"] = params.get("alpha") if decay is None else decay
    return settings, notebook, recording

