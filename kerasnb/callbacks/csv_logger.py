"""``CSVLogger``: write every epoch's logs as a row of a CSV file."""

import collections.abc
import csv
import os

import numpy as np

from kerasnb.callbacks.callback import Callback


def _cell(value):
    """A value as Keras writes it: text as it is, a list or array as ``"[a, b]"`` (quotes included), else
    the value (the csv module writes its ``str``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, collections.abc.Iterable) and not (isinstance(value, np.ndarray) and value.ndim == 0):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """Stream each epoch's logs to a CSV file: one row per epoch, written and flushed as the epoch ends.

    Args:
        filename: the file to write, e.g. ``'run/log.csv'`` (a string or a path object).
        separator: the column separator.
        append: ``True`` appends to an existing file (to continue a log when training resumes; the header is
            written only if the file is empty); ``False`` overwrites it.

    The columns are ``epoch`` and then the first epoch's log names in sorted order. When the first epoch has
    no ``val_`` values, a ``val_`` column is added for every name anyway (filled with ``NA``), so a later run
    with validation fits the same header; a value missing in an epoch is written as ``NA``. Lists and arrays
    become ``"[a, b]"``. Lines end with ``\\r\\n`` (the csv module's default, as in Keras).

    Example:
        >>> import os, tempfile
        >>> with tempfile.TemporaryDirectory() as directory:
        ...     path = os.path.join(directory, "training.log")
        ...     logger = keras.callbacks.CSVLogger(path)
        ...     logger.on_train_begin()
        ...     logger.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.75})
        ...     logger.on_epoch_end(1, {"loss": 0.25, "accuracy": 0.875})
        ...     logger.on_train_end()
        ...     print(open(path).read(), end="")
        epoch,accuracy,loss,val_accuracy,val_loss
        0,0.75,0.5,NA,NA
        1,0.875,0.25,NA,NA

        In training: ``model.fit(x, y, epochs=5, callbacks=[keras.callbacks.CSVLogger("training.log")])``.
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(f"`separator` must be a single character. Received: separator={separator!r}")
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as f:
                    self.append_header = not f.readline()
            mode = "a"
        else:
            mode = "w"
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        # newline="" leaves line endings to the csv module: \r\n on every platform, as Keras writes on Linux.
        self.csv_file = open(self.filename, mode, newline="")
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys += [f"val_{key}" for key in self.keys]
        if self.writer is None:
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch", *self.keys], delimiter=self.sep)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None
