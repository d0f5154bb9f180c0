"""The tutorial notebooks as files: what GitHub, nbviewer, Binder, Colab and JupyterLite will find in them.

nbval (run on ``notebooks/`` by the same pytest command) checks that each one runs and prints what it stored;
these tests check what it takes for a learner to open one anywhere: badges that point at the notebook itself,
a first code cell that installs kerasnb only where it is missing, clean metadata, small stored outputs, no
stored widget state, and a reason beside every output nbval is told to ignore.
"""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
COURSE = [
    "01_quickstart", "02_sequential_models", "03_training_and_evaluation", "04_functional_api",
    "05_subclassing_and_custom_layers", "06_callbacks", "07_saving_and_restoring", "08_images_with_cnns",
    "09_sequences", "10_inside_autograd", "11_looking_inside_a_network", "12_gpu_with_cupy",
    "13_pretrained_models",
]
BINDER = "https://mybinder.org/v2/gh/kerasnb/kerasnb/main?urlpath=lab/tree/notebooks/{}.ipynb"
COLAB = "https://colab.research.google.com/github/kerasnb/kerasnb/blob/main/notebooks/{}.ipynb"


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _load(name):
    return json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))


def test_the_course_is_exactly_these_notebooks():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == COURSE


@pytest.mark.parametrize("name", COURSE)
def test_notebook_opens_anywhere(name):
    nb = _load(name)
    assert nb["nbformat"] == 4
    first, second = nb["cells"][0], nb["cells"][1]
    assert first["cell_type"] == "markdown"
    title = _source(first).splitlines()[0]
    assert re.fullmatch(rf"# {int(name[:2])} · \S.*", title), title
    assert BINDER.format(name) in _source(first) and COLAB.format(name) in _source(first)
    install = _source(second)
    assert second["cell_type"] == "code" and not second["outputs"]
    assert '"google.colab" in sys.modules' in install and 'sys.platform == "emscripten"' in install
    # In JupyterLite the Dashboard needs anywidget (the widgets extra); matplotlib is loaded only when asked for.
    assert '%pip install -q "kerasnb[widgets]" matplotlib' in install


@pytest.mark.parametrize("name", COURSE)
def test_notebook_is_stored_clean_and_small(name):
    path = NOTEBOOKS / f"{name}.ipynb"
    nb = _load(name)
    assert set(nb["metadata"]) <= {"kernelspec", "language_info"}, "no widget state or tool metadata stored"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert path.stat().st_size < 400_000, f"{name}: {path.stat().st_size} bytes of stored output"
    counts = []
    for cell in nb["cells"]:
        assert "execution" not in cell.get("metadata", {}), "timing metadata would change on every run"
        if cell["cell_type"] != "code":
            continue
        lines = _source(cell).splitlines()
        if lines and lines[0].strip() == "# NBVAL_SKIP":
            # a cell the tests do not run (it downloads): say why, and store no output that nothing checks
            assert len(lines) > 1 and lines[1].startswith("# ") and len(lines[1]) > 10, (
                f"{name}: say on the next line why this cell is skipped"
            )
            assert not cell["outputs"] and cell["execution_count"] is None, f"{name}: a skipped cell stores output"
            continue
        counts.append(cell["execution_count"])
        for output in cell["outputs"]:
            assert "application/vnd.jupyter.widget-state+json" not in output.get("data", {})
            if output["output_type"] == "error":
                pytest.fail(f"{name} stores an error: {output['ename']}: {output['evalue']}")
        if lines and lines[0].strip() == "# NBVAL_IGNORE_OUTPUT":
            assert len(lines) > 1 and lines[1].startswith("# ") and len(lines[1]) > 10, (
                f"{name}: say on the next line why this cell's output is not compared"
            )
    assert counts == list(range(1, len(counts) + 1)), f"{name} was not stored after one top-to-bottom run"
