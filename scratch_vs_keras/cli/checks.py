"""Every input the user gave, checked before anything runs or is written: option values, the
data (loaded and prepared), the fit between experiment and data, and the paths (probed with a
real file). Each problem is a :class:`~.options.BadInput` with one line naming it and the fix."""

import os

from .options import FLAG, RUNS, BadInput, _config


def check(args):
    """Check every input of ``args`` (BadInput, exit 2, on the first problem); returns the
    experiments to run and notes to print for the main job and ``run``, the grid for
    ``sweep``, else None."""
    _check_values(args)
    if args.command == "sweep":
        return check_sweep(args)
    if args.command in RUNS:
        if args.command == "run":
            check_parallel(args)
        names, notes = _experiment_plan(args)
        _check_out_folder(args.out)
        _check_data(args, names)
        return names, notes
    if args.command in ("gradients", "train"):
        if args.save is not None:
            _check_file(args.save, "--save")
        _check_data(args, None)
    elif args.command in ("conventions", "questions") and args.out is not None:
        _check_file(args.out, "--out")
    elif args.command == "lessons" and args.copy is not None:
        others = sorted(FLAG[d] for d in args.given - {"copy"})
        if others:
            raise BadInput(f"--copy only copies the lesson files; drop {', '.join(others)} (run "
                           "the lessons with `scratch-vs-keras lessons`).")
        _check_copy(args.copy)
    elif args.command == "lessons":
        _check_out_folder(args.out)
    elif args.command == "check":
        _check_submissions(args)
    return None


def _check_submissions(args):
    """`check FILE` or `check --class DIR` (with --out for the class page), not both."""
    import math

    if (args.file is None) == (args.class_dir is None):
        raise BadInput("`check` takes a FILE (a student's .py or .ipynb) or --class DIR, one of them.")
    if not math.isfinite(args.time_limit) or args.time_limit <= 0:
        raise BadInput(f"--time-limit must be a positive number of seconds; received {args.time_limit}.")
    if args.file is not None:
        if "out" in args.given:
            raise BadInput("--out is where the class page goes: it applies to --class DIR only.")
        if not args.file.endswith((".py", ".ipynb")) or not os.path.isfile(args.file):
            raise BadInput(f"cannot check {args.file!r}: give an existing .py or .ipynb file.")
        try:
            open(args.file, "rb").close()
        except OSError as exc:
            raise BadInput(f"cannot read {args.file!r} ({exc.strerror}).") from None
        return
    from ..lessons.submissions import submission_files

    if not os.path.isdir(args.class_dir):
        raise BadInput(f"--class {args.class_dir!r} is not a folder; give the folder of submissions.")
    if not submission_files(args.class_dir):
        raise BadInput(f"--class {args.class_dir!r} holds no .py or .ipynb files to check.")
    _check_out_folder(args.out)


def _check_values(args):
    import codecs

    from ..data import dataset_names
    from ..scratch import optimizers

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


def check_parallel(args):
    """--jobs, --backend and --scheduler, before anything runs."""
    from ..sweep.parallel import check_backend

    if args.jobs < 1:
        raise BadInput(f"--jobs must be a positive integer; received {args.jobs}.")
    try:
        check_backend(args.backend, args.scheduler, args.jobs)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    if args.backend == "dask" and "jobs" in args.given:
        raise BadInput("--jobs counts local processes; with --backend dask the cluster's workers "
                       "run the tasks: drop --jobs.")


def check_sweep(args):
    """The grid (read and every value checked), --cell, the parallel options and --out; returns
    the grid."""
    from ..sweep import read_grid

    if not os.path.isfile(args.grid) and args.grid != "example":
        raise BadInput(f"grid {args.grid!r} is not a file; give a TOML grid (or `example`, the "
                       "grid shipped with the package).")
    try:
        grid = read_grid(args.grid)
    except OSError as exc:
        raise BadInput(f"cannot read grid {args.grid!r}: {exc.strerror}.") from None
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    if args.cell is not None:
        if args.cell not in grid.by_id():
            raise BadInput(f"--cell {args.cell!r} is not a cell of {args.grid}; a cell id reads "
                           f"like: {next(iter(grid.by_id()))}")
        others = sorted({"jobs", "backend", "scheduler", "out"} & args.given)
        if others:
            raise BadInput("--cell runs one cell here and writes nothing; drop "
                           + ", ".join("--" + o for o in others) + ".")
        return grid
    check_parallel(args)
    _check_out_folder(args.out)
    return grid


def _experiment_plan(args):
    """The experiments to run, and notes on options that some of them (in `run all`) ignore;
    BadInput for an unknown name or an option the one experiment does not use."""
    from .. import experiments

    if args.command == "main":
        names = ["headline"]
    elif args.name == "all":
        names = list(experiments.NAMES)
    elif args.name in experiments.NAMES:
        names = [args.name]
    else:
        raise BadInput(f"unknown experiment {args.name!r}; valid names: "
                       f"{', '.join(experiments.NAMES)}, all.")
    _check_question(args, names)
    if args.dropout and args.course != "10a" and "wide_and_deep" in names:
        raise BadInput("--dropout is notebook 10a's last model: add --course 10a (notebook 10 and "
                       "the package's own wide and deep have no Dropout).")
    notes = []
    for dest in sorted(args.given & experiments.ALL_OPTIONS):
        ignoring = [n for n in names if dest not in experiments.options(n)]
        why = ", ".join(f"{n} ({experiments.why_not(n, dest)})" for n in ignoring)
        if ignoring and len(names) == 1:
            takes = ", ".join(FLAG[d] for d in FLAG if d in experiments.options(names[0]))
            raise BadInput(f"`run {names[0]}` does not take {FLAG[dest]}: "
                           f"{experiments.why_not(names[0], dest)}. Drop it; it takes {takes}.")
        if ignoring:
            notes.append(f"note: {FLAG[dest]} does not apply to {why}.")
    return names, notes


def _check_question(args, names):
    """A QUESTION after `run faq` must be one of the faq's questions; other runs take none."""
    if args.question is None:
        return
    if names != ["faq"]:
        raise BadInput(f"`run {args.name}` takes no question ({args.question!r}); only `run faq "
                       "QUESTION` does (see `scratch-vs-keras list`).")
    from ..experiments import faq

    if args.question not in faq.SLUGS:
        raise BadInput(f"unknown question {args.question!r}; valid questions: "
                       f"{', '.join(faq.SLUGS)} (or none: `run faq` runs them all).")


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
    from ..lessons import lesson_copy_targets

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
    """Refuse an output folder whose reports the index could not read (a foreign or broken
    ``verdict.json``): found now, not after the run."""
    from ..report.index import read_verdicts

    _, skipped = read_verdicts(out)
    if skipped:
        path = os.path.join(out, skipped[0].split(":")[0])
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
    from .. import experiments
    from ..experiments.common import load

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
