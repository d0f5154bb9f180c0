"""Keras 3's "customizing what happens in fit()" guide, as written: what ``train_step`` receives, a ``Model``
subclass built as ``CustomModel(inputs, outputs)``, and ``compile()`` without a loss."""

import numpy as np
import pytest

import kerasnb as keras


class Recorder(keras.Model):
    """A functional model that remembers the batches its steps were given."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen = []

    def train_step(self, data):
        self.seen.append(("train", type(data).__name__, len(data) if isinstance(data, tuple) else None))
        return super().train_step(data)

    def test_step(self, data):
        self.seen.append(("test", type(data).__name__, len(data) if isinstance(data, tuple) else None))
        return super().test_step(data)

    def predict_step(self, data):
        self.seen.append(("predict", type(data).__name__, len(data) if isinstance(data, tuple) else None))
        return super().predict_step(data)


def recorder():
    inputs = keras.Input(shape=(3,))
    model = Recorder(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_train_step_gets_x_y_without_weights_and_x_y_sw_with_them():
    x, y = np.ones((4, 3)), np.ones((4, 1))
    model = recorder()
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, validation_data=(x, y))
    assert model.seen == [("train", "tuple", 2), ("test", "tuple", 2)]
    model.seen.clear()
    model.fit(x, y, sample_weight=np.ones(4), batch_size=4, epochs=1, verbose=0)
    model.train_on_batch(x, y)
    assert model.seen == [("train", "tuple", 3), ("train", "tuple", 2)]
    model.seen.clear()
    model.predict(x, verbose=0)
    model.evaluate(x, y, verbose=0)
    assert model.seen == [("predict", "ndarray", None), ("test", "tuple", 2)]


def test_pack_x_y_sample_weight_is_the_inverse_of_unpack():
    pack, unpack = keras.utils.pack_x_y_sample_weight, keras.utils.unpack_x_y_sample_weight
    assert pack("x") == "x" and pack("x", "y") == ("x", "y") and pack("x", "y", "w") == ("x", "y", "w")
    assert pack(["a", "b"]) == (["a", "b"],)  # two inputs, no targets: not mistaken for (x, y)
    for parts in (("x", None, None), ("x", "y", None), ("x", "y", "w"), (["a", "b"], None, None)):
        assert unpack(pack(*parts)) == parts


class CustomModel(keras.Model):
    """The guide's lower-level example, with only tf.GradientTape changed to keras.GradientTape."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
        self.loss_fn = keras.losses.MeanSquaredError()

    def train_step(self, data):
        x, y = data
        with keras.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.loss_fn(y, y_pred)
        trainable_vars = self.trainable_variables
        gradients = tape.gradient(loss, trainable_vars)
        self.optimizer.apply(gradients, trainable_vars)
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]


def test_a_model_subclass_called_with_inputs_and_outputs_is_functional_with_its_overrides():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(4,))
    model = CustomModel(inputs, keras.layers.Dense(1)(inputs))
    assert isinstance(model, keras.models.Functional) and type(model) is CustomModel
    assert model.name.startswith("custom_model")
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Dense"]
    assert len(model.trainable_weights) == 2  # the metrics' variables are not weights
    model.compile(optimizer=keras.optimizers.Adam(0.05))  # no loss: train_step brings its own
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 4)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5], [3.0]], dtype="float32")
    history = model.fit(x, y, batch_size=32, epochs=5, verbose=0)
    assert sorted(history.history) == ["loss", "mae"]
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]
    # A second model of the same class (the class already has Functional among its bases), by keyword.
    again = CustomModel(inputs=inputs, outputs=keras.layers.Dense(2)(inputs), name="again")
    assert again.name == "again" and again.output_shape == (None, 2)


def test_a_plain_subclass_still_builds_from_call_and_rejects_stray_arguments():
    class Plain(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = keras.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    assert not isinstance(Plain(), keras.models.Functional)
    with pytest.raises(TypeError, match="unexpected positional arguments"):
        keras.Model.__init__(Plain(), 3)


def test_compile_without_a_loss_fails_only_when_the_compiled_loss_is_needed():
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="No loss to compute.*no `loss`"):
        model.fit(np.ones((4, 3)), np.ones((4, 1)), verbose=0)
    assert model.predict(np.ones((2, 3)), verbose=0).shape == (2, 1)
