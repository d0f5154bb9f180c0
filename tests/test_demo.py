"""``python -m kerasnb``, the README's terminal demo: it trains, reports and draws without a network."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import kerasnb.__main__ as demo
from kerasnb.utils import png


def test_demo_trains_the_quickstart_model_and_writes_the_curves(tmp_path, capsys):
    out = tmp_path / "curves.png"
    assert demo.main(["--epochs", "3", "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Total params: 2,410" in printed
    assert printed.count("Epoch ") == 3 and "val_accuracy" in printed
    accuracy = float(re.search(r"test accuracy (\d\.\d+) on 360 digits", printed).group(1))
    assert accuracy > 0.7  # three epochs already separate most digits
    assert png.is_png(out.read_bytes())
    image, _ = png.read_png(out.read_bytes())
    assert image.shape[:2] == (300, 800)  # figsize (8, 3) at 100 dpi


def test_demo_is_deterministic(tmp_path, capsys):
    def run():
        demo.main(["--epochs", "2", "--output", str(tmp_path / "c.png")])
        printed = capsys.readouterr().out
        printed = re.sub(r"in \d+\.\d s;", "in T s;", printed)  # the training time
        return re.sub(r"\d+(\.\d+)?(s|ms|us)(/step)?\b", "T", printed)

    assert run() == run()


def test_demo_without_matplotlib_draws_an_svg(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    demo.main(["--epochs", "1", "--output", str(tmp_path / "curves.png")])
    assert "matplotlib is not installed" in capsys.readouterr().out
    svg = (tmp_path / "curves.svg").read_text()
    assert svg.startswith("<svg") and 'data-name="loss"' in svg and 'data-name="val_loss"' in svg


def test_lab_flag_prints_the_command_when_no_one_is_at_a_terminal(capsys, monkeypatch):
    root = Path(__file__).resolve().parent.parent
    if Path(demo.__file__).resolve().parent.parent != root:
        # kerasnb installed from its wheel (the Pyodide run), which carries no notebooks: this checkout's, then
        monkeypatch.setattr(demo, "_notebooks_dir", lambda: root / "notebooks")
    assert demo.open_lab(interactive=False) == 0
    printed = capsys.readouterr().out
    assert "not starting it" in printed and re.search(r"jupyter lab \S*notebooks", printed)
    # JupyterLab refuses to start as root (as in many containers) unless told to
    assert ("--allow-root" in printed) == (getattr(os, "geteuid", lambda: 1)() == 0)


def test_bad_epochs_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        demo.main(["--epochs", "0"])
    assert exit_info.value.code == 2
    assert "--epochs must be at least 1, received 0" in capsys.readouterr().err


@pytest.mark.needs_subprocess
def test_module_runs_as_a_script(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "kerasnb", "--epochs", "1", "--output", str(tmp_path / "c.png"), "--lab"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "test accuracy" in result.stdout and (tmp_path / "c.png").is_file()
    assert "To open the tutorials in JupyterLab" in result.stdout  # stdin is not a terminal: no server started
