"""Run a course notebook top to bottom in a fresh kernel and store its outputs, as nbval will compare them.

    python tools/execute_notebook.py notebooks/13_pretrained_models.ipynb

Cells that start with ``# NBVAL_SKIP`` (they need the internet) are left unrun, with no outputs and no
execution count: tests/test_notebooks.py checks that a skipped cell stores nothing that no test compares.
Every other cell runs in order, from the notebooks folder, with the CPU kernels the tests pin (see
``conftest.pin_cpu_kernels``), and only the metadata nbval and the course tests allow is kept.
"""

import os
import sys

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from conftest import pin_cpu_kernels  # noqa: E402  the kernels nbval compares with use the same CPU kernels

pin_cpu_kernels()


def execute(path):
    nb = nbformat.read(path, as_version=4)
    skipped = {i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.startswith("# NBVAL_SKIP")}
    run = nbformat.v4.new_notebook(metadata=nb.metadata)
    run.cells = [c for i, c in enumerate(nb.cells) if i not in skipped]
    NotebookClient(run, timeout=600, kernel_name="python3", resources={"metadata": {"path": "notebooks"}}).execute()
    ran = iter(run.cells)
    nb.cells = [nb.cells[i] if i in skipped else next(ran) for i in range(len(nb.cells))]
    for i in skipped:
        nb.cells[i].outputs, nb.cells[i].execution_count = [], None
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nb.metadata = {"kernelspec": nb.metadata["kernelspec"], "language_info": {"name": "python"}}
    nbformat.write(nb, path)


if __name__ == "__main__":
    for notebook in sys.argv[1:]:
        execute(notebook)
