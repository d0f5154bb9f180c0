"""README.md stays true: its Keras code runs, the engine code it quotes is the code in the package, and every
file it links to exists."""

import contextlib
import io
import re
from pathlib import Path

import kerasnb as keras

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_the_keras_example_runs_and_prints_its_summary():
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    keras_block = next(block for block in PYTHON_BLOCKS if "model.summary()" in block)
    printed = io.StringIO()
    namespace = {}
    with contextlib.redirect_stdout(printed):
        exec(compile(keras_block.replace("epochs=5", "epochs=1"), "README.md", "exec"), namespace)
    assert "Total params: 2,762" in printed.getvalue()
    assert set(namespace["history"].history) == {"loss", "accuracy", "val_loss", "val_accuracy"}


def test_the_quoted_op_is_the_packages_own_code():
    quoted = next(block for block in PYTHON_BLOCKS if block.startswith("class Relu(Op):"))
    assert quoted in (ROOT / "kerasnb" / "ops" / "nn.py").read_text(encoding="utf-8")


def test_every_linked_file_exists():
    links = re.findall(r"\]\(((?!https?://)[^)#\s]+)\)", README)
    assert len(links) >= 14  # the screenshot and the thirteen notebooks
    missing = [link for link in links if not (ROOT / link).exists()]
    assert not missing, f"README.md links to missing files: {missing}"


def test_readme_lists_the_whole_course():
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert f"(notebooks/{notebook.name})" in README, f"README.md does not list {notebook.name}"
