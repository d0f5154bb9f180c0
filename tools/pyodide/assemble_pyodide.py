"""Assemble an offline Pyodide distribution folder, every WebAssembly wheel checked against Pyodide's own lock.

    python tools/pyodide/assemble_pyodide.py RUNTIME WHEELS OUT PACKAGE [PACKAGE ...]

RUNTIME   the npm package ``pyodide`` (``tools/pyodide/node_modules/pyodide`` after ``npm ci``): the core runtime
          and the official ``pyodide-lock.json``, which lists every package's file name and sha256.
WHEELS    a folder holding Pyodide-built wheels (``tools/pyodide/wheels``, the verified copy kept in the repo).
OUT       the folder to write: the runtime files, the wheels wanted, and a lock trimmed to exactly those.
PACKAGE   the Pyodide packages wanted; their dependency closure in the lock is taken.

The wheels come from a third party, so trust rests on the check here: a file whose sha256 differs from the
official lock's stops the build. The lock is trimmed because Pyodide (and piplite in JupyterLite) would
otherwise try to fetch a package the lock names but the folder lacks, and fail on a machine with no network.
"""

import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

RUNTIME_FILES = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
                 "package.json")


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(packages, wanted):
    """The names in ``wanted`` and everything they depend on, per the lock."""
    needed, todo = set(), [canonical(w) for w in wanted]
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        if name not in packages:
            raise SystemExit(f"{name!r} is not a package of this Pyodide's lock file")
        needed.add(name)
        todo.extend(canonical(d) for d in packages[name]["depends"])
    return needed


def main(argv):
    if len(argv) < 4:
        raise SystemExit(__doc__)
    runtime, wheels, out = (Path(a) for a in argv[:3])
    lock = json.loads((runtime / "pyodide-lock.json").read_text())
    packages = {canonical(k): v for k, v in lock["packages"].items()}
    needed = closure(packages, argv[3:])

    out.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_FILES:
        shutil.copy2(runtime / name, out / name)
    missing = []
    for name in sorted(needed):
        file_name = packages[name]["file_name"]
        source = wheels / file_name
        if not source.is_file():
            missing.append(file_name)
            continue
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        if digest != packages[name]["sha256"]:
            expected = packages[name]["sha256"]
            raise SystemExit(f"{file_name}: sha256 {digest} differs from the official lock's {expected}")
        shutil.copy2(source, out / file_name)
    if missing:
        raise SystemExit(f"missing from {wheels}: {', '.join(missing)}")
    lock["packages"] = {k: v for k, v in lock["packages"].items() if canonical(k) in needed}
    (out / "pyodide-lock.json").write_text(json.dumps(lock, indent=1))
    print(f"Pyodide {lock['info']['version']} (Python {lock['info']['python']}): {len(needed)} packages, "
          f"sha256 verified against the official lock -> {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
