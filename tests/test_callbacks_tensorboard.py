"""The TensorBoard callback: event files read back with TensorBoard's own reader, in Keras 3's layout.

What is compared with Keras: the directories, tags and steps (seen in files that Keras 3.15.1 with the
TensorFlow backend wrote for the same kind of model), the histogram buckets and the weight images. The literals
below marked "Keras:" were produced with ``tests/reference/keras_callback_expectations.py`` (real Keras, run once
in a separate environment) and pasted here.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import kerasnb as keras
from kerasnb.callbacks.tensorboard import histogram_buckets, weight_image

# Keras: tf.summary.histogram's buckets for np.linspace(-1, 2, 7) and for a seeded normal (5, 4) array,
# flattened rows of [left edge, right edge, count].
HISTOGRAMS = {
    "linear":
        [-1.0, -0.9, 1.0, -0.9, -0.8, 0.0, -0.8, -0.7, 0.0, -0.7, -0.6, 0.0, -0.6, -0.5, 0.0, -0.5,
         -0.3999999999999999, 1.0, -0.3999999999999999, -0.29999999999999993, 0.0, -0.29999999999999993,
         -0.19999999999999996, 0.0, -0.19999999999999996, -0.09999999999999998, 0.0, -0.09999999999999998, 0.0, 0.0,
         0.0, 0.10000000000000009, 1.0, 0.10000000000000009, 0.20000000000000018, 0.0, 0.20000000000000018,
         0.30000000000000004, 0.0, 0.30000000000000004, 0.40000000000000013, 0.0, 0.40000000000000013, 0.5, 0.0, 0.5,
         0.6000000000000001, 1.0, 0.6000000000000001, 0.7000000000000002, 0.0, 0.7000000000000002, 0.8, 0.0, 0.8,
         0.9000000000000001, 0.0, 0.9000000000000001, 1.0, 0.0, 1.0, 1.1, 1.0, 1.1, 1.2000000000000002, 0.0,
         1.2000000000000002, 1.3000000000000003, 0.0, 1.3000000000000003, 1.4000000000000004, 0.0, 1.4000000000000004,
         1.5, 0.0, 1.5, 1.6, 1.0, 1.6, 1.7000000000000002, 0.0, 1.7000000000000002, 1.8000000000000003, 0.0,
         1.8000000000000003, 1.9000000000000004, 0.0, 1.9000000000000004, 2.0, 1.0],
    "random":
        [-2.32503080368042, -2.204063109556834, 1.0, -2.204063109556834, -2.083095415433248, 0.0, -2.083095415433248,
         -1.962127721309662, 0.0, -1.962127721309662, -1.841160027186076, 0.0, -1.841160027186076, -1.72019233306249,
         0.0, -1.72019233306249, -1.5992246389389038, 0.0, -1.5992246389389038, -1.4782569448153178, 0.0,
         -1.4782569448153178, -1.3572892506917318, 0.0, -1.3572892506917318, -1.2363215565681458, 2.0,
         -1.2363215565681458, -1.1153538624445598, 0.0, -1.1153538624445598, -0.9943861683209738, 0.0,
         -0.9943861683209738, -0.8734184741973876, 0.0, -0.8734184741973876, -0.7524507800738016, 0.0,
         -0.7524507800738016, -0.6314830859502156, 2.0, -0.6314830859502156, -0.5105153918266296, 3.0,
         -0.5105153918266296, -0.38954769770304365, 0.0, -0.38954769770304365, -0.26858000357945766, 1.0,
         -0.26858000357945766, -0.14761230945587167, 1.0, -0.14761230945587167, -0.02664461533228568, 1.0,
         -0.02664461533228568, 0.09432307879130031, 1.0, 0.09432307879130031, 0.2152907729148863, 2.0,
         0.2152907729148863, 0.3362584670384723, 0.0, 0.3362584670384723, 0.4572261611620583, 2.0, 0.4572261611620583,
         0.5781938552856447, 0.0, 0.5781938552856447, 0.6991615494092307, 1.0, 0.6991615494092307, 0.8201292435328167,
         0.0, 0.8201292435328167, 0.9410969376564027, 0.0, 0.9410969376564027, 1.0620646317799887, 2.0,
         1.0620646317799887, 1.1830323259035747, 0.0, 1.1830323259035747, 1.3040000200271606, 1.0],
}
# Keras: the weight images of a model with these layers (weights 0.1 * arange): (width, height, shape, pixels).
IMAGES = {
    "conv_a/kernel": (2, 2, [3, 2, 2, 1],
        [0, 76, 153, 229, 25, 102, 178, 255, 51, 127, 204, 255]),
    "conv_a/bias": (1, 3, [1, 3, 1, 1],
        [0, 25, 51]),
    "conv_b/kernel": (3, 2, [2, 2, 3, 4],
        [0, 25, 51, 76, 102, 127, 153, 178, 204, 229, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
         255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
         255, 255, 255]),
    "conv_b/bias": (1, 4, [1, 4, 1, 1],
        [0, 25, 51, 76]),
    "conv_c/kernel": (4, 3, [2, 3, 4, 1],
        [0, 51, 102, 153, 204, 255, 255, 255, 255, 255, 255, 255, 25, 76, 127, 178, 229, 255, 255, 255, 255, 255, 255,
         255]),
    "conv_c/bias": (1, 2, [1, 2, 1, 1],
        [0, 25]),
    "dense_a/kernel": (14, 3, [1, 3, 14, 1],
        [0, 76, 153, 229, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 25, 102, 178, 255, 255, 255, 255, 255,
         255, 255, 255, 255, 255, 255, 51, 127, 204, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255]),
    "dense_a/bias": (1, 3, [1, 3, 1, 1],
        [0, 25, 51]),
    "dense_b/kernel": (1, 3, [1, 3, 1, 1],
        [0, 25, 51]),
}

def tensorboard_reader():
    pytest.importorskip("tensorboardX")
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing import event_accumulator
    from tensorboard.util import tensor_util

    return event_accumulator, tensor_util


def read_run(directory):
    """Every event file of a run read with TensorBoard's EventAccumulator: a list (one per file, oldest first)
    of {tag: (plugin name, [(step, value as a NumPy array), ...])}."""
    event_accumulator, tensor_util = tensorboard_reader()
    files = []
    for name in sorted(os.listdir(directory), key=lambda n: int(n.split(".")[-2])):  # by the file's number
        acc = event_accumulator.EventAccumulator(os.path.join(directory, name),
                                                 size_guidance={event_accumulator.TENSORS: 0})
        acc.Reload()
        assert acc.Tags()["scalars"] == [] and acc.Tags()["histograms"] == []  # TF 2's form: all tensors
        files.append({
            tag: (acc.SummaryMetadata(tag).plugin_data.plugin_name,
                  [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)])
            for tag in acc.Tags()["tensors"]
        })
    return files


def scalars(run, tag):
    plugin, events = run[tag]
    assert plugin == "scalars"
    return [step for step, _ in events], [float(value) for _, value in events]


def as_float32(values):
    return [float(np.float32(v)) for v in values]


def data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 3)).astype("float32")
    return x, rng.random((n, 1)).astype("float32")


def mlp():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu", name="hidden"),
                              keras.layers.Dense(1, name="out")])
    model.compile("sgd", "mse", metrics=["mae"])
    return model


def test_fit_writes_keras_layout_and_the_history_values(tmp_path):
    tensorboard_reader()
    x, y = data()
    model = mlp()
    weights_at_epoch_end = []
    keep = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: weights_at_epoch_end.append({w.path: w.numpy() for w in model.weights}))
    tb = keras.callbacks.TensorBoard(log_dir=tmp_path / "logs", histogram_freq=2)
    history = model.fit(x, y, batch_size=6, epochs=3, validation_split=0.25, verbose=0, callbacks=[keep, tb])
    assert sorted(os.listdir(tmp_path / "logs")) == ["train", "validation"]
    [train] = read_run(tmp_path / "logs" / "train")
    [val] = read_run(tmp_path / "logs" / "validation")

    # Keras: the same tags in the same order (the architecture at step 0, then per epoch: metrics, learning rate).
    histogram_tags = [f"{w}/histogram" for w in ("hidden/kernel", "hidden/bias", "out/kernel", "out/bias")]
    assert list(train) == ["keras", "epoch_loss", "epoch_mae", "epoch_learning_rate", *histogram_tags]
    assert list(val) == ["evaluation_loss_vs_iterations", "evaluation_mae_vs_iterations", "epoch_loss", "epoch_mae"]
    plugin, [(step, text)] = train["keras"]
    assert plugin == "graph_keras_model" and step == 0
    assert json.loads(text.item())["class_name"] == "Sequential"

    for name in ("loss", "mae"):
        assert scalars(train, f"epoch_{name}") == ([0, 1, 2], as_float32(history.history[name]))
        assert scalars(val, f"epoch_{name}") == ([0, 1, 2], as_float32(history.history[f"val_{name}"]))
        # after each epoch's validation, at the optimizer's iterations (3 batches per epoch)
        assert scalars(val, f"evaluation_{name}_vs_iterations") == ([3, 6, 9],
                                                                    as_float32(history.history[f"val_{name}"]))
    assert scalars(train, "epoch_learning_rate") == ([0, 1, 2], [float(np.float32(0.01))] * 3)
    for tag in histogram_tags:
        plugin, events = train[tag]
        assert plugin == "histograms" and [step for step, _ in events] == [0, 2]  # every histogram_freq epochs
        for step, buckets in events:
            weights = weights_at_epoch_end[step][tag.removesuffix("/histogram")]
            np.testing.assert_array_equal(buckets, histogram_buckets(weights))
            assert buckets.shape == (30, 3) and buckets[:, 2].sum() == weights.size


@pytest.mark.parametrize("update_freq, steps", [("batch", [1, 2, 3, 4, 5, 6]), (4, [4]), (2, [2, 4, 6])])
def test_batch_level_scalars(tmp_path, update_freq, steps):
    tensorboard_reader()
    x, y = data(12)
    batch_logs = []
    keep = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: batch_logs.append(logs))
    tb = keras.callbacks.TensorBoard(log_dir=tmp_path, update_freq=update_freq, write_graph=False)
    mlp().fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[keep, tb])
    [train] = read_run(tmp_path / "train")
    assert not (tmp_path / "validation").exists()  # no validation: no validation run (as Keras)
    assert [t for t in train if t.startswith("batch_")] == ["batch_loss", "batch_mae"]
    # step = batches trained so far (counting across epochs, from 1); value = the batch's logs (running means)
    for name in ("loss", "mae"):
        assert scalars(train, f"batch_{name}") == (steps, as_float32([batch_logs[s - 1][name] for s in steps]))


def test_steps_per_second(tmp_path):
    tensorboard_reader()
    x, y = data(12)
    tb = keras.callbacks.TensorBoard(log_dir=tmp_path, write_steps_per_second=True, write_graph=False)
    mlp().fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[tb])
    [train] = read_run(tmp_path / "train")
    steps, values = scalars(train, "epoch_steps_per_second")
    assert steps == [0, 1] and all(v > 0 for v in values)
    assert "batch_steps_per_second" not in train  # Keras writes it only with batch-level logging
    tb = keras.callbacks.TensorBoard(log_dir=tmp_path / "b", write_steps_per_second=True, update_freq="batch")
    mlp().fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[tb])
    [train] = read_run(tmp_path / "b" / "train")
    assert scalars(train, "batch_steps_per_second")[0] == [1, 2, 3]


def test_evaluate_and_predict_write_files_of_their_own(tmp_path):
    tensorboard_reader()
    x, y = data(12)
    model = mlp()
    tb = keras.callbacks.TensorBoard(log_dir=tmp_path)
    model.fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[tb])
    loss, mae = model.evaluate(x, y, batch_size=6, verbose=0, callbacks=[tb])
    model.predict(x, verbose=0, callbacks=[tb])
    # Keras: each run of fit / evaluate / predict opens new event files; evaluate writes its values against the
    # optimizer's iterations (6 after two epochs of three batches) and the architecture again.
    train_files = read_run(tmp_path / "train")
    assert [list(f)[0] for f in train_files] == ["keras", "keras", "keras"]
    [evaluation] = read_run(tmp_path / "validation")
    assert scalars(evaluation, "evaluation_loss_vs_iterations") == ([6], as_float32([loss]))
    assert scalars(evaluation, "evaluation_mae_vs_iterations") == ([6], as_float32([mae]))


def test_histogram_buckets_match_tensorflow():
    np.testing.assert_array_equal(histogram_buckets(np.linspace(-1.0, 2.0, 7, dtype="float32")).reshape(-1),
                                  HISTOGRAMS["linear"])
    random = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    np.testing.assert_array_equal(histogram_buckets(random).reshape(-1), HISTOGRAMS["random"])
    single = histogram_buckets(np.full((3, 2), 0.5))  # Keras: every edge 0.5, the count in the last bucket
    np.testing.assert_array_equal(single[:, :2], 0.5)
    assert single[:, 2].tolist() == [0.0] * 29 + [6.0]
    np.testing.assert_array_equal(histogram_buckets(np.zeros((0,))), np.zeros((30, 3)))


def test_weight_images_match_keras(tmp_path):
    tensorboard_reader()
    from kerasnb.utils.png import read_png

    model = keras.Sequential([keras.Input((5, 5, 1)), keras.layers.Conv2D(3, 2, name="conv_a"),
                              keras.layers.Conv2D(4, 2, name="conv_b"), keras.layers.Reshape((9, 4)),
                              keras.layers.Conv1D(2, 3, name="conv_c"), keras.layers.Flatten(),
                              keras.layers.Dense(3, name="dense_a"), keras.layers.Dense(1, name="dense_b")])
    model.set_weights([np.arange(w.size, dtype="float32").reshape(w.shape) * 0.1 for w in model.get_weights()])
    model.compile("sgd", "mse")
    tb = keras.callbacks.TensorBoard(log_dir=tmp_path, histogram_freq=1, write_images=True, write_graph=False)
    tb.set_model(model)
    tb.on_train_begin()
    tb.on_epoch_end(0, {"loss": 1.0})
    tb.on_train_end()
    [train] = read_run(tmp_path / "train")
    images = {tag.removesuffix("/image"): events for tag, (plugin, events) in train.items() if plugin == "images"}
    assert sorted(images) == sorted(IMAGES)  # dense_b/bias (one number) gets no image, as in Keras
    for name, (width, height, shape, pixels) in IMAGES.items():
        [(step, strings)] = images[name]
        assert step == 0 and strings[:2].tolist() == [str(width).encode(), str(height).encode()]
        decoded = np.stack([read_png(png)[0].reshape(shape[1:]) for png in strings[2:]])
        np.testing.assert_array_equal(decoded, np.array(pixels).reshape(shape), err_msg=name)
        np.testing.assert_array_equal(weight_image(model.get_layer(name.split("/")[0]).weights[
            0 if name.endswith("kernel") else 1].numpy())[:3], decoded)


def test_subclassed_models_get_their_summary_as_text(tmp_path):
    tensorboard_reader()

    class Tiny(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)

        def call(self, x):
            return self.dense(x)

    model = Tiny()
    model.compile("sgd", "mse")
    x, y = data(4)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[keras.callbacks.TensorBoard(log_dir=tmp_path)])
    [train] = read_run(tmp_path / "train")
    assert "keras" not in train  # Keras writes no architecture for subclassed models
    plugin, [(step, text)] = train["model_summary"]
    lines = []
    model.summary(print_fn=lines.append)
    assert plugin == "text" and step == 0 and text.item().decode() == "\n".join("    " + line for line in lines)


def test_embeddings_projector_config(tmp_path):
    pytest.importorskip("tensorboardX")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Embedding(10, 3, name="emb"), keras.layers.Flatten(),
                              keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    metadata = {"emb": "meta.tsv"}
    tb = keras.callbacks.TensorBoard(log_dir=tmp_path, embeddings_freq=1, embeddings_metadata=metadata)
    tb.set_model(model)
    tb.set_model(model)  # Keras empties the caller's dict here, and loses the metadata path the second time
    assert metadata == {"emb": "meta.tsv"}
    # Keras: this layout (protobuf text format), one entry per Embedding layer, the tensor name Keras uses.
    entry = '  tensor_name: "layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE"\n'
    assert (tmp_path / "projector_config.pbtxt").read_text() == (
        "embeddings {\n" + entry + '  metadata_path: "meta.tsv"\n}\n'
    )
    tb = keras.callbacks.TensorBoard(log_dir=tmp_path, embeddings_freq=1, embeddings_metadata={"nope": "m.tsv"})
    with pytest.raises(ValueError) as info:
        tb.set_model(model)
    assert str(info.value) == ("Unrecognized `Embedding` layer names passed to `keras.callbacks.TensorBoard` "
                               "`embeddings_metadata` argument: dict_keys(['nope'])")
    tb = keras.callbacks.TensorBoard(log_dir=tmp_path, embeddings_freq=1, embeddings_metadata='méta "1".tsv')
    tb.set_model(model)  # one file for every layer; quoted as protobuf's text format quotes it
    assert (tmp_path / "projector_config.pbtxt").read_text(encoding="utf-8") == (
        "embeddings {\n" + entry + '  metadata_path: "méta \\"1\\".tsv"\n}\n'
    )
    if hasattr(model, "save_weights"):  # the weights Keras saves for the projector, every embeddings_freq epochs
        tb = keras.callbacks.TensorBoard(log_dir=tmp_path / "w", embeddings_freq=2)
        model.fit(np.arange(8).reshape(2, 4), np.zeros((2, 1)), epochs=3, verbose=0, callbacks=[tb])
        assert sorted(n for n in os.listdir(tmp_path / "w" / "train") if n.endswith(".h5")) == [
            "keras_embedding.ckpt-0.weights.h5", "keras_embedding.ckpt-2.weights.h5"]


def test_arguments_are_checked_with_keras_messages(tmp_path):
    pytest.importorskip("tensorboardX")
    profile_error = ("profile_batch must be a non-negative integer or 2-tuple of positive integers. A pair of "
                     "positive integers signifies a range of batches to profile. Found: {}")
    for bad in (-1, (3, 1), "x", [1, 2, 3]):
        with pytest.raises(ValueError) as info:
            keras.callbacks.TensorBoard(tmp_path, profile_batch=bad)
        assert str(info.value) == profile_error.format(bad)
    for good in (5, "2,4", (1, 3)):  # accepted, but kerasnb does not profile: it says so
        with pytest.warns(UserWarning, match="kerasnb does not profile"):
            keras.callbacks.TensorBoard(tmp_path, profile_batch=good)
    for kwargs in ({"update_freq": "epochs"}, {"update_freq": 0}, {"histogram_freq": -1},
                   {"embeddings_freq": 1.5}, {"embeddings_metadata": 3}):
        name = next(iter(kwargs))
        with pytest.raises(ValueError, match=f"`{name}`.*Received: {name}="):
            keras.callbacks.TensorBoard(tmp_path, **kwargs)


def test_missing_tensorboardx_says_what_to_install(monkeypatch):
    for name in list(sys.modules):
        if name == "tensorboardX" or name.startswith("tensorboardX."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "tensorboardX", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r'pip install "kerasnb\[tensorboard\]"'):
        keras.callbacks.TensorBoard()


@pytest.mark.needs_subprocess
def test_import_kerasnb_loads_neither_tensorboardx_nor_urllib_request():
    code = "import sys, kerasnb; print(sorted(m for m in ('tensorboardX', 'urllib.request') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_seed_callbacks_example_runs_unchanged(tmp_path, monkeypatch, capsys):
    tensorboard_reader()
    monkeypatch.chdir(tmp_path)
    np.random.seed(0)
    # The seed (tf.keras guide), with `import kerasnb as keras` for `tf.keras`:
    model = keras.Sequential([
        keras.layers.Dense(64, activation="relu", input_shape=(32,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.RMSprop(0.01),
                  loss=keras.losses.CategoricalCrossentropy(),
                  metrics=[keras.metrics.CategoricalAccuracy()])
    data = np.random.random((1000, 32))
    labels = np.random.random((1000, 10))
    val_data = np.random.random((100, 32))
    val_labels = np.random.random((100, 10))

    callbacks = [
      # Interrupt training if `val_loss` stops improving for over 2 epochs
      keras.callbacks.EarlyStopping(patience=2, monitor='val_loss'),
      # Write TensorBoard logs to `./logs` directory
      keras.callbacks.TensorBoard(log_dir='./logs')
    ]
    model.fit(data, labels, batch_size=32, epochs=5, callbacks=callbacks,
              validation_data=(val_data, val_labels))

    history = model.history.history
    out = capsys.readouterr().out
    assert out.count("val_loss: ") == len(history["loss"]) <= 5
    losses = history["val_loss"]
    stopped = callbacks[0].stopped_epoch
    if stopped:  # stopped early: the last two epochs did not beat the best before them
        assert len(losses) == stopped + 1 and min(losses[-2:]) >= min(losses[:-2])
    [train] = read_run(tmp_path / "logs" / "train")
    [val] = read_run(tmp_path / "logs" / "validation")
    assert scalars(train, "epoch_categorical_accuracy")[1] == as_float32(history["categorical_accuracy"])
    assert scalars(val, "epoch_loss")[1] == as_float32(history["val_loss"])
