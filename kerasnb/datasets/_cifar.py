"""Reading the CIFAR batches: Python pickles of ``{b'data': uint8 array (n, 3072), b'labels': [...], ...}``."""

import os

import numpy as np

from kerasnb.config import image_data_format
from kerasnb.datasets._common import restricted_load


def load_batch(fpath, label_key="labels"):
    """``(data, labels)`` of one batch file: ``uint8`` images ``(n, 3, 32, 32)`` and a list of int labels."""
    with open(fpath, "rb") as f:
        # The batches were pickled by Python 2, so its strings are read as bytes; the restricted unpickler (see
        # its docstring) means a tampered archive cannot run code while it is read.
        batch = restricted_load(f, encoding="bytes")
    if not isinstance(batch, dict):
        raise ValueError(f"{fpath} is not a CIFAR batch (a pickled dict); delete it so it is downloaded again.")
    batch = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    data = np.asarray(batch["data"], dtype=np.uint8)
    return data.reshape(data.shape[0], 3, 32, 32), batch[label_key]


def to_data_format(x):
    """The images ``(n, 3, 32, 32)`` as ``(n, 32, 32, 3)`` under ``channels_last`` (the default), as Keras."""
    return x.transpose(0, 2, 3, 1) if image_data_format() == "channels_last" else x


def batch_path(folder, *names):
    path = os.path.join(folder, *names)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"{path} is missing from the extracted CIFAR archive. Delete the folder {folder} so that it is "
            "extracted again."
        )
    return path
