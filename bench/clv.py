"""Benchmark of the CLV models (`memberops.insights.clv`) next to the `lifetimes` package.

BG/NBD and Gamma-Gamma are fitted, and every customer scored (P(alive), purchases expected in
the next 52 weeks, expected spend per order, 12-month CLV discounted at 1 % a month), by
memberops and by `lifetimes` 0.11.3 in the same run on the same inputs: CDNOW's 1/10 sample
(2,357 customers, weeks, calibration to 1997-09-30) and a synthetic base drawn from the BG/NBD
and Gamma-Gamma processes with CDNOW's published parameters (a seeded numpy generator: first
purchases over 12 weeks, rates λ ~ Gamma(r, α), drop-out p ~ Beta(a, b), purchases simulated to
day 272, spends z ~ Gamma(p, ν) with ν ~ Gamma(q, γ)). The synthetic transactions go through
`summary.summarise` like real ones. The run fails unless both implementations find the same
parameters (to 0.1 %) and the same CLV. `lifetimes` is no dependency of memberops: the script
installs it into a throw-away virtualenv (with the older pandas, numpy and scipy it needs) and
runs a small worker there over the same inputs saved as .npy files.

    python bench/clv.py [--customers 1000000] [--lifetimes-venv PATH] [--lifetimes-fit-rows N]
                        [--repeat 5] [--write docs/benchmarks.md]
"""

import os

# Run as a script, both implementations get one BLAS thread (set before numpy loads OpenBLAS;
# the worker inherits it): on a small shared machine OpenBLAS's threads make each L-BFGS-B
# step (its tiny LAPACK calls) take milliseconds instead of microseconds.
if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` when run as a file

import numpy as np
import numpy.typing as npt
import scipy

from bench.common import BenchFailure, expect, machine, write_section
from memberops.insights.clv import bgnbd, gamma_gamma, summary, value

__all__ = ["BenchFailure"]

#: CDNOW's published fits (FHL 2005; Fader & Hardie 2013): the synthetic base's true values
TRUE_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
TRUE_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}
COHORT_DAYS = 84  # first purchases over the first 12 weeks, as CDNOW's cohort
AS_OF_DAY = 272  # the last day observed, counted from the cohort's first: CDNOW's 1997-09-30
HORIZON_WEEKS = 52.0
MONTHS = 12
PINS = ["lifetimes==0.11.3", "pandas<2", "numpy<1.25", "scipy<1.12"]
TOLERANCE = 1e-3
TABLE_HEAD = [
    "| data | customers | implementation | fit rows | fit s | score s | total s | speed-up |",
    "|---|---:|---|---:|---:|---:|---:|---:|",
]


@dataclass(frozen=True)
class Transactions:
    customer: npt.NDArray[np.int64]
    day: npt.NDArray[np.int64]
    amount: npt.NDArray[np.float64]
    as_of: int


@dataclass(frozen=True)
class Result:
    data: str
    implementation: str
    customers: int
    fit_rows: int
    params: dict[str, float]
    fit_seconds: float
    score_seconds: float

    def line(self, baseline: "Result | None") -> str:
        total = self.fit_seconds + self.score_seconds
        ratio = "–" if baseline is None else f"{baseline.total / total:.0f}x"
        return (
            f"| {self.data} | {self.customers:,} | {self.implementation} | {self.fit_rows:,} | "
            f"{self.fit_seconds:.4f} | {self.score_seconds:.4f} | {total:.4f} | {ratio} |"
        )

    @property
    def total(self) -> float:
        return self.fit_seconds + self.score_seconds


def generate(customers: int, seed: int = 20261202) -> Transactions:
    """Transaction lines of ``customers`` drawn from BG/NBD and Gamma-Gamma (all vectorised):
    given N Poisson arrivals in the window, the customer leaves after repeat purchase K
    (geometric in p), so x = min(N, K); the x-th of N uniform times is the last purchase (a
    Beta(x, N-x+1) fraction of the window) and the x-1 before it are uniform below it."""
    rng = np.random.default_rng(seed)
    first = rng.integers(0, COHORT_DAYS, customers)
    window = (AS_OF_DAY - first + 1) / 7  # weeks, the as-of day included
    rate = rng.gamma(TRUE_BGNBD["r"], 1 / TRUE_BGNBD["alpha"], customers)
    drop = np.maximum(rng.beta(TRUE_BGNBD["a"], TRUE_BGNBD["b"], customers), 1e-12)
    arrivals = rng.poisson(rate * window)
    x = np.minimum(arrivals, rng.geometric(drop))
    buyer = np.flatnonzero(x > 0)
    last = window[buyer] * rng.beta(x[buyer], arrivals[buyer] - x[buyer] + 1)
    between = np.repeat(np.arange(buyer.size), x[buyer] - 1)
    weeks = np.concatenate([np.zeros(customers), last, last[between] * rng.random(between.size)])
    owner = np.concatenate([np.arange(customers), buyer, buyer[between]])
    nu = rng.gamma(TRUE_GG["q"], 1 / TRUE_GG["gamma"], customers)
    amount = rng.gamma(TRUE_GG["p"], 1 / nu[owner])
    day = first[owner] + np.floor(weeks * 7).astype(np.int64)
    order = rng.permutation(owner.size)  # a log is not sorted by customer
    return Transactions(owner[order], day[order], amount[order], AS_OF_DAY)


def cdnow(path: Path) -> Transactions:
    """CDNOW_sample.txt: sample id, date (YYYYMMDD) and dollars of every line."""
    rows = np.loadtxt(path, dtype=np.int64, usecols=(1, 2))
    dollars = np.loadtxt(path, dtype=np.float64, usecols=(4,))
    text = rows[:, 1].astype(str)
    dates = np.array([f"{d[:4]}-{d[4:6]}-{d[6:]}" for d in text], dtype="datetime64[D]")
    days = dates.astype(np.int64)
    return Transactions(
        rows[:, 0], days, dollars, int(np.datetime64("1997-09-30", "D").astype(int))
    )


def best(repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """The shortest of ``repeat`` runs (the machine is shared) and the last run's result."""
    seconds, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - started)
    return min(seconds), result


Models = tuple[bgnbd.BGNBD, gamma_gamma.GammaGamma, summary.Compressed]


def fit_ours(rows: summary.Summary) -> Models:
    """What a nightly job does: compress, fit BG/NBD on the weighted rows, Gamma-Gamma on the
    repeat buyers (the compressed rows are kept for scoring)."""
    compressed = summary.compress(rows.x, rows.t_x, rows.T)
    purchases = bgnbd.fit(compressed.x, compressed.t_x, compressed.T, compressed.weights)
    repeat = rows.x > 0
    spend = gamma_gamma.fit(rows.x[repeat], rows.zbar[repeat])
    if not (purchases.converged and spend.converged):
        raise BenchFailure(f"a fit did not converge: {purchases.message}, {spend.message}")
    return purchases.params, spend.params, compressed


def run_ours(data: str, rows: summary.Summary, repeat: int) -> tuple[Result, value.Scores]:
    fit_seconds, (model, spend, packed) = best(repeat, lambda: fit_ours(rows))

    def score() -> value.Scores:
        return value.score(
            model, spend, rows.x, rows.t_x, rows.T, rows.zbar, HORIZON_WEEKS, compressed=packed
        )

    score_seconds, scores = best(repeat, score)
    params = {**vars(model), **vars(spend)}
    result = Result(data, "memberops", len(rows), len(rows), params, fit_seconds, score_seconds)
    return result, scores


def uncompressed_note(data: str, rows: summary.Summary, repeat: int, fit_seconds: float) -> str:
    """memberops' fit (BG/NBD and Gamma-Gamma) with BG/NBD on every row instead of the
    compressed ones: how much of the fit's speed is the compression."""
    repeat_buyer = rows.x > 0

    def fit_all_rows() -> None:
        bgnbd.fit(rows.x, rows.t_x, rows.T)
        gamma_gamma.fit(rows.x[repeat_buyer], rows.zbar[repeat_buyer])

    seconds, _ = best(repeat, fit_all_rows)
    return (
        f"- {data}: memberops' fit with BG/NBD on all {len(rows):,} rows, without "
        f"compression, takes {seconds:.4f} s (compressed, as in the table: {fit_seconds:.4f} s)."
    )


WORKER = """
import json, sys, time, warnings
import numpy as np, pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
warnings.simplefilter("ignore")
job = json.loads(sys.argv[1])
frame = pd.DataFrame({k: np.load(f"{job['dir']}/{k}.npy") for k in ("x", "t_x", "T", "zbar")})
part = frame.iloc[: job["fit_rows"]]
def fit():
    bg = BetaGeoFitter().fit(part["x"], part["t_x"], part["T"])
    repeat = part[part["x"] > 0]
    return bg, GammaGammaFitter().fit(repeat["x"], repeat["zbar"])
def score(bg, gg):
    x, t_x, T, zbar = frame["x"], frame["t_x"], frame["T"], frame["zbar"]
    alive = bg.conditional_probability_alive(x, t_x, T)
    bg.conditional_expected_number_of_purchases_up_to_time(job["horizon"], x, t_x, T)
    gg.conditional_expected_average_profit(x, zbar)
    clv = gg.customer_lifetime_value(bg, x, t_x, T, zbar, time=job["months"],
                                     discount_rate=0.01, freq="W")
    return np.asarray(alive, dtype=float), np.asarray(clv, dtype=float)
def timed(work):
    seconds = []
    for _ in range(job["repeat"]):
        started = time.perf_counter(); out = work(); seconds.append(time.perf_counter() - started)
    return min(seconds), out
fit_s, (bg, gg) = timed(fit)
score_s, (alive, clv) = timed(lambda: score(bg, gg))
np.save(f"{job['dir']}/lifetimes_alive.npy", alive)
np.save(f"{job['dir']}/lifetimes_clv.npy", clv)
params = {**bg.params_.to_dict(), **{("gamma" if k == "v" else k): v
                                     for k, v in gg.params_.to_dict().items()}}
import lifetimes
print(json.dumps({"params": params, "fit": fit_s, "score": score_s,
                  "versions": f"lifetimes {lifetimes.__version__}, numpy {np.__version__}, "
                              f"pandas {pd.__version__}"}))
"""


def lifetimes_python(venv: Path) -> Path:
    """The Python of ``venv`` with lifetimes installed, making the venv if it has none."""
    python = venv / "bin" / "python"
    check = [str(python), "-c", "import lifetimes"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    print(f"Installing {' '.join(PINS)} into {venv} …", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PINS], check=True)
    return python


def run_lifetimes(
    python: Path, data: str, rows: summary.Summary, workdir: Path, repeat: int, fit_rows: int
) -> tuple[Result, dict[str, Any], dict[str, npt.NDArray[np.float64]]]:
    """Save the inputs, run the worker in the lifetimes venv, read its figures back."""
    folder = workdir / data.replace(" ", "_")
    folder.mkdir(exist_ok=True)
    for name in ("x", "t_x", "T", "zbar"):
        np.save(folder / f"{name}.npy", getattr(rows, name))
    job = {"dir": str(folder), "fit_rows": fit_rows, "repeat": repeat}
    job |= {"horizon": HORIZON_WEEKS, "months": MONTHS}
    (workdir / "worker.py").write_text(WORKER)
    command = [str(python), str(workdir / "worker.py"), json.dumps(job)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    arrays = {k: np.load(folder / f"lifetimes_{k}.npy") for k in ("alive", "clv")}
    result = Result(data, "lifetimes", len(rows), fit_rows, out["params"], out["fit"], out["score"])
    return result, out, arrays


def compare(ours: Result, theirs: Result, scores: value.Scores, arrays: dict[str, Any]) -> str:
    """Fail unless the parameters agree to ``TOLERANCE`` and so do P(alive) and CLV; the
    largest differences as a note."""
    for name, mine in ours.params.items():
        other = theirs.params[name]
        if abs(mine - other) > TOLERANCE * abs(other):
            raise BenchFailure(f"{ours.data}, {name}: memberops {mine:.6g}, lifetimes {other:.6g}")
    alive = float(np.max(np.abs(scores.p_alive - arrays["alive"])))
    clv = float(np.max(np.abs(scores.clv - arrays["clv"]) / np.maximum(arrays["clv"], 1.0)))
    expect(f"{ours.data}: P(alive) within 1e-3", alive < 1e-3, True)
    expect(f"{ours.data}: CLV within 1 %", clv < 1e-2, True)
    return f"- {ours.data}: largest P(alive) difference {alive:.1e}, CLV {clv:.1e} (relative)."


def params_table(results: list[Result]) -> list[str]:
    """Both implementations' parameters side by side, with the published / true values."""
    names = list(TRUE_BGNBD) + list(TRUE_GG)
    lines = ["| data | implementation | " + " | ".join(names) + " |"]
    lines.append("|---|---|" + "---:|" * len(names))
    truth = {**TRUE_BGNBD, **TRUE_GG}
    for data in dict.fromkeys(r.data for r in results):
        label = "published" if data == "CDNOW" else "true"
        lines.append(f"| {data} | {label} | " + " | ".join(f"{truth[n]:g}" for n in names) + " |")
        for result in (r for r in results if r.data == data):
            cells = " | ".join(f"{result.params[n]:.4f}" for n in names)
            lines.append(f"| {data} | {result.implementation} | {cells} |")
    return lines


def document(results: list[Result], notes: list[str], about: list[str]) -> str:
    """This benchmark's section of docs/benchmarks.md."""
    intro = (__doc__ or "").split("\n\n")[1].replace("\n", " ")
    timing = (
        "`fit` is BG/NBD plus Gamma-Gamma (memberops: compressing identical (x, t_x, T) rows "
        "into weights first; lifetimes: on every row, as it is used), `score` every "
        "prediction for every customer; each the shortest of the runs made (the machine is "
        "shared). `speed-up` is lifetimes' total over memberops'. The synthetic fits differ "
        "from the true values by a few per cent because same-day purchases of the heaviest "
        "buyers merge into one transaction (the papers' rule), in both implementations alike."
    )
    lines = [*TABLE_HEAD]
    for data in dict.fromkeys(r.data for r in results):
        pair = {r.implementation: r for r in results if r.data == data}
        lines.append(pair["memberops"].line(pair.get("lifetimes")))
        if "lifetimes" in pair:
            lines.append(pair["lifetimes"].line(None))
    body = ["## CLV models\n", f"{intro}\n", f"{timing}\n", *about, "", *lines, ""]
    return "\n".join([*body, *params_table(results), "", *notes])


def default_reference() -> Path:
    """``MEMBEROPS_REFERENCE_DATA``, else ../shared/data beside the repository."""
    root = Path(__file__).resolve().parents[1]
    return Path(os.environ.get("MEMBEROPS_REFERENCE_DATA", root.parent / "shared" / "data"))


def datasets(args: argparse.Namespace, notes: list[str]) -> list[tuple[str, summary.Summary]]:
    """CDNOW (when the reference data is there) and the synthetic base, summarised by
    memberops (the synthetic one timed)."""
    found: list[tuple[str, summary.Summary]] = []
    sample = args.reference_data / "CDNOW_sample.txt"
    if sample.is_file():
        lines = cdnow(sample)
        found.append(
            ("CDNOW", summary.summarise(lines.customer, lines.day, lines.amount, lines.as_of))
        )
    else:
        notes.append(f"- CDNOW skipped: {sample} not found (set MEMBEROPS_REFERENCE_DATA).")
    started = time.perf_counter()
    lines = generate(args.customers, args.seed)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    rows = summary.summarise(lines.customer, lines.day, lines.amount, lines.as_of)
    took = time.perf_counter() - started
    distinct = summary.compress(rows.x, rows.t_x, rows.T).weights.size
    notes.append(
        f"- Synthetic: {lines.customer.size:,} transaction lines generated in {generated:.1f} s; "
        f"`summary.summarise` made them (x, t_x, T, zbar) of {len(rows):,} customers in "
        f"{took:.2f} s ({distinct:,} distinct (x, t_x, T) rows)."
    )
    found.append(("synthetic", rows))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--repeat", type=int, default=20, help="runs per timing on CDNOW")
    parser.add_argument("--repeat-large", type=int, default=3, help="runs per timing, synthetic")
    parser.add_argument("--lifetimes-venv", type=Path, help="reuse (or make) this virtualenv")
    parser.add_argument("--lifetimes-fit-rows", type=int, help="fit lifetimes on the first N")
    parser.add_argument("--reference-data", type=Path, default=default_reference())
    parser.add_argument("--write", type=Path, help="write the results there (docs/benchmarks.md)")
    args = parser.parse_args()
    notes: list[str] = []
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        python = lifetimes_python(args.lifetimes_venv or workdir / "lifetimes-venv")
        for data, rows in datasets(args, notes):
            repeat = args.repeat if data == "CDNOW" else args.repeat_large
            ours, scores = run_ours(data, rows, repeat)
            print(ours.line(None), flush=True)
            notes.append(uncompressed_note(data, rows, repeat, ours.fit_seconds))
            fit_rows = len(rows) if data == "CDNOW" else (args.lifetimes_fit_rows or len(rows))
            theirs, out, arrays = run_lifetimes(python, data, rows, workdir, repeat, fit_rows)
            print(theirs.line(None), flush=True)
            if fit_rows == len(rows):
                notes.append(compare(ours, theirs, scores, arrays))
            else:
                notes.append(f"- {data}: lifetimes fitted on the first {fit_rows:,} customers.")
            results += [ours, theirs]
        notes.append(f"- {out['versions']} in its own virtualenv (pins: {', '.join(PINS)}).")
    notes.append(
        f"- Load average at the end of the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
        "cores (other work may share the machine: compare rows of one run, not runs)."
    )
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    versions = f"- numpy {np.__version__}, scipy {scipy.__version__}; "
    versions += f"OPENBLAS_NUM_THREADS={threads} for both implementations"
    about = [*machine(None)[:-1], versions, machine(None)[-1]]
    section = document(results, notes, about)
    print(section)
    if args.write:
        write_section(args.write, section)
        print(f"Wrote the CLV section of {args.write}.")


if __name__ == "__main__":
    main()
