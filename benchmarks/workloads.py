"""The benchmark workloads: their hyperparameters and their data, shared by every framework.

Nothing here imports a deep-learning library: only NumPy. The data are synthetic float32 arrays of the real shapes
(MNIST-like pixels, IMDB-like token ids) drawn from ``np.random.default_rng(SEED)``, so every framework trains on
the same arrays. Timing does not depend on what the pixels show, and the suite needs no download.

``samples`` overrides a workload's size (the smoke tests and ``run.py --quick`` train a few steps through the
same code path).
"""

from dataclasses import dataclass

import numpy as np

SEED = 1234


@dataclass(frozen=True)
class Workload:
    name: str
    description: str
    samples: int  # training (or prediction) samples
    batch_size: int
    epochs: int = 1  # epochs of one timed run (W4: ten, reported per epoch)
    kind: str = "fit"  # "fit" or "predict"
    model: str = ""  # the model it builds: "mlp", "cnn", "lstm", "small_mlp"
    optimizer: str = ""
    learning_rate: float = 0.0
    loss: str = ""
    dropout: float = 0.0

    @property
    def steps(self):
        """Batches in one epoch (the last one may be partial)."""
        return -(-self.samples // self.batch_size)


WORKLOADS = {
    "W1": Workload("W1", "seed MNIST MLP: 784-128-128-10, sigmoid, dropout 0.1, SGD(0.01), batch 100, 60,000 samples",
                   samples=60_000, batch_size=100, model="mlp", optimizer="sgd", learning_rate=0.01,
                   loss="categorical_crossentropy", dropout=0.1),
    "W2": Workload("W2", "seed CNN: 3 x Conv2D + 2 x MaxPooling2D + Dense(64) + Dense(10), Adam(1e-3), batch 64, "
                   "10,000 samples", samples=10_000, batch_size=64, model="cnn", optimizer="adam",
                   learning_rate=1e-3, loss="sparse_categorical_crossentropy_from_logits"),
    "W3": Workload("W3", "seed LSTM text model: Embedding(10000, 16) + LSTM(64) + Dense(16) + Dense(1), length 200, "
                   "RMSprop(1e-3), batch 64, 5,000 samples", samples=5_000, batch_size=64, model="lstm",
                   optimizer="rmsprop", learning_rate=1e-3, loss="binary_crossentropy"),
    "W4": Workload("W4", "seed overview MLP: 32-64-64-10, Adam(1e-3), batch 32, 1,000 samples, 10 epochs "
                   "(seconds per epoch)", samples=1_000, batch_size=32, epochs=10, model="small_mlp",
                   optimizer="adam", learning_rate=1e-3, loss="categorical_crossentropy"),
    "P1": Workload("P1", "predict with the W2 CNN: 10,000 samples, batch 256", samples=10_000, batch_size=256,
                   kind="predict", model="cnn"),
    # Not in the default set: the GPU target (at least 10x kerasnb on the CPU); run it with --workloads W2L.
    "W2L": Workload("W2L", "the W2 CNN with batch 512 on 60,000 samples (the GPU workload)", samples=60_000,
                    batch_size=512, model="cnn", optimizer="adam", learning_rate=1e-3,
                    loss="sparse_categorical_crossentropy_from_logits"),
}
DEFAULT_WORKLOADS = ("W1", "W2", "W3", "W4", "P1")

# The targets, per subject framework and workload: (reference, ratio). The subject's seconds over the
# reference's are at most `ratio`; the reference is "best" (the fastest peer) or a framework's name.
TARGETS = {
    "kerasnb": {"W1": ("best", 0.9), "W2": ("torch", 1.0), "W3": ("torch", 1.0), "W4": ("best", 1.0),
                "P1": ("best", 1.0)},
    "kerasnb-cupy": {"W1": ("torch-cuda", 1.2), "W2": ("torch-cuda", 1.2), "W3": ("torch-cuda", 1.2),
                     "W4": ("torch-cuda", 1.2), "P1": ("torch-cuda", 1.2),
                     "W2L": ("kerasnb", 0.1)},  # on the GPU, at least 10x kerasnb on the CPU
}
PEAK_RSS_TARGET_MB = 250
IMPORT_TARGET_S = 0.3

VOCABULARY = 10_000
SEQUENCE_LENGTH = 200


def get(name, samples=None):
    """The workload called ``name``, with its sample count replaced by ``samples`` when given."""
    try:
        workload = WORKLOADS[name]
    except KeyError:
        raise ValueError(f"unknown workload {name!r}; choose from {', '.join(WORKLOADS)}") from None
    if samples is not None:
        from dataclasses import replace

        workload = replace(workload, samples=int(samples))
    return workload


def make_data(workload, seed=SEED):
    """The workload's inputs and integer labels: ``{"x": ..., "labels": ...}`` (no labels for predict).

    Images are channels-last float32 in [0, 1] (PyTorch jobs transpose them once); labels are int64 class ids
    (W3: 0/1). Arrays are made in their final dtype, so making them never holds a float64 copy.
    """
    rng = np.random.default_rng(seed)
    n = workload.samples
    if workload.model == "mlp":
        x = _pixels(rng, (n, 784))
        labels = rng.integers(0, 10, size=n)
    elif workload.model == "cnn":
        x = _pixels(rng, (n, 28, 28, 1))
        labels = rng.integers(0, 10, size=n)
    elif workload.model == "lstm":
        x = rng.integers(0, VOCABULARY, size=(n, SEQUENCE_LENGTH), dtype=np.int32)
        labels = rng.integers(0, 2, size=n)
    elif workload.model == "small_mlp":
        x = rng.random((n, 32), dtype=np.float32)
        labels = rng.integers(0, 10, size=n)
    else:
        raise ValueError(f"workload {workload.name} has no data recipe for model {workload.model!r}")
    data = {"x": x}
    if workload.kind == "fit":
        data["labels"] = labels.astype(np.int64)
    return data


def _pixels(rng, shape, chunk=4096):
    """Random 8-bit pixels scaled to [0, 1], made a block of rows at a time (no full-size temporary)."""
    x = np.empty(shape, dtype=np.float32)
    for start in range(0, shape[0], chunk):
        block = x[start:start + chunk]
        block[...] = rng.integers(0, 256, size=block.shape, dtype=np.uint8)
        block *= np.float32(1 / 255)
    return x


def one_hot(labels, classes=10):
    """Integer labels as float32 one-hot rows (what ``categorical_crossentropy`` expects)."""
    out = np.zeros((len(labels), classes), dtype=np.float32)
    out[np.arange(len(labels)), labels] = 1
    return out


def keras_targets(workload, labels):
    """The labels as the Keras model's loss wants them: one-hot, sparse ids, or a (n, 1) float column."""
    if workload.loss == "categorical_crossentropy":
        return one_hot(labels)
    if workload.loss == "binary_crossentropy":
        return labels.astype(np.float32).reshape(-1, 1)
    return labels.astype(np.int32)
