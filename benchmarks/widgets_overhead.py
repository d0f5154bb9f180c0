"""What watching training costs: the seed's MNIST MLP trained with and without ``kerasnb.widgets.Dashboard``.

The timing runs inside a real Jupyter kernel (started with jupyter_client), so the live views really serialise
their state and send it over the kernel's iopub socket, as in a notebook; this script plays the front end and
counts the widget messages it receives. Three runs are timed in the same kernel, interleaved and repeated:
plain ``fit``, ``fit`` with a Dashboard whose views are off (data collection only), and ``fit`` with the live
Dashboard. The issue's bar: the live dashboard costs at most 10% more than plain ``fit``.

The data are MNIST-shaped random pixels (60,000 x 784, 10 classes): the cost of the widgets does not depend on
what the pixels show, and benchmarks need no download.

    python benchmarks/widgets_overhead.py [--epochs 2] [--repeats 3]
"""

import argparse
import json
import queue
import sys

SETUP = """
import time, numpy as np, kerasnb as keras
from kerasnb import layers
rng = np.random.default_rng(0)
x_train = (rng.integers(0, 256, size=(60000, 784)) / 255).astype("float32")
y_train = keras.utils.to_categorical(rng.integers(0, 10, size=60000), 10)

def seed_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential()
    model.add(layers.Dense(units=128, activation="sigmoid", input_shape=(784,)))
    model.add(layers.Dropout(0.1))
    model.add(layers.Dense(units=128, activation="sigmoid"))
    model.add(layers.Dropout(0.1))
    model.add(layers.Dense(units=10, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.SGD(), metrics=["accuracy"])
    return model

def timed(callbacks):
    model = seed_model()
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=100, epochs=EPOCHS, verbose=0, callbacks=callbacks)
    return time.perf_counter() - start
"""

CASES = {
    "plain fit": "[]",
    "Dashboard, data only": "[keras.widgets.Dashboard(live=False)]",
    "Dashboard, live views": "[keras.widgets.Dashboard(live=True)]",
}


def run_cell(client, code, timeout=900):
    """Execute ``code``; return (text printed, number of widget comm messages seen on iopub meanwhile)."""
    msg_id = client.execute(code)
    printed, comm_messages = [], 0
    while True:
        try:
            msg = client.get_iopub_msg(timeout=timeout)
        except queue.Empty as error:
            raise TimeoutError(f"no answer from the kernel in {timeout} s") from error
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind in ("comm_open", "comm_msg", "comm_close"):
            comm_messages += 1
        elif kind == "stream":
            printed.append(content["text"])
        elif kind == "error":
            raise RuntimeError("\n".join(content["traceback"]))
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(printed), comm_messages


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3", extra_arguments=["--HistoryManager.enabled=False"])
    try:
        run_cell(client, f"EPOCHS = {args.epochs}\n" + SETUP)
        run_cell(client, "timed([])")  # warm-up: allocations, imports
        times = {name: [] for name in CASES}
        messages = {}
        for _ in range(args.repeats):
            for name, callbacks in CASES.items():
                out, count = run_cell(client, f"print(timed({callbacks}))")
                times[name].append(float(out.strip().splitlines()[-1]))
                messages[name] = count
        version, _ = run_cell(client, "import platform, numpy; print(platform.python_version(), numpy.__version__)")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    base = min(times["plain fit"])
    print(f"seed MNIST MLP (784-128-128-10, SGD, batch 100), {args.epochs} epochs of 60,000 samples, "
          f"best of {args.repeats}; Python/NumPy {version.strip()}")
    print(f"{'case':<24}{'seconds':>10}{'vs plain':>10}{'widget messages':>18}")
    results = {}
    for name in CASES:
        best = min(times[name])
        results[name] = {"seconds": best, "ratio": best / base, "messages": messages[name]}
        print(f"{name:<24}{best:>10.3f}{best / base:>10.3f}{messages[name]:>18}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
