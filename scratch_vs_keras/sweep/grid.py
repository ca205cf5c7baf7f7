"""A sweep's grid: a TOML file whose ``[grid]`` lists are multiplied out into cells.

Every combination of the lists under ``[grid]`` is one cell, a side-by-side run of its own;
``[sweep]`` holds what every cell shares. An axis left out takes the one value shown::

    [sweep]
    name = "atlas"         # the report's name: reports/sweep-atlas/ (default: the file's stem)
    epochs = 2             # epochs of every cell (default 1)
    batch_size = 16        # rows per step (default 32; at most the cell's rows)
    rows = 64              # the first N training rows of each data set (default: all)
    timeout = 600          # seconds a cell may run before it is reported as timed out

    [grid]
    architecture = [[16, 8]]           # hidden-layer widths ([] : no hidden layer)
    activation = ["relu"]              # any scratch/Keras activation name
    optimizer = ["adam"]               # a name, or {name = "sgd", learning_rate = 0.1, ...}
    dtype = ["float64"]                # float64, float32
    dataset = ["breast_cancer"]        # a bundled data set (scratch-vs-keras list)
    seed = [0]                         # split, initial weights and batch order

A cell is a plain dict (it travels to the workers and into the results file as JSON); its
:func:`cell_id` is the text that names it on the command line (``sweep GRID --cell ID``).
"""

import hashlib
import itertools
import json
import math
import os
import tomllib
from dataclasses import dataclass

AXES = {"architecture": [[16, 8]], "activation": ["relu"], "optimizer": ["adam"],
        "dtype": ["float64"], "dataset": ["breast_cancer"], "seed": [0]}
SETTINGS = {"name": None, "epochs": 1, "batch_size": 32, "rows": None, "timeout": 600.0}
EXAMPLE = os.path.join(os.path.dirname(__file__), "example_grid.toml")


@dataclass
class Grid:
    """A parsed grid: its ``name``, its ``path`` as given (``example`` for the shipped one), the
    shared ``settings``, the ``axes`` and every ``cells`` entry."""

    name: str
    path: str
    settings: dict
    axes: dict
    cells: list

    def by_id(self):
        return {cell_id(c): c for c in self.cells}


def read_grid(path):
    """The :class:`Grid` in the TOML file ``path`` (``"example"``: the grid shipped with the
    package); ValueError naming the key and the fix for anything that cannot run."""
    given = os.fspath(path)
    path = EXAMPLE if given == "example" else given
    try:
        with open(path, "rb") as f:
            text = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"grid {path!r} is not valid TOML: {exc}.") from None
    _only(text, {"sweep", "grid"}, "top-level tables", path)
    sweep, axes = text.get("sweep", {}), text.get("grid", {})
    _only(sweep, set(SETTINGS), "[sweep]", path)
    _only(axes, set(AXES), "[grid]", path)
    settings = {**SETTINGS, **sweep}
    settings["name"] = str(settings["name"] or os.path.splitext(os.path.basename(given))[0])
    _check_settings(settings, path)
    axes = {axis: _axis(axes.get(axis, default), axis, path) for axis, default in AXES.items()}
    shared = {k: settings[k] for k in ("epochs", "batch_size", "rows")}
    cells = [dict(zip(AXES, values), **shared) for values in itertools.product(*axes.values())]
    return Grid(settings["name"], given, settings, axes, cells)


def _only(table, allowed, where, path):
    if not isinstance(table, dict):
        raise ValueError(f"grid {path!r}: {where} must be a table.")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ValueError(f"grid {path!r}: unknown key {unknown[0]!r} in {where}; valid keys: "
                         f"{', '.join(sorted(allowed))}.")


def _check_settings(s, path):
    for key in ("epochs", "batch_size", "rows"):
        value = s[key]
        if value is None and key == "rows":
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"grid {path!r}: [sweep] {key} must be a positive integer; "
                             f"received {value!r}.")
    t = s["timeout"]
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not (0 < t < math.inf):
        raise ValueError(f"grid {path!r}: [sweep] timeout must be a positive number of seconds; "
                         f"received {t!r}.")


def _axis(values, axis, path):
    if not isinstance(values, list) or not values:
        raise ValueError(f"grid {path!r}: [grid] {axis} must be a non-empty list, e.g. "
                         f"{axis} = {json.dumps(AXES[axis])}.")
    for value in values:
        try:
            _check_value(axis, value)
        except ValueError as exc:
            raise ValueError(f"grid {path!r}: [grid] {axis} = {json.dumps(value)}: {exc}") from None
    return values


def _check_value(axis, value):
    from ..data import dataset_names
    from ..scratch import activations, optimizers

    if axis == "architecture":
        if not isinstance(value, list) or not all(
                isinstance(w, int) and not isinstance(w, bool) and w >= 1 for w in value):
            raise ValueError("each architecture is a list of hidden-layer widths, e.g. [16, 8].")
    elif axis == "activation":
        activations.get(value if isinstance(value, str) else repr(value))
    elif axis == "optimizer":
        make_optimizer(value)
    elif axis == "dtype" and value not in ("float64", "float32"):
        raise ValueError("dtype is float64 or float32.")
    elif axis == "dataset" and value not in dataset_names():
        raise ValueError(f"unknown data set; valid names: {', '.join(dataset_names())}.")
    elif axis == "seed" and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValueError("a seed is a non-negative integer.")


def make_optimizer(spec):
    """A fresh scratch optimizer from a grid entry: a name, or ``{name = ..., arguments ...}``."""
    from ..scratch import optimizers

    if isinstance(spec, str):
        return optimizers.get(spec)
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise ValueError("an optimizer is a name or a table with a name, e.g. "
                         '{name = "sgd", learning_rate = 0.1}.')
    kwargs = {k: v for k, v in spec.items() if k != "name"}
    cls = type(optimizers.get(spec["name"]))
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ValueError(f"{spec['name']} does not take these arguments ({exc}).") from None


def describe(axis, value):
    """A value as the cell id spells it: ``16-8``, ``sgd(learning_rate=0.1)``, ``relu``."""
    if axis == "architecture":
        return "-".join(map(str, value)) or "none"
    if axis == "optimizer" and isinstance(value, dict):
        args = ",".join(f"{k}={v}" for k, v in value.items() if k != "name")
        return f"{value['name']}({args})"
    return str(value)


def cell_id(cell):
    """``architecture=16-8 activation=relu optimizer=adam dtype=float64 dataset=iris seed=0``."""
    return " ".join(f"{axis}={describe(axis, cell[axis])}" for axis in AXES)


def cell_key(cell):
    """A short hash of everything the cell runs with (its axes and the shared settings): a
    results line counts for a cell only if the cell is still the same."""
    return hashlib.sha1(json.dumps(cell, sort_keys=True).encode()).hexdigest()[:16]
