"""The ``scratch-vs-keras`` command.

Without a command it runs the main job, the headline experiment: breast-cancer data, the default
MLP, one batch's gradients and a full training run compared with the Keras twin, a report
written under ``reports/headline/`` and the verdict printed. Exit status: 0 when everything
matches, 1 when an experiment finds a mismatch, 2 for bad input (nothing is written then).
"""

import argparse
import os
import sys
import time

EPILOG = """commands:
  (none)        the main job: the headline experiment (gradients + a full training run)
  list          the experiments and data sets
  run NAME|all  run one experiment (or all) and write its report under --out
  gradients     one batch: activations, loss, every gradient, NumPy vs Keras (no report)
  train         a side-by-side training run through model.fit, verdict table (no report)
  conventions   the course's conventions vs their Keras translations, measured
  lessons       execute the bridge lessons; executed notebooks and HTML in --out/lessons/

examples:
  scratch-vs-keras                          # main job, report in reports/headline/
  scratch-vs-keras run optimizers --quick   # every optimizer, short runs
  scratch-vs-keras run tabular_tour --dtype float32
  scratch-vs-keras run headline --csv my.csv --target label
"""


def default_model(n_features, dtype="float64", seed=0):
    """The main job's MLP: 16 relu -> 8 relu -> 1 sigmoid, L2(1e-3) kernels, binary cross-entropy."""
    from .scratch import Input, Sequential, regularizers
    from .scratch.layers import Dense

    model = Sequential(
        [
            Input(shape=(n_features,)),
            Dense(16, activation="relu", kernel_regularizer=regularizers.L2(1e-3)),
            Dense(8, activation="relu", kernel_regularizer=regularizers.L2(1e-3)),
            Dense(1, activation="sigmoid"),
        ],
        seed=seed,
        dtype=dtype,
    )
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    return model


def _cmd_gradients(args):
    from .compare import compare_gradients
    from .data import load_dataset, prepare

    started = time.perf_counter()
    data = load_dataset("breast_cancer")
    d = prepare(data, seed=args.seed)
    x_train, y_train = d.x_train, d.y_train
    n = len(x_train) if args.batch_size is None else min(args.batch_size, len(x_train))
    model = default_model(x_train.shape[1], dtype=args.dtype, seed=args.seed)
    print(f"{data.description}\nBatch: {n} standardized training rows, {x_train.shape[1]} features.")
    model.summary()
    result = compare_gradients(model, x_train[:n], y_train[:n])
    print()
    print(result)
    print(f"({time.perf_counter() - started:.1f} s)")
    return 0 if result.ok else 1


def _cmd_train(args):
    import math

    from .compare import train_side_by_side
    from .data import load_dataset, prepare
    from .scratch import optimizers

    started = time.perf_counter()
    data = load_dataset("breast_cancer")
    d = prepare(data, seed=args.seed)
    batch_size = args.batch_size or 32
    steps_per_epoch = math.ceil(len(d.x_train) / batch_size)
    epochs = args.epochs or math.ceil(1000 / steps_per_epoch)
    model = default_model(d.x_train.shape[1], dtype=args.dtype, seed=args.seed)
    model.compile(optimizer=optimizers.get(args.optimizer or "adam"), loss="binary_crossentropy",
                  metrics=["accuracy"])
    print(f"{data.description}\nTraining {len(d.x_train)} rows, validation {len(d.x_test)} rows; "
          f"optimizer {args.optimizer or 'adam'}, batch size {batch_size}, {epochs} epochs "
          f"({epochs * steps_per_epoch} steps), shuffle {'on' if args.shuffle else 'off'}, {args.dtype}.")
    run = train_side_by_side(model, d.x_train, d.y_train, epochs=epochs, batch_size=batch_size,
                             shuffle=args.shuffle, validation_data=(d.x_test, d.y_test), save=args.save)
    print()
    print(run)
    if args.save:
        print(f"Per-step records written to {args.save}.")
    print(f"({time.perf_counter() - started:.1f} s)")
    return 0 if run.ok else 1


def _cmd_conventions(args):
    from .compare.conventions import conventions_markdown
    from .report_io import write_text_atomic

    started = time.perf_counter()
    text = conventions_markdown()
    if args.out:
        write_text_atomic(args.out, text)
        print(f"Conventions table written to {args.out} ({time.perf_counter() - started:.1f} s).")
    else:
        print(text)
    return 0


def _cmd_lessons(args):
    from .lessons import lesson_files, run_lessons

    names = [p.stem for p in lesson_files()]
    progress = _progress(len(names))
    done = []
    for name in names:
        if progress is not None:
            progress.set_description(f"lesson {name}")
        done += run_lessons(args.out, quick_mode=args.quick, names=[name])
        if progress is not None:
            progress.update(1)
    if progress is not None:
        progress.close()
    for name, seconds in done:
        print(f"{name}: executed in {seconds:.1f} s")
    print(f"Executed notebooks and HTML pages: {os.path.join(args.out, 'lessons')}/")
    return 0


def _cmd_list(args):
    from . import experiments
    from .data import dataset_names

    print("Experiments (scratch-vs-keras run NAME):")
    for name, title in experiments.describe():
        print(f"  {name:20s} {title}")
    print("\nData sets (--dataset NAME, or --csv PATH --target COLUMN):")
    print("  " + ", ".join(dataset_names()))
    return 0


def _cmd_run(args, names):
    from . import experiments

    cfg = experiments.Config(dataset=args.dataset, csv=args.csv, target=args.target,
                             epochs=args.epochs, batch_size=args.batch_size,
                             optimizer=args.optimizer, dtype=args.dtype, seed=args.seed,
                             quick=args.quick, out=args.out)
    failed = []
    progress = _progress(len(names))
    for name in names:
        if progress is not None:
            progress.set_description(f"experiment {name}")
        report = experiments.run(name, cfg)
        if not report.ok:
            failed.append(name)
        if progress is not None:
            progress.update(1)
    if progress is not None:
        progress.close()
    if len(names) > 1:
        print(f"\n{len(names) - len(failed)} of {len(names)} experiments match"
              + (f"; mismatch in: {', '.join(failed)}." if failed else ".")
              + f" Index: {os.path.join(args.out, 'index.html')}")
    return 1 if failed else 0


def _progress(total):
    if total < 2:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="experiment", file=sys.stderr)


def _add_common(p, main=False):
    p.add_argument("--dtype", choices=["float64", "float32"], default="float64",
                   help="float type of both sides (default float64, for round-off-level checks)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the data split, initial weights and shuffling (default 0)")
    p.add_argument("--batch-size", type=int, default=None,
                   help="rows per step (default: each experiment's own, usually 32)")
    p.add_argument("--epochs", type=int, default=None,
                   help="epochs (default: each experiment's own, usually enough for 1,000 steps)")
    p.add_argument("--optimizer", default=None,
                   help="a Keras optimizer name: sgd, rmsprop, adagrad, adadelta, adam, adamw, "
                        "adamax, nadam (default: each experiment's own)")
    if main:
        p.add_argument("--dataset", default=None,
                       help="a bundled data set: breast_cancer, wine, iris, diabetes, penguins")
        p.add_argument("--csv", default=None, metavar="PATH", help="your own CSV file (with --target)")
        p.add_argument("--target", default=None, metavar="COLUMN", help="the target column of --csv")
        p.add_argument("--out", default="reports", metavar="DIR",
                       help="folder the reports are written to (default reports)")
        p.add_argument("--quick", action="store_true",
                       help="short runs (few epochs and settings): for a first look and for tests")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="scratch-vs-keras",
        description="Prove that a from-scratch NumPy MLP and its Keras twin compute the same "
                    "numbers: gradients, losses and weights, step by step, through model.fit.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_common(parser, main=True)
    sub = parser.add_subparsers(dest="command", metavar="")
    sub.add_parser("list", help="the experiments and data sets")
    r = sub.add_parser("run", help="run one experiment (or all) and write its report")
    r.add_argument("name", help="an experiment name (see `list`) or `all`")
    _add_common(r, main=True)
    g = sub.add_parser("gradients", help="one batch, every tensor, NumPy vs Keras (no report)")
    _add_common(g)
    t = sub.add_parser("train", help="a side-by-side training run through model.fit (no report)")
    _add_common(t)
    t.add_argument("--no-shuffle", dest="shuffle", action="store_false",
                   help="visit the rows in order (default: a new NumPy-drawn order each epoch)")
    t.add_argument("--save", default=None, metavar="PATH",
                   help="write the per-step records to PATH (.csv, or .parquet with pyarrow)")
    c = sub.add_parser("conventions", help="the course's conventions vs their Keras translations")
    c.add_argument("--out", default=None, metavar="PATH", help="write the Markdown table to PATH")
    return parser


def _usage_error(message):
    print(f"scratch-vs-keras: {message}", file=sys.stderr)
    return 2


def _writable(path, what):
    folder = os.path.abspath(path)
    probe = folder
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe) or not os.access(probe, os.W_OK):
        return f"cannot write {what} {path!r}: {probe} is not a writable folder."
    return None


def _check_args(args):
    """Bad input -> a message (exit 2, nothing written); else None."""
    from . import experiments
    from .data import dataset_names
    from .scratch import optimizers

    if getattr(args, "batch_size", None) is not None and args.batch_size < 1:
        return "--batch-size must be a positive integer."
    if getattr(args, "epochs", None) is not None and args.epochs < 1:
        return "--epochs must be a positive integer."
    opt = getattr(args, "optimizer", None)
    if opt is not None and opt not in optimizers.ALL:
        return f"unknown optimizer {opt!r}; choose one of {', '.join(optimizers.ALL)}."
    if args.command == "run" and args.name != "all" and args.name not in experiments.NAMES:
        return f"unknown experiment {args.name!r}; valid names: {', '.join(experiments.NAMES)}, all."
    if getattr(args, "dataset", None) is not None and args.dataset not in dataset_names():
        return f"unknown dataset {args.dataset!r}; valid names: {', '.join(dataset_names())}."
    if getattr(args, "csv", None) is not None or getattr(args, "target", None) is not None:
        if not (args.csv and args.target):
            return "--csv and --target go together: --csv PATH --target COLUMN."
        from .data import load_csv

        try:
            load_csv(args.csv, args.target)
        except ValueError as exc:
            return str(exc)
    if args.command in (None, "run", "lessons"):
        return _writable(args.out, "--out")
    if args.command == "train" and args.save:
        folder = os.path.dirname(os.path.abspath(args.save))
        if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
            return f"cannot write --save {args.save!r}: {folder} is not a writable folder."
    if args.command == "conventions" and args.out:
        folder = os.path.dirname(os.path.abspath(args.out))
        if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
            return f"cannot write --out {args.out!r}: {folder} is not a writable folder."
    return None


def main(argv=None):
    args = build_parser().parse_args(argv)
    problem = _check_args(args)
    if problem:
        return _usage_error(problem)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if args.command == "list":
        return _cmd_list(args)
    if args.command == "gradients":
        return _cmd_gradients(args)
    if args.command == "train":
        return _cmd_train(args)
    if args.command == "conventions":
        return _cmd_conventions(args)
    if args.command == "lessons":
        return _cmd_lessons(args)
    from . import experiments

    if args.command == "run":
        names = experiments.NAMES if args.name == "all" else [args.name]
    else:
        names = ["headline"]
    return _cmd_run(args, names)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
