"""The ``scratch-vs-keras`` command.

Without a command it runs the main job, the headline experiment: breast-cancer data, the default
MLP, one batch's gradients and a full training run compared with the Keras twin, a report
written under ``reports/headline/`` and the verdict printed.

Options may stand before or after the command; each command takes exactly the options it uses
and refuses the others, and every input is checked (data loaded, paths probed) before anything
runs or is written. The exit status is listed in :data:`EXIT_STATUS`.
"""

import argparse
import os
import sys
import time

from . import __version__

EXIT_STATUS = """exit status:
  0  every check matched
  1  a check did not match, or could not be checked (the first divergence is printed)
  2  bad input: an option, data set, CSV file or path that cannot be used; nothing was run or
     written, and the one-line message says what to change
  3  a file could not be read or written while running (the message names it)
"""

EPILOG = """Options may stand before or after the command; a command refuses an option it does not use.

examples:
  scratch-vs-keras                          # main job, report in reports/headline/
  scratch-vs-keras run optimizers --quick   # every optimizer, short runs
  scratch-vs-keras run tabular_tour --dtype float32
  scratch-vs-keras run headline --csv my.csv --target label   # report in reports/headline-my/
  scratch-vs-keras lessons --copy my_lessons

""" + EXIT_STATUS

RUNS = {"main", "run"}  # the main job and `run NAME|all`: they write reports
DATA = RUNS | {"gradients", "train"}

# (flag, dest, argparse keywords, the commands that use it, default)
OPTIONS = [
    ("--dataset", "dataset", dict(metavar="NAME", help="a bundled data set (see `list`)"), DATA, None),
    ("--csv", "csv", dict(metavar="PATH", help="your own CSV file (with --target)"), DATA, None),
    ("--target", "target", dict(metavar="COLUMN", help="the target column of --csv"), DATA, None),
    ("--encoding", "encoding", dict(metavar="NAME", help="text encoding of --csv (default utf-8; "
                                    "e.g. latin-1, cp1252)"), DATA, "utf-8"),
    ("--epochs", "epochs", dict(type=int, metavar="N", help="epochs (default: each experiment's "
                                "own, usually enough for 1,000 steps)"), RUNS | {"train"}, None),
    ("--batch-size", "batch_size", dict(type=int, metavar="N", help="rows per step, at most the "
                                        "training rows (default: usually 32)"), DATA, None),
    ("--optimizer", "optimizer", dict(metavar="NAME", help="sgd, rmsprop, adagrad, adadelta, adam, "
                                      "adamw, adamax, nadam (default: each experiment's own)"),
     RUNS | {"train"}, None),
    ("--dtype", "dtype", dict(choices=["float64", "float32"], help="float type of both sides "
                              "(default float64, for round-off-level checks)"), DATA, "float64"),
    ("--seed", "seed", dict(type=int, metavar="N", help="seed of the data split, initial weights "
                            "and shuffling, a non-negative integer (default 0)"), DATA, 0),
    ("--quick", "quick", dict(action="store_true", help="short runs: for a first look and for "
                              "tests"), RUNS | {"lessons"}, False),
    ("--out", "out", dict(metavar="PATH", help="folder of the reports (default reports); for "
                          "`conventions`, the Markdown file to write"),
     RUNS | {"lessons", "conventions"}, "reports"),
    ("--no-shuffle", "shuffle", dict(action="store_false", help="visit the rows in order"),
     {"train"}, True),
    ("--save", "save", dict(metavar="PATH", help="write the per-step records to PATH (.csv, or "
                            ".parquet with pyarrow)"), {"train"}, None),
    ("--copy", "copy", dict(metavar="DIR", help="copy the lesson files to DIR to edit (does not "
                            "overwrite)"), {"lessons"}, None),
]
FLAG = {dest: flag for flag, dest, *_ in OPTIONS}

COMMANDS = {
    "list": "the experiments and data sets",
    "run": "NAME|all: run one experiment (or all) and write its report under --out",
    "gradients": "one batch: activations, loss, every gradient, NumPy vs Keras (no report)",
    "train": "a side-by-side training run through model.fit, verdict table (no report)",
    "conventions": "the course's conventions vs their Keras translations, measured",
    "lessons": "execute the bridge lessons (HTML in --out/lessons/), or --copy DIR to edit",
}


class BadInput(ValueError):
    """A user error found before anything runs: exit 2 with this one-line message."""


def _add_options(parser, command):
    """Every option, defaults suppressed (so only what the user typed is set, wherever it
    stands); the ones ``command`` does not use are hidden from its help and refused later."""
    for flag, dest, kwargs, commands, _ in OPTIONS:
        kwargs = dict(kwargs, dest=dest, default=argparse.SUPPRESS)
        if command == "top":
            kwargs["help"] += f" [{', '.join(sorted(c if c != 'main' else '(none)' for c in commands))}]"
        elif command not in commands:
            kwargs["help"] = argparse.SUPPRESS
        parser.add_argument(flag, **kwargs)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="scratch-vs-keras",
        description="Prove that a from-scratch NumPy MLP and its Keras twin compute the same "
                    "numbers:\ngradients, losses and weights, step by step, through model.fit.\n"
                    "In brackets after each option: the commands that take it ((none): the main "
                    "job).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_options(parser, "top")
    sub = parser.add_subparsers(
        dest="command", title="commands", metavar="[COMMAND]", description="without a command: "
        "the main job, the headline experiment (gradients + a full training run)")
    for name, text in COMMANDS.items():
        p = sub.add_parser(name, help=text, description=text, epilog=EXIT_STATUS,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        if name == "run":
            p.add_argument("name", help="an experiment name (see `list`) or `all`")
        _add_options(p, name)
    return parser


def parse(argv=None):
    """The parsed command line, every option filled in; BadInput for an option the command does
    not use (before or after it)."""
    args = build_parser().parse_args(argv)
    command = args.command or "main"
    args.given = {dest for dest in FLAG if hasattr(args, dest)}
    label = "the main job" if command == "main" else f"`{command}`"
    for flag, dest, _, commands, default in OPTIONS:
        if hasattr(args, dest) and command not in commands:
            takes = [f for f, _, _, cmds, _ in OPTIONS if command in cmds]
            raise BadInput(f"{flag} does not apply to {label}; it takes "
                           f"{', '.join(takes) if takes else 'no options'}.")
        if not hasattr(args, dest):
            default = None if (dest == "out" and command == "conventions") else default
            setattr(args, dest, default)
    args.command = command
    return args


def _config(args):
    from .experiments import Config

    return Config(dataset=args.dataset, csv=args.csv, target=args.target, epochs=args.epochs,
                  batch_size=args.batch_size, optimizer=args.optimizer, dtype=args.dtype,
                  seed=args.seed, quick=args.quick, out=args.out, encoding=args.encoding,
                  show_progress=True)


# ---- checks: everything the user gave, before anything runs or is written ------------------

def check(args):
    """Check every input of ``args`` (BadInput, exit 2, on the first problem); returns the
    experiments to run and notes to print for the main job and ``run``, else None."""
    _check_values(args)
    if args.command in RUNS:
        names, notes = _experiment_plan(args)
        _check_out_folder(args.out)
        _check_data(args, names)
        return names, notes
    if args.command in ("gradients", "train"):
        if args.save is not None:
            _check_file(args.save, "--save")
        _check_data(args, None)
    elif args.command == "conventions" and args.out is not None:
        _check_file(args.out, "--out")
    elif args.command == "lessons" and args.copy is not None:
        others = sorted(FLAG[d] for d in args.given - {"copy"})
        if others:
            raise BadInput(f"--copy only copies the lesson files; drop {', '.join(others)} (run "
                           "the lessons with `scratch-vs-keras lessons`).")
        _check_copy(args.copy)
    elif args.command == "lessons":
        _check_out_folder(args.out)
    return None


def _check_values(args):
    import codecs

    from .data import dataset_names
    from .scratch import optimizers

    for dest in ("batch_size", "epochs"):
        value = getattr(args, dest)
        if value is not None and value < 1:
            raise BadInput(f"{FLAG[dest]} must be a positive integer; received {value}.")
    if args.seed < 0:
        raise BadInput(f"--seed must be a non-negative integer; received {args.seed}.")
    if args.optimizer is not None and args.optimizer not in optimizers.ALL:
        raise BadInput(f"unknown optimizer {args.optimizer!r}; choose one of "
                       f"{', '.join(optimizers.ALL)}.")
    if args.dataset is not None and args.dataset not in dataset_names():
        raise BadInput(f"unknown dataset {args.dataset!r}; valid names: {', '.join(dataset_names())}.")
    if args.csv is not None or args.target is not None:
        if not (args.csv and args.target):
            raise BadInput("--csv and --target go together: --csv PATH --target COLUMN.")
        if args.dataset is not None:
            raise BadInput("--dataset and --csv both choose the data; give one of them.")
    if "encoding" in args.given:
        if args.csv is None:
            raise BadInput("--encoding is the text encoding of --csv; give --csv PATH --target "
                           "COLUMN too, or drop --encoding.")
        try:
            codecs.lookup(args.encoding)
        except LookupError:
            raise BadInput(f"unknown --encoding {args.encoding!r}; e.g. utf-8, latin-1, cp1252.") from None


def _experiment_plan(args):
    """The experiments to run, and notes on options that some of them (in `run all`) ignore;
    BadInput for an unknown name or an option the one experiment does not use."""
    from . import experiments

    if args.command == "main":
        names = ["headline"]
    elif args.name == "all":
        names = list(experiments.NAMES)
    elif args.name in experiments.NAMES:
        names = [args.name]
    else:
        raise BadInput(f"unknown experiment {args.name!r}; valid names: "
                       f"{', '.join(experiments.NAMES)}, all.")
    notes = []
    for dest in sorted(args.given & experiments.ALL_OPTIONS):
        ignoring = [n for n in names if dest not in experiments.options(n)]
        why = ", ".join(f"{n} ({experiments.get(n).NOT_TAKEN[dest]})" for n in ignoring)
        if ignoring and len(names) == 1:
            takes = ", ".join(FLAG[d] for d in FLAG if d in experiments.options(names[0]))
            raise BadInput(f"`run {names[0]}` does not take {FLAG[dest]}: "
                           f"{experiments.get(names[0]).NOT_TAKEN[dest]}. Drop it; it takes {takes}.")
        if ignoring:
            notes.append(f"note: {FLAG[dest]} does not apply to {why}.")
    return names, notes


def _check_out_folder(path):
    """``--out`` must name a folder that can be created or written, holding no foreign
    ``verdict.json`` (the index lists every one it finds, after the run)."""
    if not path or not path.strip():
        raise BadInput("--out is empty; give a folder, e.g. --out reports.")
    target = os.path.abspath(path)
    if os.path.exists(target) and not os.path.isdir(target):
        raise BadInput(f"cannot write --out {path!r}: it is a file, not a writable folder.")
    _probe(path, target, "--out")
    if os.path.isdir(target):
        _check_verdicts(path)


def _check_file(path, flag):
    """A file to write: its folder must exist and be writable; .parquet needs pyarrow."""
    if not path or not path.strip():
        raise BadInput(f"{flag} is empty; give a file name.")
    target = os.path.abspath(path)
    if os.path.isdir(target):
        raise BadInput(f"cannot write {flag} {path!r}: it is a folder; give a file name.")
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise BadInput(f"cannot write {flag} {path!r}: {folder} is not a writable folder (it "
                       "does not exist; create it first).")
    _probe(path, folder, flag)
    if path.endswith(".parquet") and not _importable("pyarrow") and not _importable("fastparquet"):
        raise BadInput(f"{flag} {path!r}: writing Parquet needs pyarrow (pip install pyarrow); "
                       "or save as .csv.")


def _check_copy(folder):
    from .lessons import lesson_copy_targets

    if not folder or not folder.strip():
        raise BadInput("--copy is empty; give a folder, e.g. --copy my_lessons.")
    try:
        lesson_copy_targets(folder)
    except ValueError as exc:
        raise BadInput(f"--copy {exc}") from None
    _probe(folder, os.path.abspath(folder), "--copy")


def _probe(path, target, flag):
    """Create and delete a temporary file in the deepest existing folder on the way to
    ``target``: the only sure test that the run's output can be written there."""
    import tempfile

    probe = target
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe):
        raise BadInput(f"cannot write {flag} {path!r}: {probe} is not a writable folder (it is a file).")
    try:
        fd, tmp = tempfile.mkstemp(dir=probe, prefix=".scratch-vs-keras-probe-")
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise BadInput(f"cannot write {flag} {path!r}: {probe} is not a writable folder "
                       f"({exc.strerror}).") from None


def _check_verdicts(out):
    import json

    for name in sorted(os.listdir(out)):
        path = os.path.join(out, name, "verdict.json")
        if name.startswith(".") or not os.path.isfile(path):
            continue
        try:
            with open(path, encoding="utf-8") as f:
                verdict = json.load(f)
            ours = isinstance(verdict, dict) and isinstance(verdict.get("title"), str) and "ok" in verdict
        except (OSError, ValueError):
            ours = False
        if not ours:
            raise BadInput(f"{path} is not a scratch_vs_keras verdict (bad JSON or other fields), "
                           f"and {os.path.join(out, 'index.html')} lists every report folder: move "
                           "that folder away or choose another --out.")


def _importable(module):
    import importlib

    try:
        return bool(importlib.import_module(module))
    except ImportError:
        return False


def _check_data(args, names):
    """Load and prepare the data (and check each experiment's fit to it) before anything runs."""
    from . import experiments
    from .experiments.common import load

    cfg = _config(args)
    try:
        if names is None:
            load(cfg)
        misfits = []
        for name in names or []:
            try:
                experiments.check(name, cfg)
            except experiments.TaskMismatch as exc:
                misfits.append((name, exc))
        if misfits and len(names) == 1:
            raise misfits[0][1]
        if misfits:
            data = f"--csv {args.csv}" if args.csv else f"--dataset {args.dataset}"
            raise BadInput(f"`run all` with {data}: {', '.join(n for n, _ in misfits)} cannot run "
                           "on its target (see `scratch-vs-keras list`); run the other "
                           f"experiments one by one, e.g. scratch-vs-keras run headline {data}.")
    except UnicodeDecodeError as exc:
        raise BadInput(f"--csv {args.csv!r} is not {args.encoding} text (byte "
                       f"0x{exc.object[exc.start]:02x} at position {exc.start}); give its "
                       "encoding, e.g. --encoding latin-1.") from None
    except (BadInput, experiments.TaskMismatch, OSError):
        raise
    except ValueError as exc:
        if args.csv is None:
            raise
        raise BadInput(f"--csv {args.csv!r}: {exc}") from None
    except Exception as exc:  # a CSV the data layer could not read: name the file, not a traceback
        if args.csv is None:
            raise
        raise BadInput(f"--csv {args.csv!r} with --target {args.target!r} cannot be used as a data "
                       f"set ({type(exc).__name__}: {exc}).") from None


# ---- the commands ----------------------------------------------------------------------------

def _status(result):
    return getattr(result, "status", "MATCH" if result.ok else "MISMATCH")


def _cmd_list(args, plan):
    from . import experiments
    from .data import dataset_names

    print("Experiments (scratch-vs-keras run NAME):")
    for name, title in experiments.describe():
        tasks = experiments.get(name).TASKS
        only = "" if tasks in (set(), experiments.ALL_TASKS) else \
            f" [{' or '.join(sorted(tasks))} targets only]"
        print(f"  {name:20s} {title}{only}")
    print("\nData sets (--dataset NAME, or --csv PATH --target COLUMN):")
    print("  " + ", ".join(dataset_names()))
    return 0


def _data_and_model(args, optimizer):
    """The data of `gradients` and `train` and the main job's MLP for its task (16 relu -> 8 relu
    -> the task's output, L2 1e-3 on the hidden kernels)."""
    from .experiments.common import build_model, load

    data, d = load(_config(args))
    return data, d, build_model(d, hidden=(16, 8), activation="relu", optimizer=optimizer,
                                dtype=args.dtype, seed=args.seed, l2=1e-3)


def _cmd_gradients(args, plan):
    from .compare import compare_gradients

    started = time.perf_counter()
    data, d, model = _data_and_model(args, "sgd")
    n = min(args.batch_size or len(d.x_train), len(d.x_train))
    print(f"{data.description}\nBatch: {n} standardized training rows, {d.x_train.shape[1]} features.")
    model.summary()
    result = compare_gradients(model, d.x_train[:n], d.y_train[:n])
    print(f"\n{result}\n({time.perf_counter() - started:.1f} s)")
    return 0 if _status(result) == "MATCH" else 1


def _cmd_train(args, plan):
    import math

    from .compare import train_side_by_side

    started = time.perf_counter()
    optimizer = args.optimizer or "adam"
    data, d, model = _data_and_model(args, optimizer)
    n = len(d.x_train)
    batch_size = min(args.batch_size or 32, n)
    steps_per_epoch = math.ceil(n / batch_size)
    epochs = args.epochs or math.ceil(1000 / steps_per_epoch)
    print(f"{data.description}\nTraining {n} rows, validation {len(d.x_test)} rows; optimizer "
          f"{optimizer}, batch size {batch_size}{' (all rows)' if batch_size == n else ''}, "
          f"{epochs} epochs ({epochs * steps_per_epoch} steps), shuffle "
          f"{'on' if args.shuffle else 'off'}, {args.dtype}.")
    run = train_side_by_side(model, d.x_train, d.y_train, epochs=epochs, batch_size=batch_size,
                             shuffle=args.shuffle, validation_data=(d.x_test, d.y_test),
                             save=args.save)
    print(f"\n{run}\n({time.perf_counter() - started:.1f} s)")
    if args.save:
        print(f"Per-step records written to {args.save}.")
    return 0 if _status(run) == "MATCH" else 1


def _cmd_conventions(args, plan):
    from .course import conventions
    from .report_io import write_text_atomic

    if args.out:
        write_text_atomic(args.out, conventions.conventions_markdown())
        print(f"Conventions table written to {args.out}.")
    else:
        print(conventions_text(conventions.conventions_table()))
    return 0


def conventions_text(table, width=None):
    """The conventions table for a terminal: one block per convention, wrapped to ``width``
    (default: the terminal's, at most 100 columns)."""
    import math
    import shutil
    import textwrap

    width = max(40, min(width or shutil.get_terminal_size((100, 24)).columns, 100))
    lines = []
    for row in table.to_dict("records"):
        lines += textwrap.wrap(str(row.pop("convention")), width)
        for key, value in row.items():
            if isinstance(value, float):
                value = "—" if math.isnan(value) else f"{value:.1e}"
            lines += textwrap.wrap(f"{key}: {value}", width, initial_indent="  ",
                                   subsequent_indent="      ")
        lines.append("")
    return "\n".join(lines).rstrip()


def _cmd_lessons(args, plan):
    if args.copy is not None:
        return _copy_lessons(args.copy)
    from .lessons import LessonFailed, execute_lessons, lesson_files

    try:
        done = execute_lessons(args.out, quick_mode=args.quick, progress=True)
    except LessonFailed as exc:
        return _fail(1, exc)
    except ModuleNotFoundError as exc:
        raise BadInput(f"the lessons need {exc.name}, which is not installed: reinstall the "
                       "package (pip install scratch_vs_keras) to get it.") from None
    for name, seconds in done:
        print(f"{name}: executed in {seconds:.1f} s")
    first = os.path.join(args.out, "lessons", f"{lesson_files()[0].stem}.html")
    print(f"Open {first} in a browser (all lessons and reports: "
          f"{os.path.join(args.out, 'index.html')}).")
    return 0


def _copy_lessons(folder):
    from .lessons import copy_lessons

    copies = copy_lessons(folder)
    print(f"Copied {len(copies)} lessons to {folder}: {', '.join(p.name for p in copies)}.")
    print(f"Each is a Python script (python {copies[0]}) and a notebook in jupytext's percent "
          f"format (jupytext --to notebook {copies[0]}).")
    return 0


def _cmd_run(args, plan):
    from tqdm.auto import tqdm

    from . import experiments

    names, notes = plan
    for note in notes:
        print(note, file=sys.stderr)
    cfg = _config(args)
    statuses = {}
    with tqdm(total=len(names), unit="experiment", file=sys.stderr, leave=False,
              disable=len(names) < 2) as bar:
        for name in names:
            bar.set_description(name)
            statuses[name] = experiments.run(name, cfg).status
            bar.update()
    failed = [n for n, s in statuses.items() if s != "MATCH"]
    if len(names) > 1:
        print(f"\n{len(names) - len(failed)} of {len(names)} experiments match"
              + (f"; not matched: {', '.join(f'{n} ({statuses[n]})' for n in failed)}." if failed else "."))
        where = os.path.join(args.out, "index.html")
    else:
        where = os.path.join(args.out, cfg.report_name(names[0]), "report.html")
    print(f"Open {where} in a browser.")
    return 1 if failed else 0


COMMAND_RUNNERS = {"main": _cmd_run, "run": _cmd_run, "list": _cmd_list,
                   "gradients": _cmd_gradients, "train": _cmd_train,
                   "conventions": _cmd_conventions, "lessons": _cmd_lessons}


def _fail(code, message):
    print(f"scratch-vs-keras: {' '.join(str(message).split())}", file=sys.stderr)
    return code


def _io_message(exc):
    where = exc.filename if exc.filename is not None else "a file"
    return f"could not read or write {where}: {exc.strerror or exc}."


def main(argv=None):
    """Run the command line ``argv``; returns the exit status (see EXIT_STATUS)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        args = parse(argv)
        plan = check(args)
        return COMMAND_RUNNERS[args.command](args, plan)
    except KeyboardInterrupt:
        return _fail(130, "interrupted.")
    except FloatingPointError as exc:  # the training diverged on both sides: nothing to compare
        return _fail(1, exc)
    except ValueError as exc:  # bad input, BadInput included, found by a check or a library
        return _fail(2, exc)
    except OSError as exc:
        return _fail(3, _io_message(exc))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
