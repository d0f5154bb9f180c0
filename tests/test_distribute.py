"""kerasnb.distribute on the CPU: MirroredStrategy with one replica and with several CPU replicas (the same
arithmetic as several GPUs: split, weighted all-reduce, one update), the seed example, the error messages.
MultiWorkerMirroredStrategy over real MPI is tested by .ci/mpi.sh (tests/mpi/)."""

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import layers
from kerasnb.distribute.strategy import Strategy, shard_bounds


def _data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 10), dtype=np.float32)
    y = (x.sum(axis=1, keepdims=True) > 5).astype("float32")
    return x, y


def _model(strategy=None, seed=1, input_shape=(10,), optimizer="adam"):
    keras.utils.set_random_seed(seed)
    shape = {"input_shape": input_shape} if input_shape else {}
    build = [layers.Dense(16, activation="relu", kernel_regularizer="l2", **shape),
             layers.Dense(1, activation="sigmoid")]
    if strategy is None:
        model = keras.Sequential(build)
        model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.get(optimizer), metrics=["accuracy"])
        return model
    with strategy.scope():
        model = keras.Sequential(build)
        model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.get(optimizer), metrics=["accuracy"])
    return model


def _assert_same_weights(a, b, atol=1e-5):
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_allclose(wa, wb, atol=atol)


def _cpus(n):
    return keras.distribute.MirroredStrategy(devices=[f"/cpu:{i}" for i in range(n)])


# -- scope, get_strategy, has_strategy -----------------------------------------------------------------------
def test_scope_records_the_strategy_and_nests():
    outer, inner = keras.distribute.MirroredStrategy(), _cpus(2)
    assert not keras.distribute.has_strategy()
    default = keras.distribute.get_strategy()
    assert type(default) is Strategy and default.num_replicas_in_sync == 1
    with outer.scope():
        with inner.scope():
            assert keras.distribute.get_strategy() is inner
            model = keras.Sequential([layers.Dense(1, input_shape=(2,))])
        assert keras.distribute.get_strategy() is outer
        model.compile(optimizer="sgd", loss="mse")  # compiled under outer: outer owns it
    assert not keras.distribute.has_strategy()
    assert model.distribute_strategy is outer
    assert keras.Sequential().distribute_strategy is default


def test_repr_and_replicas():
    assert repr(keras.distribute.MirroredStrategy()) == "MirroredStrategy(devices=('/cpu:0',), num_replicas_in_sync=1)"
    strategy = keras.distribute.MirroredStrategy(devices=["CPU:1", "/job:localhost/replica:0/task:0/device:CPU:0"])
    assert strategy.devices == ("/cpu:1", "/cpu:0") and strategy.num_replicas_in_sync == 2


# -- training: one replica is training without a strategy; n CPU replicas are one replica ----------------------
def test_single_replica_trains_exactly_as_without_a_strategy():
    x, y = _data()
    plain = _model()
    h1 = plain.fit(x, y, batch_size=32, epochs=2, verbose=0)  # shuffled: the same seed draws the same orders
    mirrored = _model(keras.distribute.MirroredStrategy())
    h2 = mirrored.fit(x, y, batch_size=32, epochs=2, verbose=0)
    for wa, wb in zip(plain.get_weights(), mirrored.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert h1.history == h2.history


@pytest.mark.parametrize("replicas", [2, 3])
def test_cpu_replicas_match_one_replica_with_the_same_global_batch(replicas):
    x, y = _data()  # 200 samples: 3 batches of 64 and an uneven last one of 8
    one = _model()
    h1 = one.fit(x, y, batch_size=64, epochs=3, shuffle=False, verbose=0)
    many = _model(_cpus(replicas))
    h2 = many.fit(x, y, batch_size=64, epochs=3, shuffle=False, verbose=0)
    _assert_same_weights(one, many)
    # The logged loss and accuracy are the global batch's, not one replica's.
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-5)
    np.testing.assert_allclose(h1.history["accuracy"], h2.history["accuracy"], rtol=1e-6)
    assert not np.allclose(one.get_weights()[0], _model().get_weights()[0])  # it did train


def test_the_loss_is_the_mean_over_the_global_batch_with_uneven_and_empty_shards():
    # 5 samples on 7 replicas: shards of 1,1,1,1,1,0,0; one SGD step must equal the step on all 5.
    x, y = _data(n=5)
    sw = np.arange(1.0, 6.0, dtype="float32")
    one = _model(optimizer="sgd")
    one.train_on_batch(x, y, sample_weight=sw)
    many = _model(_cpus(7), optimizer="sgd")
    many.train_on_batch(x, y, sample_weight=sw)
    _assert_same_weights(one, many, atol=1e-6)
    assert [shard_bounds(5, 7, i) for i in range(7)] == [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 5), (5, 5)]


def test_cpu_replicas_with_a_dataset_sample_weights_and_a_model_built_on_its_first_batch():
    x, y = _data()
    sw = np.random.default_rng(3).random(200).astype("float32")
    dataset = keras.data.Dataset.from_tensor_slices((x, y, sw)).batch(64)
    one = _model(input_shape=None)
    one.fit(dataset, epochs=2, verbose=0)
    many = _model(_cpus(2), input_shape=None)
    many.fit(dataset, epochs=2, verbose=0)
    _assert_same_weights(one, many)


def test_replicas_with_their_own_weight_copies_stay_identical():
    # The GPU path's bookkeeping on NumPy: each replica after the first holds its own copy of the weights and the
    # optimizer's slots, swapped in while it runs, and applies the all-reduced gradients itself.
    x, y = _data()
    one = _model(input_shape=None)
    one.fit(x, y, batch_size=64, epochs=2, shuffle=False, verbose=0)
    strategy = _cpus(3)
    strategy._shares_weights = False
    many = _model(strategy, input_shape=None)
    many.fit(x, y, batch_size=64, epochs=2, shuffle=False, verbose=0)
    _assert_same_weights(one, many)
    variables = many.weights + many.optimizer.variables
    assert len(strategy._states[id(many)]) == 2
    for state in strategy._states[id(many)]:
        assert len(state) == len(variables)
        for v in variables:
            assert state[id(v)] is not v.data  # a copy, not the model's array
            np.testing.assert_array_equal(state[id(v)], v.data)


def test_a_custom_train_step_is_distributed_too():
    class Custom(keras.Sequential):
        def train_step(self, data):
            x, y = data
            with keras.GradientTape() as tape:
                loss = keras.ops.mean(keras.ops.square(self(x, training=True) - y))
            grads = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
            return {"loss": float(loss)}

    def make(strategy):
        keras.utils.set_random_seed(2)
        with strategy.scope():
            model = Custom([layers.Dense(4, activation="tanh", input_shape=(10,)), layers.Dense(1)])
            model.compile(optimizer=keras.optimizers.SGD(0.1))
        return model

    x, y = _data(n=96)
    one, two = make(keras.distribute.MirroredStrategy()), make(_cpus(2))
    one.fit(x, y, batch_size=32, shuffle=False, verbose=0)
    two.fit(x, y, batch_size=32, shuffle=False, verbose=0)
    _assert_same_weights(one, two)


def test_the_seed_example():
    # Keras overview, section 8, with tf.distribute -> keras.distribute and tf.cast -> keras.ops.cast.
    strategy = keras.distribute.MirroredStrategy()
    with strategy.scope():
        model = keras.Sequential()
        model.add(layers.Dense(16, activation='relu', input_shape=(10,)))
        model.add(layers.Dense(1, activation='sigmoid'))
        optimizer = keras.optimizers.SGD(0.2)
        model.compile(loss='binary_crossentropy', optimizer=optimizer)
    model.summary()
    x = np.random.random((1024, 10))
    y = np.random.randint(2, size=(1024, 1))
    x = keras.ops.cast(x, "float32")
    dataset = keras.data.Dataset.from_tensor_slices((x, y))
    dataset = dataset.shuffle(buffer_size=1024).batch(32)
    history = model.fit(dataset, epochs=1, verbose=0)
    assert model.distribute_strategy is strategy and strategy.num_replicas_in_sync == 1
    assert np.isfinite(history.history["loss"][0])


# -- checkpoints: only the chief writes ------------------------------------------------------------------------
class _NotChief(Strategy):
    """A one-replica strategy that says it is not the chief: what worker 1 of a multi-worker run sees."""

    is_chief = False


def test_checkpoints_are_written_by_the_chief_only(tmp_path):
    pytest.importorskip("h5py")
    x, y = _data(n=64)
    for name, strategy in [("chief", keras.distribute.MirroredStrategy()), ("worker", _NotChief())]:
        model = _model(strategy)
        callbacks = [keras.callbacks.ModelCheckpoint(str(tmp_path / f"{name}.weights.h5"), monitor="loss",
                                                     save_weights_only=True),
                     keras.callbacks.BackupAndRestore(str(tmp_path / f"{name}_backup"), delete_checkpoint=False)]
        model.fit(x, y, batch_size=32, epochs=1, verbose=0, callbacks=callbacks)
    assert sorted(os.listdir(tmp_path)) == ["chief.weights.h5", "chief_backup"]


# -- error messages ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("devices, match", [
    ("/cpu:0", "non-empty list"),
    ([], "non-empty list"),
    (["/cpu:0", "/gpu:0"], "all CPUs or all GPUs"),
    (["/cpu:0", "/cpu:0"], "names a device twice"),
    (["/tpu:0"], "'/cpu:0' or '/gpu:1'. Received: '/tpu:0'"),
])
def test_bad_devices_are_named(devices, match):
    with pytest.raises(ValueError, match=match):
        keras.distribute.MirroredStrategy(devices=devices)


@pytest.mark.skipif(importlib.util.find_spec("cupy") is not None, reason="CuPy is installed here")
def test_gpu_devices_without_cupy_say_what_to_install():
    with pytest.raises(RuntimeError, match=r"devices=\['/gpu:0', '/gpu:1'\] needs CuPy.*pip install kerasnb\[gpu"):
        keras.distribute.MirroredStrategy(devices=["/gpu:0", "/gpu:1"])


@pytest.mark.skipif(importlib.util.find_spec("mpi4py") is not None, reason="mpi4py is installed here")
def test_multi_worker_without_mpi4py_says_what_to_install():
    with pytest.raises(ImportError, match=r"pip install mpi4py.*mpirun"):
        keras.distribute.MultiWorkerMirroredStrategy()


@pytest.mark.needs_subprocess
def test_import_kerasnb_imports_neither_mpi4py_nor_cupy():
    code = ("import sys, kerasnb; kerasnb.distribute.MirroredStrategy(devices=['/cpu:0', '/cpu:1']); "
            "print(sorted(m for m in ('mpi4py', 'cupy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
