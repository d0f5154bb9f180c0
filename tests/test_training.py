"""compile / fit / evaluate / predict: results, callback order, progress output and the errors users meet."""

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import layers, ops


@pytest.fixture(autouse=True)
def fresh_session():
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    yield


def small_regression(seed=0, n=40):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x @ rng.normal(size=(4, 1))).astype("float32")
    return x, y


def mlp(**kwargs):
    return keras.Sequential([
        layers.Dense(5, activation="relu", name="layer1", input_shape=(4,)),
        layers.Dense(3, activation="relu", name="layer2"),
        layers.Dense(1, name="layer3"),
    ], **kwargs)


# ---------------------------------------------------------------------------------------------------------
# Done-when: fit(shuffle=False) == a hand-written GradientTape loop over the same batches
# ---------------------------------------------------------------------------------------------------------


def test_fit_without_shuffle_matches_a_hand_written_tape_loop():
    x, y = small_regression(n=50)  # 50 / 16: the last batch is smaller
    model, twin = mlp(), mlp()
    twin.set_weights(model.get_weights())
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)

    for _ in range(3):
        for start in range(0, 50, 16):
            xb, yb = x[start:start + 16], y[start:start + 16]
            with keras.GradientTape() as tape:
                loss = ops.mean(ops.square(twin(xb, training=True) - yb))
            grads = tape.gradient(loss, twin.trainable_weights)
            for w, g in zip(twin.trainable_weights, grads):
                w.assign_sub(0.05 * g.numpy())
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_epoch_logs_are_batch_size_weighted_averages():
    x, y = small_regression(n=10)
    model = mlp()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse", metrics=["mae"])
    history = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    pred = model.predict(x, verbose=0)
    assert history.history["loss"][0] == pytest.approx(float(np.mean((pred - y) ** 2)), rel=1e-5)
    assert history.history["mae"][0] == pytest.approx(float(np.mean(np.abs(pred - y))), rel=1e-5)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(
        [history.history["loss"][0], history.history["mae"][0]], rel=1e-5)


# ---------------------------------------------------------------------------------------------------------
# Done-when: the callback order of the seed's trace
# ---------------------------------------------------------------------------------------------------------


class CustomCallback(keras.callbacks.Callback):
    """The seed's callback, recording instead of printing."""

    def __init__(self):
        super().__init__()
        self.events = []

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append("epoch begin")

    def on_epoch_end(self, epoch, logs=None):
        self.events.append("epoch end")

    def on_train_begin(self, logs=None):
        self.events.append("train begin")

    def on_train_end(self, logs=None):
        self.events.append("train end")

    def on_test_begin(self, logs=None):
        self.events.append("test begin")

    def on_test_end(self, logs=None):
        self.events.append("test end")

    def on_predict_begin(self, logs=None):
        self.events.append("predict begin")

    def on_predict_end(self, logs=None):
        self.events.append("predict end")

    def on_train_batch_begin(self, batch, logs=None):
        self.events.append("train batch begin")

    def on_train_batch_end(self, batch, logs=None):
        self.events.append("train batch end")

    def on_test_batch_begin(self, batch, logs=None):
        self.events.append("test batch begin")

    def on_test_batch_end(self, batch, logs=None):
        self.events.append("test batch end")


def test_callback_order_equals_the_seed_trace():
    x = np.random.default_rng(0).random((256, 8)).astype("float32")
    y = np.eye(10, dtype="float32")[np.arange(256) % 10]
    model = keras.Sequential([layers.Dense(10, activation="softmax", input_shape=(8,))])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    cb = CustomCallback()
    model.fit(x, y, batch_size=32, epochs=3, validation_data=(x[:64], y[:64]), callbacks=[cb], verbose=0)
    model.evaluate(x[:160], y[:160], batch_size=32, callbacks=[cb], verbose=0)
    epoch = (["epoch begin"] + ["train batch begin", "train batch end"] * 8 + ["test begin"]
             + ["test batch begin", "test batch end"] * 2 + ["test end", "epoch end"])
    expected = (["train begin"] + epoch * 3 + ["train end", "test begin"]
                + ["test batch begin", "test batch end"] * 5 + ["test end"])
    assert cb.events == expected


def test_progress_output_verbose_1_and_2(capsys):
    x, y = small_regression(n=20)
    model = mlp()
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    model.fit(x, y, batch_size=5, epochs=2, verbose=1)
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert lines[1].startswith("4/4 [==============================] - ") and "/step - loss: " in lines[1]
    assert " - mae: " in lines[1]
    model.fit(x, y, batch_size=5, epochs=1, verbose=2, validation_data=(x, y))
    line = capsys.readouterr().out.strip()
    assert line.startswith("4/4 - ") and line.endswith(tuple("0123456789")) and " - val_mae: " in line


# ---------------------------------------------------------------------------------------------------------
# The API surface
# ---------------------------------------------------------------------------------------------------------


def test_seed_overview_snippets_run():
    model = keras.Sequential()
    model.add(keras.layers.Dense(64, activation='relu'))
    model.add(keras.layers.Dense(64, activation='relu'))
    model.add(keras.layers.Dense(10, activation='softmax'))
    model.compile(optimizer=keras.optimizers.Adam(0.001), loss='categorical_crossentropy', metrics=['accuracy'])
    data = np.random.random((1000, 32))
    labels = np.random.random((1000, 10))
    val_data = np.random.random((100, 32))
    val_labels = np.random.random((100, 10))
    history = model.fit(data, labels, epochs=2, batch_size=32, validation_data=(val_data, val_labels), verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.epoch == [0, 1]
    loss, acc = model.evaluate(data, labels, batch_size=32, verbose=0)
    assert 0 <= acc <= 1 and np.isfinite(loss)
    result = model.predict(data, batch_size=32, verbose=0)
    assert result.shape == (1000, 10) and isinstance(result, np.ndarray)

    inputs = keras.Input(shape=(32,))
    x = keras.layers.Dense(64, activation='relu')(inputs)
    x = keras.layers.Dense(64, activation='relu')(x)
    predictions = keras.layers.Dense(10, activation='softmax')(x)
    model = keras.Model(inputs=inputs, outputs=predictions)
    model.compile(optimizer=keras.optimizers.RMSprop(0.001), loss='categorical_crossentropy', metrics=['accuracy'])
    model.fit(data, labels, batch_size=32, epochs=1, verbose=0)

    model.compile(optimizer=keras.optimizers.Adam(0.01), loss='mse', metrics=['mae'])
    model.compile(optimizer=keras.optimizers.RMSprop(0.01), loss=keras.losses.categorical_crossentropy,
                  metrics=[keras.metrics.categorical_accuracy])
    logs = model.fit(data, labels, epochs=1, verbose=0).history
    assert sorted(logs) == ["categorical_accuracy", "loss"]


def test_accuracy_resolves_from_the_loss_and_shapes():
    x = np.random.default_rng(1).random((32, 4)).astype("float32")
    cases = [
        (1, "binary_crossentropy", (np.arange(32) % 2).reshape(-1, 1), "BinaryAccuracy"),
        (3, "sparse_categorical_crossentropy", np.arange(32) % 3, "SparseCategoricalAccuracy"),
        (3, "categorical_crossentropy", np.eye(3)[np.arange(32) % 3], "CategoricalAccuracy"),
    ]
    for units, loss, y, kind in cases:
        model = keras.Sequential([layers.Dense(units, activation="sigmoid" if units == 1 else "softmax",
                                               input_shape=(4,))])
        model.compile(optimizer="sgd", loss=loss, metrics=["acc"])
        history = model.fit(x, y, epochs=1, verbose=0)
        assert "acc" in history.history
        assert type(model.metrics[-1]).__name__ == kind


def test_multi_input_multi_output_with_dicts_lists_and_loss_weights():
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    h = layers.Dense(8, activation="relu")(layers.Concatenate()([a, b])) if hasattr(layers, "Concatenate") else (
        layers.Dense(8, activation="relu")(a) + layers.Dense(8)(b))
    out_r = layers.Dense(1, name="reg")(h)
    out_c = layers.Dense(2, activation="softmax", name="cls")(h)
    model = keras.Model({"a": a, "b": b}, {"reg": out_r, "cls": out_c})
    model.compile(optimizer="adam", loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                  loss_weights={"reg": 0.5, "cls": 1.0}, metrics={"cls": ["accuracy"]})
    rng = np.random.default_rng(2)
    xs = {"a": rng.random((20, 3)), "b": rng.random((20, 2))}
    ys = {"reg": rng.random((20, 1)), "cls": rng.integers(0, 2, 20)}
    history = model.fit(xs, ys, epochs=2, batch_size=8, verbose=0, validation_split=0.25)
    assert {"loss", "reg_loss", "cls_loss", "cls_accuracy", "val_loss", "val_cls_accuracy"} <= set(history.history)
    logs = model.evaluate(xs, ys, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(0.5 * logs["reg_loss"] + logs["cls_loss"], rel=1e-5)


def test_generators_sequences_sample_and_class_weights():
    x, y = small_regression(n=32)

    def generator():
        while True:
            for i in range(0, 32, 8):
                yield x[i:i + 8], y[i:i + 8]

    class Batches(keras.utils.Sequence):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 8:(i + 1) * 8], y[i * 8:(i + 1) * 8]

    model = mlp()
    model.compile(optimizer="sgd", loss="mse")
    assert len(model.fit(generator(), steps_per_epoch=4, epochs=2, verbose=0).history["loss"]) == 2
    assert len(model.fit(Batches(), epochs=2, verbose=0).history["loss"]) == 2
    weights = np.zeros(32, "float32")
    weights[:8] = 1.0
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    loss_weighted = model.evaluate(x, y, sample_weight=weights, batch_size=32, verbose=0)
    pred = model.predict(x, verbose=0)
    assert loss_weighted == pytest.approx(float(np.sum(((pred - y) ** 2)[:, 0] * weights) / 32), rel=1e-5)
    clf = keras.Sequential([layers.Dense(2, activation="softmax", input_shape=(4,))])
    clf.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    clf.fit(x, np.arange(32) % 2, class_weight={0: 1.0, 1: 3.0}, epochs=1, verbose=0)


def test_predict_records_no_graph_and_batch_methods():
    x, y = small_regression(n=12)
    model = mlp()
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    with keras.GradientTape() as tape:
        out = model.predict(x, batch_size=5, verbose=0)
    assert isinstance(out, np.ndarray) and out.shape == (12, 1) and tape.watched_variables() == ()
    loss, mae = model.train_on_batch(x, y)
    assert np.isfinite(loss) and mae >= 0
    assert set(model.test_on_batch(x, y, return_dict=True)) == {"loss", "mae"}
    np.testing.assert_allclose(model.predict_on_batch(x), model(x, training=False).numpy(), rtol=1e-6)


def test_stop_training_ends_after_the_current_batch():
    class StopAtBatch(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.batches = 0

        def on_train_batch_end(self, batch, logs=None):
            self.batches += 1
            if batch == 1:
                self.model.stop_training = True

    x, y = small_regression(n=40)
    model = mlp()
    model.compile(optimizer="sgd", loss="mse")
    cb = StopAtBatch()
    history = model.fit(x, y, batch_size=8, epochs=5, callbacks=[cb], verbose=0)
    assert cb.batches == 2 and history.epoch == [0]


def test_overridden_train_step_is_used():
    class CustomModel(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)
            self.steps = 0

        def call(self, inputs):
            return self.dense(inputs)

        def train_step(self, data):
            self.steps += 1
            return super().train_step(data)

    x, y = small_regression(n=16)
    model = CustomModel()
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    assert model.steps == 8


# ---------------------------------------------------------------------------------------------------------
# Errors users meet first: the Keras exception type, a message naming the argument, values and fix
# ---------------------------------------------------------------------------------------------------------


def test_errors_users_meet_first():
    x, y = small_regression(n=10)
    model = mlp()
    with pytest.raises(ValueError, match=r"must call `compile\(\)` before calling `fit\(\)`"):
        model.fit(x, y)
    with pytest.raises(ValueError, match="Did you mean 'adam'"):
        model.compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="Did you mean 'categorical_crossentropy'"):
        model.compile(optimizer="adam", loss="categorical_crossentropyy")
    with pytest.raises(ValueError, match="Did you mean 'relu'"):
        layers.Dense(3, activation="reluu")
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"x sizes: 10.*y sizes: 9"):
        model.fit(x, y[:9], verbose=0)
    with pytest.raises(ValueError, match="x=None"):
        model.fit(None, None, verbose=0)
    with pytest.raises(ValueError, match="batch_size=0"):
        model.fit(x, y, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match=r"validation_split=1.5"):
        model.fit(x, y, validation_split=1.5, verbose=0)
    with pytest.raises(ValueError, match="epochs=-1"):
        model.fit(x, y, epochs=-1, verbose=0)
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 4"):
        model.predict(np.ones((2, 5)), verbose=0)


def test_integer_labels_with_categorical_crossentropy_suggest_the_fix():
    model = keras.Sequential([layers.Dense(3, activation="softmax", input_shape=(4,))])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy|to_categorical"):
        model.fit(np.ones((6, 4)), np.arange(6) % 3, verbose=0)


def test_vector_valued_metrics_reach_the_logs_as_arrays():
    x = np.random.default_rng(3).random((16, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[np.arange(16) % 3]
    model = keras.Sequential([layers.Dense(3, activation="softmax", input_shape=(4,))])
    model.compile(optimizer="sgd", loss="categorical_crossentropy",
                  metrics=[keras.metrics.F1Score(average=None)])
    history = model.fit(x, y, epochs=1, verbose=0)
    assert np.asarray(history.history["f1_score"][0]).shape == (3,)
