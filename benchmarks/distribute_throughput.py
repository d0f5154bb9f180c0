"""What a ``kerasnb.distribute`` strategy costs or gains: training samples per second of one MLP with no strategy,
with a single-replica ``MirroredStrategy``, with 2 CPU replicas (run one after another in this process, so this
measures the overhead of splitting and reducing, not a speed-up), and — when the CuPy backend sees several GPUs —
with one replica per GPU (NCCL all-reduce). Measured and printed, never asserted.

    python benchmarks/distribute_throughput.py [--samples 16384] [--batch-size 256] [--repeats 3]
    KERASNB_BACKEND=cupy python benchmarks/distribute_throughput.py   # adds the GPU rows where there are GPUs
"""

import argparse
import json
import time

import numpy as np

import kerasnb as keras


def make_model(strategy, input_dim):
    keras.utils.set_random_seed(0)
    with strategy.scope():
        model = keras.Sequential([keras.layers.Dense(256, activation="relu", input_shape=(input_dim,)),
                                  keras.layers.Dense(256, activation="relu"),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
    return model


def samples_per_second(strategy, x, y, batch_size, repeats):
    model = make_model(strategy, x.shape[1])
    model.fit(x[: batch_size * 2], y[: batch_size * 2], batch_size=batch_size, verbose=0)  # warm-up: build, slots
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
        best = max(best, len(x) / (time.perf_counter() - start))
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=16384)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x = rng.random((args.samples, 784), dtype=np.float32)
    y = rng.integers(0, 10, size=args.samples)
    runs = {"no strategy": keras.distribute.get_strategy(),
            "MirroredStrategy, 1 replica": keras.distribute.MirroredStrategy(),
            "MirroredStrategy, 2 CPU replicas": keras.distribute.MirroredStrategy(devices=["/cpu:0", "/cpu:1"])}
    if keras.config.backend() == "cupy":
        import cupy

        count = cupy.cuda.runtime.getDeviceCount()
        if count > 1:
            runs[f"MirroredStrategy, {count} GPUs (NCCL)"] = keras.distribute.MirroredStrategy()
    results = {}
    for name, strategy in runs.items():
        results[name] = round(samples_per_second(strategy, x, y, args.batch_size, args.repeats), 1)
        print(f"{name:40s} {results[name]:>10.1f} samples/s", flush=True)
    print(json.dumps({"backend": keras.config.backend(), "batch_size": args.batch_size, "samples": args.samples,
                      "samples_per_s": results}))


if __name__ == "__main__":
    main()
