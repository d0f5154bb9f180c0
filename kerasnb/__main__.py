"""``python -m kerasnb``: the quickstart model, trained in the terminal.

It loads the bundled 8x8 digits (no network needed), builds the small Sequential network of the first
tutorial, prints its summary, trains it with the Keras progress bar, prints the test accuracy and writes a
PNG of the training curves. ``--lab`` then opens the tutorials (``notebooks/``) in JupyterLab when run from a
terminal; elsewhere (CI, a pipe) it prints the command instead of starting a server that would never stop.

Example (a shell)::

    python -m kerasnb --epochs 5 --output curves.png
"""

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np

import kerasnb as keras


def build_model():
    """The quickstart network of notebooks/01_quickstart: 64 pixels -> 32 ReLU units -> 10 digit probabilities."""
    return keras.Sequential(
        [
            keras.Input(shape=(64,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ],
        name="quickstart",
    )


def train(epochs=15, output="kerasnb-training-curves.png", verbose=1, seed=0):
    """Train the quickstart model on the bundled digits; returns ``(history, test_accuracy, written_path)``."""
    keras.backend.clear_session()  # fresh layer names: the summary reads dense, dense_1 on every run
    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.reshape(-1, 64).astype("float32") / 16  # 8x8 pictures as rows of 64 values in 0..1
    x_test = x_test.reshape(-1, 64).astype("float32") / 16

    model = build_model()
    model.summary()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=32, validation_split=0.2, verbose=verbose)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"trained {epochs} epochs in {seconds:.1f} s; test accuracy {accuracy:.4f} on {len(x_test)} digits")
    return history, accuracy, _write_curves(history, output)


def _write_curves(history, output):
    """A PNG of the curves through matplotlib; an SVG (kerasnb's own drawing) where matplotlib is missing."""
    path = Path(output)
    try:
        fig = keras.widgets.plot_history(history, figsize=(8, 3))
    except ImportError:
        from kerasnb.widgets.svgplot import line_chart_svg

        path = path.with_suffix(".svg")
        logs = history.history
        series = [{"name": name, "xs": list(range(1, len(v) + 1)), "ys": [float(y) for y in v]}
                  for name, v in logs.items() if name.endswith("loss")]
        path.write_text(line_chart_svg(series, width=480, height=280, title="loss", xlabel="epoch"))
        print(f"matplotlib is not installed (pip install matplotlib for a PNG); wrote the loss curves to {path}")
        return path
    fig.savefig(path, dpi=100)
    print(f"training curves written to {path}")
    return path


def _notebooks_dir():
    """The tutorials next to the package in a source checkout (an installed wheel does not carry them)."""
    candidate = Path(__file__).resolve().parent.parent / "notebooks"
    return candidate if candidate.is_dir() else None


def open_lab(interactive=None):
    """Start JupyterLab on the tutorials when a person is at a terminal; otherwise print how to."""
    notebooks = _notebooks_dir()
    if notebooks is None:
        print("The tutorials live in the repository's notebooks/ folder: "
              "https://github.com/kerasnb/kerasnb (or open them on Binder from the README).")
        return 0
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or shutil.which("jupyter")
    command = [jupyter or "jupyter", "lab", str(notebooks)]
    if getattr(os, "geteuid", lambda: 1)() == 0:
        command.append("--allow-root")  # containers often run as root; JupyterLab refuses to start there otherwise
    if interactive is None:
        interactive = sys.stdin.isatty() and sys.stdout.isatty() and not os.environ.get("CI")
    if jupyter is None or not interactive:
        reason = "JupyterLab is not installed (pip install jupyterlab)" if jupyter is None else "not a terminal"
        print(f"To open the tutorials in JupyterLab ({reason} here, so not starting it): {' '.join(command)}")
        return 0
    import subprocess  # only here: nothing in kerasnb starts processes unless asked to

    print(f"Opening the tutorials: {' '.join(command)}  (Ctrl+C stops JupyterLab)")
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m kerasnb", description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=15, help="training epochs (default 15)")
    parser.add_argument("--output", default="kerasnb-training-curves.png", help="where the curves PNG goes")
    parser.add_argument("--lab", action="store_true", help="then open the tutorials in JupyterLab")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error(f"--epochs must be at least 1, received {args.epochs}")
    print(f"kerasnb {keras.__version__} on {keras.config.backend()}, numpy {np.__version__}: "
          "the quickstart model on the bundled 8x8 digits")
    train(epochs=args.epochs, output=args.output)
    return open_lab() if args.lab else 0


if __name__ == "__main__":
    raise SystemExit(main())
