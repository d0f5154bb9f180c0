"""MultiWorkerMirroredStrategy under `mpirun -n 2` (run by .ci/mpi.sh; not part of the pytest suite).

    mpirun -n 2 python tests/mpi/multi_worker_check.py train OUT_DIR   # equivalence, broadcast, chief-only files
    mpirun -n 2 python tests/mpi/multi_worker_check.py fail OUT_DIR    # worker 1 raises: both must stop

`train` exits 0 only if every check passes on every worker; `fail` must make mpirun exit non-zero with
"worker 1 failed: RuntimeError: ..." in its output (the shell script checks that).
"""

import os
import sys

import numpy as np
from mpi4py import MPI

import kerasnb as keras

GLOBAL_BATCH = 64
SAMPLES = 200  # 3 full global batches and an uneven last one of 8 (4 per worker)


def data():
    rng = np.random.default_rng(0)
    x = rng.random((SAMPLES, 10), dtype=np.float32)
    y = (x.sum(axis=1, keepdims=True) > 5).astype("float32")
    return x, y


def make_model(seed):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.layers.Dense(16, activation="relu", input_shape=(10,), kernel_regularizer="l2"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(0.01), metrics=["accuracy"])
    return model


def check(condition, message):
    if not condition:
        print(f"rank {MPI.COMM_WORLD.Get_rank()}: CHECK FAILED: {message}", flush=True)
        MPI.COMM_WORLD.Abort(2)


def train(out):
    comm = MPI.COMM_WORLD
    rank = comm.Get_rank()
    x, y = data()
    strategy = keras.distribute.MultiWorkerMirroredStrategy()
    check(strategy.num_workers == comm.Get_size() == 2, f"num_workers={strategy.num_workers}")
    check(strategy.task_id == rank and strategy.is_chief == (rank == 0), f"task_id={strategy.task_id}")
    with strategy.scope():
        model = make_model(seed=1 + rank)  # different initial weights: fit must start from rank 0's
    callbacks = [keras.callbacks.ModelCheckpoint(os.path.join(out, f"rank{rank}.weights.h5"), monitor="loss",
                                                 save_weights_only=True),
                 keras.callbacks.BackupAndRestore(os.path.join(out, f"backup{rank}"), delete_checkpoint=False)]
    batch_logs = []
    callbacks.append(keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: batch_logs.append(logs)))
    history = model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=3, shuffle=False, verbose=0, callbacks=callbacks)

    # The same training in one process: rank 0's initial weights, batch 64, the same order.
    reference = make_model(seed=1)
    reference_batch_logs = []
    reference_history = reference.fit(x, y, batch_size=GLOBAL_BATCH, epochs=3, shuffle=False, verbose=0,
                                      callbacks=[keras.callbacks.LambdaCallback(
                                          on_train_batch_end=lambda batch, logs: reference_batch_logs.append(logs))])
    for got, want in zip(model.get_weights(), reference.get_weights()):
        check(np.allclose(got, want, atol=1e-5), f"weights differ from one process: {np.abs(got - want).max()}")
    # The logs are the global batch's (every worker's shard), not this worker's shard's.
    for key in ("loss", "accuracy"):
        check(np.allclose(history.history[key], reference_history.history[key], atol=1e-5),
              f"History {key}: {history.history[key]} vs one process {reference_history.history[key]}")
        check(np.allclose([b[key] for b in batch_logs], [b[key] for b in reference_batch_logs], atol=1e-5),
              f"batch logs {key} differ from one process")
    check(comm.allgather(history.history) == [history.history] * 2, "the workers' logs differ")
    everyone = comm.allgather(model.get_weights())
    for got, want in zip(everyone[0], everyone[1]):
        check(np.array_equal(got, want), "the workers' weights differ")

    # A Dataset of global batches: each worker takes its slice of each.
    with strategy.scope():
        model = make_model(seed=1 + rank)
    model.fit(keras.data.Dataset.from_tensor_slices((x, y)).batch(GLOBAL_BATCH), epochs=3, verbose=0)
    for got, want in zip(model.get_weights(), reference.get_weights()):
        check(np.allclose(got, want, atol=1e-5), f"Dataset: weights differ: {np.abs(got - want).max()}")

    comm.Barrier()
    if rank == 0:
        names = sorted(os.listdir(out))
        check(names == ["backup0", "rank0.weights.h5"], f"only the chief writes checkpoints; found {names}")
        print(f"multi-worker check passed: 2 workers = 1 process (weights and logs, atol 1e-5), files {names}",
              flush=True)


def fail(out):
    rank = MPI.COMM_WORLD.Get_rank()
    x, y = data()
    strategy = keras.distribute.MultiWorkerMirroredStrategy()
    with strategy.scope():
        model = make_model(seed=1)

    def explode(batch, logs):
        if rank == 1 and batch == 1:
            raise RuntimeError("a deliberate failure on batch 1")

    model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=50, verbose=0,
              callbacks=[keras.callbacks.LambdaCallback(on_train_batch_end=explode)])
    print(f"rank {rank}: fit returned although worker 1 failed", flush=True)


if __name__ == "__main__":
    {"train": train, "fail": fail}[sys.argv[1]](sys.argv[2])
