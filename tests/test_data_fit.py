"""fit / evaluate / predict with a kerasnb.data.Dataset, as the Keras guides use tf.data: the same training as from
arrays, steps_per_epoch and validation_steps with repeat(), and the errors for what cannot work."""

import warnings

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import layers
from kerasnb.data import Dataset
from kerasnb.models.data_adapter import DataAdapter


@pytest.fixture(autouse=True)
def fresh_session():
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    yield


def regression(n=50, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))  # float64, as NumPy makes it: batches are cast to float32 on the way in
    y = x @ rng.normal(size=(4, 1))
    return x, y


def make_model(seed=1, optimizer="adam"):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([layers.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
    return model


def assert_same_weights(a, b):
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-6, atol=1e-7)


class BatchRecorder(keras.callbacks.Callback):
    """Counts the training batches of every epoch, and keeps the `steps` the callbacks were told."""

    def __init__(self):
        super().__init__()
        self.per_epoch = []

    def on_epoch_begin(self, epoch, logs=None):
        self.per_epoch.append(0)

    def on_train_batch_end(self, batch, logs=None):
        self.per_epoch[-1] += 1


# -- the same training as from arrays ------------------------------------------------------------------------------
def test_fit_from_a_dataset_gives_the_same_weights_as_from_arrays():
    x, y = regression(n=50)  # 50 / 16: a smaller last batch
    from_arrays = make_model()
    history_arrays = from_arrays.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    from_dataset = make_model()
    history_dataset = from_dataset.fit(Dataset.from_tensor_slices((x, y)).batch(16), epochs=3, verbose=0)
    assert_same_weights(from_dataset, from_arrays)
    np.testing.assert_allclose(history_dataset.history["loss"], history_arrays.history["loss"], rtol=1e-6)
    assert not np.allclose(make_model().get_weights()[0], from_dataset.get_weights()[0])  # it did train


def test_shuffle_true_does_not_reshuffle_a_dataset():
    x, y = regression(n=48)
    from_arrays = make_model()
    from_arrays.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    from_dataset = make_model()
    from_dataset.fit(Dataset.from_tensor_slices((x, y)).batch(16), epochs=2, shuffle=True, verbose=0)
    assert_same_weights(from_dataset, from_arrays)


def test_a_shuffled_dataset_trains_the_same_after_set_random_seed():
    x, y = regression(n=64)
    runs = []
    for _ in range(2):
        keras.utils.set_random_seed(5)
        dataset = Dataset.from_tensor_slices((x, y)).shuffle(64).batch(16)
        model = make_model()
        model.fit(dataset, epochs=3, verbose=0)
        runs.append(model)
    assert_same_weights(runs[0], runs[1])
    keras.utils.set_random_seed(6)
    other = make_model()
    other.fit(Dataset.from_tensor_slices((x, y)).shuffle(64).batch(16), epochs=3, verbose=0)
    assert not np.allclose(other.get_weights()[0], runs[0].get_weights()[0])


def test_sample_weights_and_class_weights_in_a_dataset_match_arrays():
    x, y = regression(n=32)
    sw = np.linspace(0.0, 2.0, 32)
    from_arrays = make_model()
    from_arrays.fit(x, y, sample_weight=sw, batch_size=8, epochs=2, shuffle=False, verbose=0)
    from_dataset = make_model()
    from_dataset.fit(Dataset.from_tensor_slices((x, y, sw)).batch(8), epochs=2, verbose=0)
    assert_same_weights(from_dataset, from_arrays)

    labels = np.arange(32) % 2

    def classifier():
        keras.utils.set_random_seed(2)
        model = keras.Sequential([layers.Input((4,)), layers.Dense(2, activation="softmax")])
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        return model

    weighted_arrays, weighted_dataset = classifier(), classifier()
    weighted_arrays.fit(x, labels, class_weight={0: 1.0, 1: 4.0}, batch_size=8, shuffle=False, verbose=0)
    weighted_dataset.fit(Dataset.from_tensor_slices((x, labels)).batch(8), class_weight={0: 1.0, 1: 4.0}, verbose=0)
    assert_same_weights(weighted_dataset, weighted_arrays)


def test_dict_inputs_from_a_dataset():
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    out = layers.Dense(1)(layers.Dense(4)(a) + layers.Dense(4)(b))
    rng = np.random.default_rng(3)
    xs = {"a": rng.random((20, 3)), "b": rng.random((20, 2))}
    y = rng.random((20, 1))
    keras.utils.set_random_seed(4)
    model = keras.Model({"a": a, "b": b}, out)
    model.compile(optimizer="sgd", loss="mse")
    start = model.get_weights()
    model.fit(xs, y, batch_size=5, shuffle=False, epochs=2, verbose=0)
    expected = model.get_weights()
    model.set_weights(start)
    model.compile(optimizer="sgd", loss="mse")  # a fresh optimizer, as for the first run
    model.fit(Dataset.from_tensor_slices((xs, y)).batch(5), epochs=2, verbose=0)
    for got, want in zip(model.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    assert model.predict(Dataset.from_tensor_slices(xs).batch(8), verbose=0).shape == (20, 1)


# -- the guide's examples ---------------------------------------------------------------------------------------------
def test_the_guides_examples_run():
    rng = np.random.default_rng(0)
    data, labels = rng.random((1000, 32)), rng.random((1000, 10))
    val_data, val_labels = rng.random((100, 32)), rng.random((100, 10))
    model = keras.Sequential([layers.Input((32,)), layers.Dense(16, activation="relu"), layers.Dense(10)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])

    dataset = keras.data.Dataset.from_tensor_slices((data, labels))
    dataset = dataset.batch(32)
    recorder = BatchRecorder()
    model.fit(dataset, epochs=2, verbose=0, callbacks=[recorder])
    assert recorder.per_epoch == [32, 32]  # ceil(1000 / 32): one pass per epoch
    assert recorder.params["steps"] == 32  # the progress bar knows the total, from cardinality()

    dataset = dataset.repeat()
    recorder = BatchRecorder()
    model.fit(dataset, epochs=3, steps_per_epoch=30, verbose=0, callbacks=[recorder])
    assert recorder.per_epoch == [30, 30, 30] and recorder.params["steps"] == 30

    val_dataset = keras.data.Dataset.from_tensor_slices((val_data, val_labels)).batch(32).repeat()
    history = model.fit(dataset, epochs=2, steps_per_epoch=30, validation_data=val_dataset, validation_steps=3,
                        verbose=0)
    assert sorted(history.history) == ["loss", "mae", "val_loss", "val_mae"] and len(history.history["loss"]) == 2

    loss, mae = model.evaluate(dataset, steps=30, verbose=0)
    assert np.isfinite(loss) and np.isfinite(mae)
    assert model.predict(dataset, steps=30, verbose=0).shape == (30 * 32, 10)


def test_validation_on_a_finite_dataset_equals_evaluate_on_the_arrays():
    x, y = regression(n=40)
    xv, yv = regression(n=20, seed=1)
    model = make_model()
    history = model.fit(Dataset.from_tensor_slices((x, y)).batch(8), epochs=1, verbose=0,
                        validation_data=Dataset.from_tensor_slices((xv, yv)).batch(6))
    logs = model.evaluate(xv, yv, batch_size=6, verbose=0, return_dict=True)
    assert history.history["val_loss"][0] == pytest.approx(logs["loss"], rel=1e-6)
    assert history.history["val_mae"][0] == pytest.approx(logs["mae"], rel=1e-6)


def test_evaluate_and_predict_with_datasets_match_arrays():
    x, y = regression(n=30)
    model = make_model()
    from_arrays = model.evaluate(x, y, batch_size=7, verbose=0)
    from_dataset = model.evaluate(Dataset.from_tensor_slices((x, y)).batch(7), verbose=0)
    np.testing.assert_allclose(from_dataset, from_arrays, rtol=1e-6)
    np.testing.assert_allclose(model.predict(Dataset.from_tensor_slices(x).batch(7), verbose=0),
                               model.predict(x, batch_size=7, verbose=0), rtol=1e-6)
    with_labels = model.predict(Dataset.from_tensor_slices((x, y)).batch(7), verbose=0)  # y is ignored
    assert with_labels.shape == (30, 1)


def test_steps_on_a_finite_dataset_continue_into_a_fresh_pass():
    batches = Dataset.range(10).map(lambda i: np.full((1, 4), float(i)))  # 10 one-row batches, made by map
    adapter = DataAdapter(batches, steps=4)
    firsts = []
    for _ in range(3):
        firsts.append([float(x[0, 0]) for x, _, _ in adapter])
        adapter.on_epoch_end()
    assert firsts == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 1]]
    assert not adapter.exhausted


def test_an_unknown_length_is_learned_after_the_first_epoch():
    x, y = regression(n=40)
    dataset = Dataset.from_tensor_slices((x, y)).batch(8).filter(lambda xb, yb: True)
    adapter = DataAdapter(dataset)
    assert adapter.num_batches is None
    assert len(list(adapter)) == 5 and adapter.num_batches == 5
    model = make_model()
    recorder = BatchRecorder()
    model.fit(dataset, epochs=2, verbose=0, callbacks=[recorder])
    assert recorder.per_epoch == [5, 5]


def test_the_adapter_uses_cardinality_and_casts_floats():
    x, y = regression(n=20)
    adapter = DataAdapter(Dataset.from_tensor_slices((x, y)).batch(6))
    assert adapter.num_batches == 4
    batches = list(adapter)
    assert [b[0].shape[0] for b in batches] == [6, 6, 6, 2]
    assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.float32
    assert DataAdapter(Dataset.from_tensor_slices((x, y)).batch(6).repeat(), steps=7).num_batches == 7


# -- the errors -------------------------------------------------------------------------------------------------------
def test_an_endless_dataset_needs_steps():
    x, y = regression(n=16)
    endless = Dataset.from_tensor_slices((x, y)).batch(4).repeat()
    finite = Dataset.from_tensor_slices((x, y)).batch(4)
    model = make_model()
    with pytest.raises(ValueError, match=r"infinitely repeating dataset.*`steps_per_epoch`.*steps_per_epoch=None"):
        model.fit(endless, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"`validation_steps`.*validation_steps=None"):
        model.fit(finite, epochs=1, verbose=0, validation_data=endless)
    with pytest.raises(ValueError, match=r"please specify a `steps` value"):
        model.evaluate(endless, verbose=0)
    with pytest.raises(ValueError, match=r"please specify a `steps` value"):
        model.predict(endless, verbose=0)


def test_y_and_sample_weight_with_a_dataset_raise_as_for_generators():
    x, y = regression(n=16)
    dataset = Dataset.from_tensor_slices((x, y)).batch(4)
    model = make_model()
    with pytest.raises(ValueError, match="When providing `x` as a Dataset, `y` should not be passed"):
        model.fit(dataset, y, verbose=0)
    with pytest.raises(ValueError, match="`sample_weight` should not be passed"):
        model.evaluate(dataset, sample_weight=np.ones(16), verbose=0)


def test_validation_split_with_a_dataset_raises_keras_error():
    x, y = regression(n=16)
    with pytest.raises(ValueError, match="`validation_split` is only supported for tensors or NumPy arrays"):
        make_model().fit(Dataset.from_tensor_slices((x, y)).batch(4), validation_split=0.2, verbose=0)


def test_an_unbatched_dataset_says_to_batch_it():
    x, y = regression(n=16)
    model = make_model()
    with pytest.raises(ValueError, match=r"`x` yields single samples.*\.batch\(batch_size\)"):
        model.fit(Dataset.from_tensor_slices((x, y)), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"`validation_data` yields single samples"):
        model.fit(x, y, validation_data=Dataset.from_tensor_slices((x, y)), verbose=0)
    with pytest.raises(ValueError, match=r"single samples"):
        model.predict(Dataset.from_tensor_slices(x).shuffle(16).filter(lambda row: row[0] > 0), verbose=0)
    # a batched dataset that was unbatched and rebatched is fine
    model.fit(Dataset.from_tensor_slices((x, y)).batch(3).unbatch().batch(8), epochs=1, verbose=0)


def test_an_empty_dataset_warns_that_the_input_ran_out():
    model = make_model()
    empty = Dataset.from_tensor_slices((np.zeros((0, 4)), np.zeros((0, 1)))).batch(4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(empty, epochs=3, verbose=0)
    assert any("ran out of data" in str(w.message) for w in caught)


def test_train_on_batch_does_not_take_a_dataset():
    x, y = regression(n=8)
    with pytest.raises(ValueError, match="must be arrays for a single-batch call"):
        make_model().train_on_batch(Dataset.from_tensor_slices((x, y)).batch(8))
