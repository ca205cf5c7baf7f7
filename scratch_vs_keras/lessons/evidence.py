"""What the checker says about one answer: each tensor right or wrong within a tolerance that
knows the answer's float type, which entries are off, and which mistake fits (the
:class:`Feedback` a student reads, and the rows the class page counts)."""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .mistakes import FACTOR_NAMES, factor_name

#: Relative tolerance per float type: a float64 answer agrees with the reference to round-off
#: (~1e-15); a float32 one carries its own round-off, ~1e-7 per operation, so 1e-5 is right to
#: float32 round-off and still far below any real mistake (which moves a tensor by ~1e-2 or more).
TOLERANCE = {"float64": 1e-9, "float32": 1e-5}


def answer_dtype(*arrays):
    """``"float32"`` when any of ``arrays`` is single precision (or narrower), else ``"float64"``."""
    for a in arrays:
        kind = getattr(np.asarray(a), "dtype", None)
        if kind is not None and kind.kind == "f" and kind.itemsize <= 4:
            return "float32"
    return "float64"


def rel_diff(given, ref, scale=None):
    """``max|given - ref| / scale`` (``scale``: ``max|ref|`` unless given); 0 for equal tensors."""
    gap = float(np.max(np.abs(given - ref))) if ref.size else 0.0
    if scale is None:
        scale = float(np.max(np.abs(ref))) if ref.size else 0.0
    return 0.0 if gap == 0 else (gap / scale if scale else float("inf"))


def entries_off(given, ref, scale, tolerance, bias_column=None):
    """Which entries of a 2-D (or 1-D) tensor are off, in words: ``"column 0 (the bias)"``,
    ``"rows 1, 3"``, ``"every entry"``..."""
    off = np.abs(given - ref) > tolerance * scale
    if off.all():
        return "every entry"
    if off.ndim == 1:
        idx = np.flatnonzero(off)
        return f"entr{'y' if len(idx) == 1 else 'ies'} {_list(idx)} of {off.size}"
    cols, rows = np.flatnonzero(off.any(axis=0)), np.flatnonzero(off.any(axis=1))
    if len(cols) < off.shape[1] and off[:, cols].all():
        is_bias = bias_column is not None and list(cols) == [bias_column % off.shape[1]]
        return f"column{'s' if len(cols) > 1 else ''} {_list(cols)}{' (the bias)' if is_bias else ''}"
    if len(rows) < off.shape[0] and off[rows].all():
        many = "s" if len(rows) > 1 else ""
        return f"row{many} {_list(rows)} (unit{many} of the layer)"
    return f"{int(off.sum())} of {off.size} entries (rows {_list(rows)}, columns {_list(cols)})"


def _list(idx, most=6):
    idx = [int(i) for i in idx]
    return ", ".join(map(str, idx[:most])) + (", ..." if len(idx) > most else "")


def scalar_fit(given, ref, tolerance):
    """The factor ``c`` with ``given == c * ref`` within ``tolerance`` (relative), else None."""
    denom = float(np.sum(ref * ref))
    if denom == 0:
        return None
    c = float(np.sum(given * ref)) / denom
    return c if c != 1 and rel_diff(given, c * ref) <= max(tolerance, 1e-9) else None


@dataclass
class Verdict:
    """One tensor at one probe: the relative difference, the tolerance (by float type), ok, and
    when wrong the mistake that fits (``mistake``: a short label; ``blame``: the layer to look
    at) and the hint: what is wrong, the entries off, what to try next."""

    tensor: str
    layer: int
    rel_diff: float
    tolerance: float
    dtype: str
    ok: bool
    mistake: str = ""
    blame: int = None
    hint: str = ""


@dataclass
class Feedback:
    """The evidence on one answer, per tensor (``table``), and its ``status``: ``"right"``,
    ``"wrong"``, ``"not done"`` (the exercise is still a skeleton), ``"error"`` (the student's
    code raised) or ``"bad answer"`` (missing or unknown keys, not arrays); ``message`` says
    what to do for the last three. ``str()`` reads as advice."""

    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    batch_size: int = 0
    status: str = ""
    message: str = ""
    probes: list = field(default_factory=list)

    def __post_init__(self):
        if not self.status:
            self.status = "right" if len(self.table) and self.table.ok.all() else "wrong"

    @property
    def ok(self):
        return self.status == "right"

    @property
    def mistakes(self):
        """The distinct mistakes that fit the wrong tensors (labels), blamed layer first."""
        if self.status != "wrong":
            return [self.status]
        bad = self.table[~self.table.ok]
        return list(dict.fromkeys(bad.mistake))

    def first_wrong(self):
        """The wrong tensor to start with: the one in the layer a fitting mistake blames, else the
        wrong tensor closest to the output (the layers after it are right). None if all right."""
        if self.status != "wrong":
            return None
        bad = self.table[~self.table.ok]
        blamed = bad[bad.blame.notna()]
        if len(blamed):
            layer = blamed.blame.min()
            here = bad[bad.layer == layer]
            return (here if len(here) else blamed).iloc[0]
        return bad.sort_values("layer", ascending=False, kind="stable").iloc[0]

    def __str__(self):
        if self.status in ("not done", "error", "bad answer"):
            return self.message
        lines = []
        for r in self.table.itertuples():
            if r.ok:
                if r.dtype == "float32":
                    detail = (f"right to float32 round-off (relative difference {r.rel_diff:.1e}, "
                              f"within float32's tolerance {r.tolerance:.0e})")
                else:
                    detail = f"matches (relative difference {r.rel_diff:.1e})"
                lines.append(f"✓ {r.tensor} (layer {r.layer}): {detail}")
            else:
                lines.append(f"✗ {r.tensor} (layer {r.layer}): off by {r.rel_diff:.3g} (relative, "
                             f"{r.dtype}). {r.hint}")
        probes = ""
        if self.probes:
            points = list(dict.fromkeys(p.split(", ")[0] for p in self.probes))
            dtypes = list(dict.fromkeys(p.split(", ")[-1] for p in self.probes))
            probes = (f" at {len(self.probes)} probes ({', '.join(points)}; each in "
                      f"{' and '.join(dtypes)})")
        first = self.first_wrong()
        if first is None:
            lines.append(f"All {len(self.table)} gradients are right{probes}.")
        else:
            n_ok = int(self.table.ok.sum())
            where = (f"layer {int(first.blame)}: the mistake that fits is there ({first.tensor})"
                     if pd.notna(first.blame) else
                     f"{first.tensor} (layer {first.layer}): the wrong one closest to the output")
            lines.append(f"{n_ok} of {len(self.table)} tensors are right{probes}. Start with {where}.")
        if self.message:
            lines.append(self.message)
        return "\n".join(lines)


def table_of(verdicts):
    """The per-tensor table from :class:`Verdict` rows (one row per tensor: its worst probe)."""
    rows = {}
    for v in verdicts:
        best = rows.get(v.tensor)
        if best is None or (best.ok and not v.ok) or (best.ok == v.ok and v.rel_diff > best.rel_diff):
            rows[v.tensor] = v
    frame = pd.DataFrame([vars(v) for v in rows.values()],
                         columns=["tensor", "layer", "rel_diff", "tolerance", "dtype", "ok",
                                  "mistake", "blame", "hint"])
    return frame.astype({"ok": bool})


def _wrong_shape(given, ref, tol, candidates, scale):
    """``(label, blame, hint)`` for a tensor of the wrong shape."""
    for c in candidates:
        if c.tensor.shape == given.shape and rel_diff(given, c.tensor, scale) <= tol:
            return c.label, c.blame, (f"{c.what}. It has shape {given.shape}, not {ref.shape}. "
                                      f"Next: {c.todo}.")
    if given.ndim == 2 and given.shape[::-1] == ref.shape and rel_diff(given.T, ref, scale) <= tol:
        return "transposed matrix", None, (
            f"It has shape {given.shape} but {ref.shape} is expected: it is transposed, and "
            "transposed back it is right. Next: the lecture's W and its gradient are (out, in + 1); "
            "return its transpose.")
    return "wrong shape", None, (f"It has shape {given.shape} but {ref.shape} is expected (out, "
                                 "in + 1 with a bias row). Next: check which A and V you "
                                 "multiplied, and their order.")


@dataclass
class Candidate:
    """A mistake to test against one tensor: what it would have produced (``tensor``), its short
    ``label``, the layer it ``blame``\\ s, what went wrong and the next thing to try."""

    label: str
    blame: int
    what: str
    todo: str
    tensor: np.ndarray


def diagnose_tensor(name, layer, given, ref, tol, dtype, candidates=(), penalty=None,
                    bias_column=None, scale=None, sizes=None):
    """The :class:`Verdict` on one tensor: right within ``tol``; else the first of the listed
    mistakes that fits: a transpose, a ``candidates`` entry of the same shape, a multiple of the
    ``penalty`` term ``C * W`` (weights part), a constant factor (named for the batch's
    ``sizes = (N, k)``: 1/N, 1/k, ...); else where it is off."""
    scale = float(np.max(np.abs(ref))) if scale is None else scale

    def verdict(rel, label="", blame=None, hint=""):
        return Verdict(name, layer, rel, tol, dtype, rel <= tol and not label, label, blame, hint)

    if given.shape != ref.shape:
        return verdict(1.0, *_wrong_shape(given, ref, tol, candidates, scale))
    rel = rel_diff(given, ref, scale)
    if not np.all(np.isfinite(given)):
        return verdict(float("inf"), "not finite", None, "It holds NaN or inf. Next: look for an "
                       "overflow (np.exp of a large Z) or a division by zero.")
    if rel <= tol:
        return verdict(rel)
    where = entries_off(given, ref, scale, tol, bias_column)
    if given.ndim == 2 and given.shape[0] == given.shape[1] and rel_diff(given.T, ref, scale) <= tol:
        return verdict(rel, "transposed matrix", None, f"It is transposed (a square matrix, so the "
                       f"shapes agree); transposed back it is right. Entries off: {where}. Next: "
                       "the gradient is V times A transposed, V @ A.T, shaped like W (out, in + 1).")
    for c in candidates:
        if c.tensor.shape == given.shape and rel_diff(given, c.tensor, scale) <= tol:
            return verdict(rel, c.label, c.blame, f"{c.what}. Entries off: {where}. Next: {c.todo}.")
    if penalty is not None and np.any(penalty):
        m = scalar_fit(given - ref, penalty, tol)
        if m is not None or rel_diff(given - ref, -penalty, scale) <= tol:
            m = -1.0 if m is None else m
            times = {-1.0: "is missing", 1.0: "is there twice (2C * W)", -0.5: "is halved (C/2 * W)"}
            said = next((t for v, t in times.items() if np.isclose(m, v, rtol=1e-6)),
                        f"is {1 + m:.4g} C * W instead of C * W")
            return verdict(rel, "penalty wrong (multiple of C*W)", None,
                           f"The difference is a multiple of C * W{layer}: the L2 penalty term "
                           f"{said}. Entries off: {where}. Next: add C * W{layer} (bias column "
                           "left out) once to the data term's gradient.")
    c = scalar_fit(given, ref, tol)
    if c is not None:
        named = factor_name(c, *sizes) if sizes else f"{c:.6g}"
        why = f": {FACTOR_NAMES[named]}" if named in FACTOR_NAMES else ""
        return verdict(rel, f"gradient times {named}" if why else "whole gradient scaled", None,
                       f"It is the right gradient times {c:.6g}{why}. Entries off: {where}. Next: "
                       "compare your cost with the one this exercise uses (a sum or a mean over "
                       "the N samples and k outputs, the factor 2 of the square, the sign).")
    return verdict(rel, "no listed mistake fits", None,
                   f"Not a transpose, a factor or a listed mistake. Entries off: {where}. Next: "
                   "compare these entries with your V and the activations A that feed this layer.")
