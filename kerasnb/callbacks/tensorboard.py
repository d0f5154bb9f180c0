"""``TensorBoard``: write training logs as TensorBoard event files, laid out as Keras 3 lays them out.

The files are written with tensorboardX's protocol buffers and record writer (``pip install tensorboardX``,
imported only when a ``TensorBoard`` callback is made), synchronously: no threads and no processes, so it works
in a notebook, a script and in the browser alike. Every summary is written in TensorFlow 2's form (scalars,
histograms and images as tensors with their plugin's name), so TensorBoard shows kerasnb's runs next to Keras's.

What lands where (``log_dir`` is the callback's argument):

* ``log_dir/train/events.out.tfevents.*``: ``epoch_<metric>`` and ``epoch_learning_rate`` at step = epoch;
  ``batch_<metric>`` at step = the number of batches trained so far (with ``update_freq='batch'`` or an
  integer); ``<weight path>/histogram`` (and ``/image``) every ``histogram_freq`` epochs; the model's
  architecture as JSON (tag ``keras``, TensorBoard's Graphs tab draws it) for Sequential and functional models,
  or its ``summary()`` as text (tag ``model_summary``) for other models.
* ``log_dir/validation/events.out.tfevents.*``: the validation values as ``epoch_<metric>`` (without ``val_``),
  and every evaluation's values as ``evaluation_<metric>_vs_iterations`` at step = the optimizer's
  iterations (after each epoch's validation, and for ``model.evaluate(..., callbacks=[tensorboard])``).
"""

import itertools
import os
import time
import warnings

import numpy as np

from kerasnb.callbacks.callback import Callback

_INSTALL_HINT = (
    "The TensorBoard callback writes its event files with tensorboardX, which is not installed. Install it with "
    '`pip install "kerasnb[tensorboard]"` (or `pip install tensorboardX`); `pip install tensorboard` gives the '
    "viewer."
)
_PROFILE_BATCH_ERROR = (
    "profile_batch must be a non-negative integer or 2-tuple of positive integers. A pair of positive integers "
    "signifies a range of batches to profile. Found: {}"
)
_EMBEDDING_TENSOR_NAME = "layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE"  # Keras writes this one
_file_numbers = itertools.count()  # event file names must differ even when two are opened in the same second


def _tensorboardx():
    """tensorboardX's protocol buffers and record writer, or an ImportError saying what to install."""
    try:
        from tensorboardX.proto import event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2
        from tensorboardX.record_writer import RecordWriter, directory_check
    except ImportError as error:
        raise ImportError(_INSTALL_HINT) from error
    return event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2, RecordWriter, directory_check


def histogram_buckets(values, bucket_count=30):
    """TensorBoard's histogram of ``values``: a ``(bucket_count, 3)`` float64 array of
    ``[left edge, right edge, count]`` rows, as ``tf.summary.histogram`` computes it.

    The buckets split ``[min, max]`` evenly (the last one includes ``max``); when every value is the same, all
    buckets are that value and the last holds the count; with no values, all are zeros.

    Example:
        >>> histogram_buckets([0.0, 1.0, 1.0, 3.0], bucket_count=3)
        array([[0., 1., 1.],
               [1., 2., 2.],
               [2., 3., 1.]])
    """
    data = np.asarray(values, dtype=np.float64).reshape(-1)
    if data.size == 0 or bucket_count <= 0:
        return np.zeros((max(bucket_count, 0), 3))
    low, high = data.min(), data.max()
    if high - low == 0:
        counts = np.zeros(bucket_count)
        counts[-1] = data.size
        edges = np.full(bucket_count, high)
        return np.stack([edges, edges, counts], axis=1)
    width = (high - low) / bucket_count
    index = np.minimum(np.floor((data - low) / width).astype(np.intp), bucket_count - 1)  # bincount's index type
    counts = np.bincount(index, minlength=bucket_count).astype(np.float64)
    edges = np.linspace(low, high, bucket_count + 1)
    edges[-1] = high
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def weight_image(weight):
    """A weight as TensorBoard images, the way Keras's ``write_images`` shows it: a ``(k, height, width, c)``
    uint8 array (values clipped to [0, 1], then scaled to 0-255), or ``None`` for a shape it cannot show.

    A bias becomes one column, a kernel one image (wider than tall), a 1-D convolution kernel one image per
    output channel; a 4-D kernel is shown only when its last axis is 1, 3 or 4 long (as Keras does).

    Example:
        >>> weight_image(np.array([[-1.0, 0.5, 2.0], [0.0, 0.25, 1.0]]))[..., 0]  # one 2x3 image
        array([[[  0, 127, 255],
                [  0,  63, 255]]], dtype=uint8)
    """
    image = np.squeeze(np.asarray(weight))
    if image.ndim == 1:  # a bias: one column
        image = image.reshape(1, image.shape[0], 1, 1)
    elif image.ndim == 2:  # a dense kernel: wider than tall
        if image.shape[0] > image.shape[1]:
            image = image.T
        image = image.reshape(1, image.shape[0], image.shape[1], 1)
    elif image.ndim == 3:  # a 1-D convolution kernel: one image per output channel
        from kerasnb import config

        if config.image_data_format() == "channels_last":
            image = np.transpose(image, (2, 0, 1))
        image = image.reshape(image.shape[0], image.shape[1], image.shape[2], 1)
    if image.ndim != 4 or image.shape[-1] not in (1, 3, 4):
        return None
    if image.dtype.kind != "f":
        image = image.astype(np.float32)
    # tf.image.convert_image_dtype(saturate=True): scale by 255.5, clip to the uint8 range, truncate.
    return np.clip(image * image.dtype.type(255.5), 0, 255).astype(np.uint8)


class _EventFile:
    """One TensorBoard event file, written synchronously (opened when made, in ``directory``)."""

    def __init__(self, directory):
        event_pb2, summary_pb2, tensor_pb2, shape_pb2, RecordWriter, directory_check = _tensorboardx()
        self._event, self._summary, self._tensor, self._shape = event_pb2, summary_pb2, tensor_pb2, shape_pb2
        directory_check(directory)
        name = f"events.out.tfevents.{int(time.time()):010d}.{_hostname()}.{os.getpid()}.{next(_file_numbers)}.v2"
        self.path = os.path.join(directory, name)
        self._records = RecordWriter(self.path)
        self._write(event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2"))
        self.closed = False

    def _write(self, event):
        self._records.write(event.SerializeToString())

    def _add(self, tag, tensor, plugin, step, content=b""):
        metadata = self._summary.SummaryMetadata(
            plugin_data=self._summary.SummaryMetadata.PluginData(plugin_name=plugin, content=content)
        )
        summary = self._summary.Summary(value=[self._summary.Summary.Value(tag=tag, tensor=tensor, metadata=metadata)])
        self._write(self._event.Event(wall_time=time.time(), step=int(step), summary=summary))

    def _tensor_proto(self, dtype, shape, **values):
        dims = [self._shape.TensorShapeProto.Dim(size=size) for size in shape]
        return self._tensor.TensorProto(dtype=dtype, tensor_shape=self._shape.TensorShapeProto(dim=dims), **values)

    def scalar(self, tag, value, step):
        self._add(tag, self._tensor_proto("DT_FLOAT", (), float_val=[float(value)]), "scalars", step)

    def histogram(self, tag, values, step):
        buckets = histogram_buckets(values)
        tensor = self._tensor_proto("DT_DOUBLE", buckets.shape, tensor_content=buckets.astype("<f8").tobytes())
        self._add(tag, tensor, "histograms", step)

    def images(self, tag, pixels, step, max_outputs=3):
        """``pixels``: uint8 ``(k, height, width, channels)``; the first ``max_outputs`` are written as PNG."""
        from kerasnb.utils.png import write_png

        height, width = pixels.shape[1], pixels.shape[2]
        strings = [str(width).encode(), str(height).encode()] + [write_png(p) for p in pixels[:max_outputs]]
        self._add(tag, self._tensor_proto("DT_STRING", (len(strings),), string_val=strings), "images", step)

    def text(self, tag, text, step, plugin="text", content=b""):
        self._add(tag, self._tensor_proto("DT_STRING", (), string_val=[text.encode("utf-8")]), plugin, step, content)

    def flush(self):
        self._records.flush()

    def close(self):
        if not self.closed:
            self._records.flush()
            self._records.close()
            self.closed = True


def _hostname():
    import socket

    try:
        return socket.gethostname() or "localhost"
    except OSError:  # some sandboxes (and the browser) have no host name
        return "localhost"


def _profile_range(profile_batch):
    """Keras's ``profile_batch`` forms: an int, ``'start,stop'`` or a pair; returns ``(start, stop)``."""
    value = profile_batch
    if isinstance(value, str):
        try:
            value = [int(part) for part in value.split(",")]
        except ValueError:
            raise ValueError(_PROFILE_BATCH_ERROR.format(profile_batch)) from None
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        start = stop = int(value)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        start, stop = value
    else:
        raise ValueError(_PROFILE_BATCH_ERROR.format(profile_batch))
    if start < 0 or stop < start:
        raise ValueError(_PROFILE_BATCH_ERROR.format(profile_batch))
    return start, stop


def _check_frequency(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"`{name}` must be a non-negative integer (0 turns it off). Received: {name}={value!r}")


def _as_scalar(value):
    """A log value as a float for a scalar summary, or ``None`` for text, arrays and other non-scalars."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return float(array.reshape(-1)[0]) if array.size == 1 else None


def _pbtxt_string(text):
    """``text`` quoted as protobuf's text format writes a string (UTF-8 kept, control characters escaped).

    Example:
        >>> print(_pbtxt_string('méta "1".tsv'))
        "méta \\"1\\".tsv"
    """
    escapes = {"\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"', "'": "\\'", "\\": "\\\\"}
    out = []
    for char in text:
        if char in escapes:
            out.append(escapes[char])
        elif ord(char) < 32 or ord(char) == 127:
            out.append(f"\\{ord(char):03o}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


class TensorBoard(Callback):
    """Write what ``fit`` and ``evaluate`` report as TensorBoard event files: view them with
    ``tensorboard --logdir logs`` (or ``%load_ext tensorboard`` then ``%tensorboard --logdir logs`` in a notebook).

    Needs tensorboardX to write the files: ``pip install "kerasnb[tensorboard]"`` (making the callback without
    it raises ``ImportError`` saying so). The layout is Keras's: a ``train`` and a ``validation`` run under
    ``log_dir`` (see :mod:`kerasnb.callbacks.tensorboard` for every tag).

    Args:
        log_dir: the directory to write to; don't share it with other callbacks.
        histogram_freq: every this many epochs (counting from epoch 0), write a histogram of every weight
            (``<weight path>/histogram``); 0 writes none.
        write_graph: write the model's architecture: as Keras's JSON for Sequential and functional models (the
            Graphs tab draws it), as the ``summary()`` text for others.
        write_images: with ``histogram_freq``, also write each weight as an image (``<weight path>/image``).
        write_steps_per_second: also write the training speed, ``epoch_steps_per_second`` (and
            ``batch_steps_per_second`` when writing batches).
        update_freq: ``'epoch'`` writes the metrics once per epoch; ``'batch'`` also writes ``batch_<metric>``
            after every batch, and an integer ``N`` after every ``N``-th batch.
        profile_batch: accepted for compatibility (Keras's forms are checked), but kerasnb does not profile: a
            non-zero value only warns.
        embeddings_freq: every this many epochs, save the weights for TensorBoard's projector (each ``Embedding``
            layer is listed in ``log_dir/projector_config.pbtxt``; needs ``model.save_weights``).
        embeddings_metadata: a file name for every embedding layer, or a dict ``{layer name: file name}``.

    Example:
        >>> import os, tempfile
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> with tempfile.TemporaryDirectory() as log_dir:
        ...     tensorboard = keras.callbacks.TensorBoard(log_dir=log_dir, histogram_freq=1)
        ...     history = model.fit(np.ones((8, 2)), np.ones((8, 1)), epochs=2, verbose=0, validation_split=0.25,
        ...                         callbacks=[tensorboard])
        ...     print(sorted(os.listdir(log_dir)))
        ['train', 'validation']
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0, embeddings_freq=0,
                 embeddings_metadata=None):
        super().__init__()
        _tensorboardx()  # fail now, with what to install, rather than when training starts
        _check_frequency("histogram_freq", histogram_freq)
        _check_frequency("embeddings_freq", embeddings_freq)
        if update_freq == "batch":
            update_freq = 1
        elif update_freq != "epoch" and (
            isinstance(update_freq, bool) or not isinstance(update_freq, (int, np.integer)) or update_freq < 1
        ):
            raise ValueError(
                "`update_freq` must be 'epoch', 'batch' or a positive integer (write every that many batches). "
                f"Received: update_freq={update_freq!r}"
            )
        if embeddings_metadata is not None and not isinstance(embeddings_metadata, (str, dict)):
            raise ValueError(
                "`embeddings_metadata` must be a file name or a dict {embedding layer name: file name}. "
                f"Received: embeddings_metadata={embeddings_metadata!r}"
            )
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = update_freq
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._start_batch, self._stop_batch = _profile_range(profile_batch)
        if profile_batch and (self._start_batch, self._stop_batch) != (0, 0):
            warnings.warn(
                f"TensorBoard(profile_batch={profile_batch!r}): kerasnb does not profile, so no profile is "
                "written. Everything else is logged as usual.",
                stacklevel=2,
            )
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._writers = {}
        self._global_train_batch = 0
        self._previous_epoch_iterations = 0
        self._epoch_start_time = 0.0
        self._batch_start_time = 0.0
        self._should_write_summary_text = False
        self._in_fit = False

    # -- the two runs, each one event file opened on first use ------------------------------------------------
    def _writer(self, run):
        if run not in self._writers:
            self._writers[run] = _EventFile(self._train_dir if run == "train" else self._val_dir)
        return self._writers[run]

    def _close_writers(self):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # -- the hooks -------------------------------------------------------------------------------------------
    def set_model(self, model):
        """Set the model, start new event files and write its architecture (with ``write_graph``)."""
        super().set_model(model)
        self._close_writers()  # every fit / evaluate / predict writes to files of its own, as in Keras
        self._should_write_summary_text = False
        self._in_fit = False
        if self.write_graph:
            self._write_keras_model_summary()
        if self.embeddings_freq:
            self._configure_embeddings()

    def on_train_begin(self, logs=None):
        self._in_fit = True
        self._global_train_batch = 0
        self._previous_epoch_iterations = 0
        self._writer("train")  # open the train run now, as Keras does

    def on_train_end(self, logs=None):
        self._in_fit = False
        self._close_writers()

    def on_test_begin(self, logs=None):
        self._writer("validation")  # open the validation run now, as Keras does

    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "iterations"):
            step = int(np.asarray(_numpy(optimizer.iterations)))
            for name, value in (logs or {}).items():
                value = _as_scalar(value)
                if value is not None:
                    self._writer("validation").scalar(f"evaluation_{name}_vs_iterations", value, step)
        if self._in_fit:
            self._writer("validation").flush()
        else:  # a model.evaluate() of its own: its files are complete
            self._close_writers()

    def on_predict_end(self, logs=None):
        self._close_writers()  # model.predict() writes only the architecture (with write_graph)

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def on_train_batch_end(self, batch, logs=None):
        if self._should_write_summary_text:
            self._should_write_summary_text = False
            self._write_summary_text()
        if self.update_freq == "epoch" or self._global_train_batch % self.update_freq:
            return
        step = self._global_train_batch
        if self.write_steps_per_second:
            elapsed = time.time() - self._batch_start_time
            self._writer("train").scalar("batch_steps_per_second", 1.0 / elapsed if elapsed > 0 else 0.0, step)
        for name, value in (logs or {}).items():
            value = _as_scalar(value)
            if value is not None:
                self._writer("train").scalar(f"batch_{name}", value, step)

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._previous_epoch_iterations = self._iterations()
            self._epoch_start_time = time.time()

    def on_epoch_end(self, epoch, logs=None):
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._log_embeddings(epoch)
        for writer in self._writers.values():
            writer.flush()  # TensorBoard shows each epoch as soon as it ends

    # -- what gets written ------------------------------------------------------------------------------------
    def _iterations(self):
        optimizer = getattr(self.model, "optimizer", None)
        return float(np.asarray(_numpy(optimizer.iterations))) if optimizer is not None else 0.0

    def _log_epoch_metrics(self, epoch, logs):
        if not logs:
            return
        train_logs = {name: value for name, value in logs.items() if not name.startswith("val_")}
        val_logs = {name[4:]: value for name, value in logs.items() if name.startswith("val_")}
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "learning_rate"):
            from kerasnb.callbacks.learning_rate_scheduler import current_learning_rate

            train_logs["learning_rate"] = current_learning_rate(optimizer)
        if self.write_steps_per_second:
            elapsed = time.time() - self._epoch_start_time
            steps = self._iterations() - self._previous_epoch_iterations
            train_logs["steps_per_second"] = steps / elapsed if elapsed > 0 else 0.0
        for run, run_logs in (("train", train_logs), ("validation", val_logs)):
            for name, value in run_logs.items():
                value = _as_scalar(value)
                if value is not None:
                    self._writer(run).scalar(f"epoch_{name}", value, epoch)

    def _log_weights(self, epoch):
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                name = weight.path.replace(":", "_")
                values = _numpy(weight)
                writer.histogram(f"{name}/histogram", values, epoch)
                if self.write_images:
                    pixels = weight_image(values)
                    if pixels is not None:
                        writer.images(f"{name}/image", pixels, epoch)
        writer.flush()

    def _write_keras_model_summary(self):
        """The architecture as Keras's JSON under the tag ``keras`` (Sequential and functional models), which
        TensorBoard's Graphs tab draws; otherwise the ``summary()`` text, once the model is built."""
        writer = self._writer("train")
        if type(self.model).__name__ in ("Functional", "Sequential"):
            try:
                json_string = self.model.to_json()
            except Exception as exc:  # a model that cannot be serialized must not stop training
                warnings.warn(f"Model failed to serialize as JSON. Ignoring... {exc}", stacklevel=2)
            else:
                writer.text("keras", json_string, 0, plugin="graph_keras_model", content=b"1")
                writer.flush()
                return
        self._should_write_summary_text = True

    def _write_summary_text(self):
        lines = []
        try:
            self.model.summary(print_fn=lines.append)
        except Exception:  # an unbuilt or unusual model: no summary (Keras writes none for such models)
            return
        # Indented four spaces: TensorBoard's text tab renders Markdown, and this keeps the table's columns.
        self._writer("train").text("model_summary", "\n".join("    " + line for line in lines), 0)

    def _configure_embeddings(self):
        """Write ``log_dir/projector_config.pbtxt`` listing the model's Embedding layers (as Keras does)."""
        from kerasnb.layers import Embedding

        metadata = self.embeddings_metadata
        remaining = dict(metadata) if isinstance(metadata, dict) else {}  # Keras empties the caller's dict
        entries = []
        for layer in self.model.layers:
            if not isinstance(layer, Embedding):
                continue
            entry = f"  tensor_name: {_pbtxt_string(_EMBEDDING_TENSOR_NAME)}\n"
            path = metadata if isinstance(metadata, str) else remaining.pop(layer.name, None)
            if path is not None:
                entry += f"  metadata_path: {_pbtxt_string(os.fspath(path))}\n"
            entries.append("embeddings {\n" + entry + "}\n")
        if remaining:
            raise ValueError(
                "Unrecognized `Embedding` layer names passed to `keras.callbacks.TensorBoard` `embeddings_metadata` "
                f"argument: {remaining.keys()}"
            )
        os.makedirs(self.log_dir, exist_ok=True)
        with open(os.path.join(self.log_dir, "projector_config.pbtxt"), "w", encoding="utf-8") as f:
            f.write("".join(entries))

    def _log_embeddings(self, epoch):
        os.makedirs(self._train_dir, exist_ok=True)
        self.model.save_weights(os.path.join(self._train_dir, f"keras_embedding.ckpt-{epoch}.weights.h5"))


def _numpy(value):
    from kerasnb import ops

    return ops.convert_to_numpy(value)
