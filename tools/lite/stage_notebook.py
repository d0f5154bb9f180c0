"""Copy a course notebook into a JupyterLite site's ``files/``, ready for a clean run in the page.

    python tools/lite/stage_notebook.py [--allow-fixes] NOTEBOOK FILES_DIR

The copy differs from the course notebook only in what a clean in-browser run needs:

* outputs and execution counts are cleared, so nothing saved in the notebook (static dashboard pictures, printed
  results) can pass for what the page produced;
* the kernel spec is Lite's Pyodide kernel (``python``), so the page opens it without asking for a kernel;
* kerasnb is installed with its ``widgets`` extra in the page (``%pip install -q "kerasnb[widgets]"``): when the
  notebook's own emscripten ``%pip install`` of kerasnb lacks that extra it is added, and when the notebook has
  no such line at all a first cell is put in front that installs it, and matplotlib (from the Pyodide lock:
  ``plot_history`` needs it, and Pyodide loads a lock package by itself only for a cell that imports it).
  Either change means the course notebook itself would not run, or not show its Dashboard, in JupyterLite as
  written: it is printed, and the exit status is 1 unless ``--allow-fixes`` is given (for trying other notebooks).

Prints one JSON line describing the copy (for the driver and the log). Standard library only.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

LITE_KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}
EXTRA = "widgets"
INSTALL_CELL = (
    "# JupyterLite: install kerasnb and its widgets from the site's own package index\n"
    "import sys\n"
    'if sys.platform == "emscripten":\n'
    f'    %pip install -q "kerasnb[{EXTRA}]" matplotlib'
)
# a %pip install line; the requirement tokens are matched separately
PIP_LINE = re.compile(r"^(?P<indent>\s*)%pip\s+install\b(?P<args>.*)$")
# a kerasnb requirement given by name (not "kerasnb @ git+..." or a URL), with its optional extras
KERASNB_REQ = re.compile(r"""(?P<q>["']?)kerasnb(?:\[(?P<extras>[^\]]*)\])?(?P=q)(?=\s|$)""")


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _lines_to_source(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def add_widgets_extra(line: str) -> tuple[str, bool]:
    """``line`` with kerasnb's ``widgets`` extra added to its kerasnb requirement; (line, whether it changed).

    >>> add_widgets_extra('    %pip install -q kerasnb')
    ('    %pip install -q "kerasnb[widgets]"', True)
    >>> add_widgets_extra('%pip install "kerasnb[plot]" rich')
    ('%pip install "kerasnb[plot,widgets]" rich', True)
    >>> add_widgets_extra('%pip install kerasnb[widgets]')
    ('%pip install kerasnb[widgets]', False)
    """
    match = PIP_LINE.match(line)
    if not match:
        return line, False
    args = match["args"]
    req = KERASNB_REQ.search(args)
    if req is None:
        return line, False
    extras = [e.strip() for e in (req["extras"] or "").split(",") if e.strip()]
    if EXTRA in extras:
        return line, False
    new_req = f'"kerasnb[{",".join([*extras, EXTRA])}]"'
    start = match.start("args") + req.start()
    end = match.start("args") + req.end()
    return line[:start] + new_req + line[end:], True


def stage(notebook: Path, files_dir: Path) -> dict:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    notices = []
    install_lines = []
    for index, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code":
            continue
        cell["outputs"] = []
        cell["execution_count"] = None
        lines = _source(cell).splitlines(keepends=True)
        changed = False
        for i, line in enumerate(lines):
            body = line.rstrip("\r\n")
            match = PIP_LINE.match(body)
            if not match or "@" in match["args"] or not KERASNB_REQ.search(match["args"]):
                continue  # not a by-name install of kerasnb (e.g. Colab's "kerasnb[...] @ git+https://...")
            new_body, did = add_widgets_extra(body)
            install_lines.append(new_body.strip())
            if did:
                notices.append(f"cell {index}: {body.strip()!r} -> {new_body.strip()!r}")
                lines[i] = new_body + line[len(body):]
                changed = True
        if changed:
            cell["source"] = lines
    if not install_lines:
        nb["cells"].insert(0, {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                               "source": _lines_to_source(INSTALL_CELL)})
        install_lines.append(INSTALL_CELL.splitlines()[-1].strip())
        notices.append("no `%pip install kerasnb` for JupyterLite: a first cell installing kerasnb[widgets] and "
                       "matplotlib was added")
    nb.setdefault("metadata", {})["kernelspec"] = dict(LITE_KERNELSPEC)
    nb["metadata"].setdefault("language_info", {"name": "python"})
    files_dir.mkdir(parents=True, exist_ok=True)
    target = files_dir / notebook.name
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return {"notebook": str(notebook), "copy": str(target), "install": install_lines, "notices": notices}


def main(argv: list[str]) -> int:
    allow_fixes = "--allow-fixes" in argv
    argv = [arg for arg in argv if arg != "--allow-fixes"]
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    notebook, files_dir = Path(argv[0]), Path(argv[1])
    if not notebook.is_file():
        print(f"stage_notebook: no such notebook: {notebook}", file=sys.stderr)
        return 2
    info = stage(notebook, files_dir)
    for notice in info["notices"]:
        print(f"NOTICE ({notebook.name}, changed in the site's copy only): {notice}", file=sys.stderr)
    print(json.dumps(info))
    if info["notices"] and not allow_fixes:
        print(f"stage_notebook: {notebook} does not install what it needs in JupyterLite as written; fix its "
              "emscripten `%pip install` line (or pass --allow-fixes)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
