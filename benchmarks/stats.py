"""Plain-Python parts of the suite: the noise probe, slow-phase marking, the summary table's numbers and the loss
curve comparison. No NumPy here: ``job.py`` runs the probe before the framework (and NumPy) is imported.

The machines here are shared and noisy in bursts: for minutes, pure Python can run several times slower. Every
job times a fixed pure-Python probe before its import, before each timed unit and after the last one. The
run's baseline is its fastest probe; a probe more than ``slow_factor`` (1.3) times the baseline marks a slow
phase, and a timed unit is *quiet* when the probes on both sides of it are not slow. Seconds are medians of quiet
units, and ratios compare quiet medians of the same run.
"""

import math
import os
import resource
import statistics

PROBE_CHUNKS = 5
PROBE_LOOP = 80_000  # one chunk: about 10 ms of pure Python on a quiet machine here, so ~50 ms a probe
SLOW_FACTOR = 1.3
BUSY_LIMIT = 0.25  # cores that other processes may keep busy during a unit for it to count as quiet
BUSY_MIN_WALL = 0.5  # seconds: over shorter units /proc/stat's 10 ms ticks make the measure too coarse to use


def probe_chunk(n=PROBE_LOOP):
    """A fixed pure-Python workload (integer arithmetic, a dict and a list): the interpreter's speed right now."""
    acc = 0
    table = {}
    items = []
    for i in range(n):
        acc = (acc * 31 + i) % 1_000_003
        table[i & 1023] = acc
        if i & 7 == 0:
            items.append(acc)
    return acc + len(table) + len(items)


def run_probe(clock, chunks=PROBE_CHUNKS, n=PROBE_LOOP):
    """Seconds for the whole probe, estimated as ``chunks`` x its median chunk: a single blip of the scheduler
    does not count, a slow phase that lasts does."""
    times = []
    for _ in range(chunks):
        start = clock()
        probe_chunk(n)
        times.append(clock() - start)
    times.sort()
    return times[len(times) // 2] * chunks


def cpu_snapshot(clock):
    """(wall seconds, CPU seconds the whole machine was busy, CPU seconds of this process) now.

    The machine's busy time (user, nice, system, irq, softirq and steal, over all cores, from ``/proc/stat``)
    includes processes this one cannot see; None where there is no ``/proc/stat``.
    """
    own = resource.getrusage(resource.RUSAGE_SELF)
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
    except OSError:
        return clock(), None, own.ru_utime + own.ru_stime
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[1:9])
    busy = (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    return clock(), busy, own.ru_utime + own.ru_stime


def others_cores(before, after):
    """The average number of cores that *other* processes kept busy between two :func:`cpu_snapshot` calls.

    >>> others_cores((0.0, 10.0, 1.0), (2.0, 14.0, 4.0))
    0.5
    """
    wall = after[0] - before[0]
    if before[1] is None or after[1] is None or wall <= 0:
        return None
    return max(0.0, ((after[1] - before[1]) - (after[2] - before[2])) / wall)


# ---------------------------------------------------------------------------------------------------------------
# Slow phases and the summary
# ---------------------------------------------------------------------------------------------------------------
def probe_baseline(jobs):
    """The fastest probe of the run (of jobs that have probes): the machine at its quietest."""
    probes = [p for job in jobs for p in job.get("probes", [])]
    return min(probes) if probes else None


def mark_slow(jobs, slow_factor=SLOW_FACTOR, busy_limit=BUSY_LIMIT, baseline=None):
    """Mark each timing job's units quiet or slow, in place; returns the baseline.

    ``job["probes"]`` is [before the import, before unit 1, ..., before unit n, after unit n]; unit i is quiet when
    the probes before and after it are at most ``slow_factor`` x the baseline and, where ``job["others"][i]`` is
    known (and the unit lasted at least ``BUSY_MIN_WALL``), other processes kept at most ``busy_limit`` cores busy
    meanwhile (a second process on a 2-core
    machine slows a 2-thread framework a lot, and the single-threaded probe alone does not see it). A job with any
    slow probe or unit is marked ``slow_phase``.

    >>> jobs = [{"probes": [0.05, 0.05, 0.05, 0.2], "seconds": [1.0, 1.1]}]
    >>> mark_slow(jobs), jobs[0]["quiet_units"], jobs[0]["slow_phase"]
    (0.05, [0], True)
    >>> jobs = [{"probes": [0.05] * 4, "seconds": [1.0, 1.1], "others": [0.9, 0.0]}]
    >>> mark_slow(jobs), jobs[0]["quiet_units"], jobs[0]["slow_phase"]
    (0.05, [1], True)
    """
    baseline = probe_baseline(jobs) if baseline is None else baseline
    if baseline is None:
        return None
    limit = slow_factor * baseline
    for job in jobs:
        probes = job.get("probes", [])
        seconds = job.get("seconds", [])
        others = job.get("others") or [None] * len(seconds)
        walls = job.get("unit_wall_s") or [math.inf] * len(seconds)
        # unit i lies between probes[i + 1] and probes[i + 2]
        quiet = [i for i in range(len(seconds))
                 if i + 2 < len(probes) and max(probes[i + 1], probes[i + 2]) <= limit
                 and (others[i] is None or walls[i] < BUSY_MIN_WALL or others[i] <= busy_limit)]
        job["quiet_units"] = quiet
        job["slow_phase"] = bool(probes) and max(probes) > limit or len(quiet) < len(seconds)
        job["probe_ratio"] = max(probes) / baseline if probes else None
    return baseline


def summarize(jobs, peers):
    """One row per (workload, framework) from the marked timing jobs.

    ``peers`` is the set of framework names kerasnb is compared with. A row's ``seconds`` is the median of its
    quiet units over all its jobs (``quiet`` False: there were none, so the median of all units, flagged);
    ``ratio`` is seconds over the best peer's, the best peer being the fastest peer. A slow phase only makes a
    job slower, so a peer without quiet units still counts when it is the fastest (its time is an upper bound);
    ``ratio_quiet`` says whether both sides of the ratio come from quiet units. Rows keep their job order.

    >>> jobs = [{"workload": "W1", "framework": "torch", "seconds": [2.0, 2.2, 2.1], "quiet_units": [0, 1, 2]},
    ...         {"workload": "W1", "framework": "kerasnb", "seconds": [3.0, 9.0, 3.2], "quiet_units": [0, 2]}]
    >>> [(r["framework"], r["seconds"], round(r["ratio"], 3)) for r in summarize(jobs, {"torch"})]
    [('torch', 2.1, 1.0), ('kerasnb', 3.1, 1.476)]
    """
    rows = {}
    for job in jobs:
        if job.get("error") or not job.get("seconds"):
            continue
        key = (job["workload"], job["framework"])
        row = rows.setdefault(key, {"workload": key[0], "framework": key[1], "peer": key[1] in peers,
                                    "all": [], "quiet_list": [], "rss": [], "imports": [], "jobs": 0})
        row["jobs"] += 1
        row["all"].extend(job["seconds"])
        row["quiet_list"].extend(job["seconds"][i] for i in job.get("quiet_units", []))
        if job.get("peak_rss_mb") is not None:
            row["rss"].append(job["peak_rss_mb"])
        if job.get("import_s") is not None:
            row["imports"].append(job["import_s"])
    out = []
    for row in rows.values():
        quiet = bool(row["quiet_list"])
        out.append({
            "workload": row["workload"], "framework": row["framework"], "peer": row["peer"],
            "seconds": statistics.median(row["quiet_list"] if quiet else row["all"]), "quiet": quiet,
            "quiet_units": len(row["quiet_list"]), "units": len(row["all"]), "jobs": row["jobs"],
            "peak_rss_mb": max(row["rss"]) if row["rss"] else None,
            "import_s": statistics.median(row["imports"]) if row["imports"] else None,
        })
    for workload in {r["workload"] for r in out}:
        same = [r for r in out if r["workload"] == workload]
        candidates = [r for r in same if r["peer"]]
        best = min(candidates, key=lambda r: (r["seconds"], not r["quiet"])) if candidates else None
        for r in same:
            r["best_peer"] = best["framework"] if best else None
            r["ratio"] = r["seconds"] / best["seconds"] if best else None
            r["ratio_quiet"] = bool(best) and r["quiet"] and best["quiet"]
    return out


def check_targets(rows, targets):
    """The issue's targets for the subjects present: ``targets[subject][workload] = (reference, max_ratio)``.

    >>> rows = [{"workload": "W2", "framework": "kerasnb", "seconds": 3.0, "best_peer": "torch", "quiet": True},
    ...         {"workload": "W2", "framework": "torch", "seconds": 2.0, "best_peer": "torch", "quiet": True}]
    >>> [(t["reference"], t["ratio"], t["met"]) for t in check_targets(rows, {"kerasnb": {"W2": ("torch", 1.0)}})]
    [('torch', 1.5, False)]
    """
    by_key = {(r["workload"], r["framework"]): r for r in rows}
    out = []
    for subject, per_workload in targets.items():
        for workload, (reference, limit) in per_workload.items():
            row = by_key.get((workload, subject))
            if row is None:
                continue
            name = row.get("best_peer") if reference == "best" else reference
            ref = by_key.get((workload, name)) if name else None
            ratio = row["seconds"] / ref["seconds"] if ref else None
            out.append({"workload": workload, "framework": subject, "seconds": row["seconds"],
                        "reference": name, "reference_kind": reference,
                        "reference_seconds": ref["seconds"] if ref else None, "ratio": ratio, "target": limit,
                        "met": None if ratio is None else ratio <= limit,
                        "quiet": row["quiet"] and (ref["quiet"] if ref else False)})
    return out


# ---------------------------------------------------------------------------------------------------------------
# Correctness: loss curves
# ---------------------------------------------------------------------------------------------------------------
def per_step_losses(running_means):
    """Per-batch losses from Keras' running epoch means (equal batches): L_k = k m_k - (k - 1) m_(k-1).

    >>> per_step_losses([2.0, 1.5, 1.0])
    [2.0, 1.0, 0.0]
    """
    out = []
    previous = 0.0
    for k, mean in enumerate(running_means, start=1):
        out.append(k * float(mean) - (k - 1) * previous)
        previous = float(mean)
    return out


def compare_curves(losses, reference):
    """How far one per-step loss curve is from a reference curve of the same steps.

    Returns ``{"steps", "max_rel", "final_rel", "max_abs"}``; relative differences are over ``|reference|``
    (floored at 1e-12). Curves of different lengths or empty ones, and non-finite values, give infinities.

    >>> compare_curves([1.0, 0.5], [1.0, 0.25])["max_rel"]
    1.0
    """
    if len(losses) != len(reference) or not losses:
        return {"steps": min(len(losses), len(reference)), "max_rel": math.inf, "final_rel": math.inf,
                "max_abs": math.inf}
    rel, absolute = [], []
    for a, b in zip(losses, reference):
        a, b = float(a), float(b)
        if not (math.isfinite(a) and math.isfinite(b)):
            rel.append(math.inf)
            absolute.append(math.inf)
            continue
        absolute.append(abs(a - b))
        rel.append(abs(a - b) / max(abs(b), 1e-12))
    return {"steps": len(rel), "max_rel": max(rel), "final_rel": rel[-1], "max_abs": max(absolute)}
