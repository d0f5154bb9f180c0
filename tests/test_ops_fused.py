"""The fused ops of the training hot path: ``dense_bias_activation`` (a Dense layer as one op) and the three
cross-entropies (``kerasnb.ops.crossentropy``). Each is checked against the chain of small ops it replaces (values
and gradients), against finite differences in float64, and at the edges (clipping, extreme logits, errors);
and the layers and losses that use them against the unfused path."""

import warnings

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import ops
from kerasnb.ops.nn import dense_bias_activation

pytestmark = pytest.mark.usefixtures("array_backend")

ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh", "softmax"]


def _chain(x, kernel, bias, activation):
    z = ops.matmul(x, kernel)
    if bias is not None:
        z = z + bias
    return {"linear": lambda t: t, "relu": ops.relu, "sigmoid": ops.sigmoid, "tanh": ops.tanh,
            "softmax": ops.softmax}[activation](z)


# -- dense_bias_activation ------------------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("x_shape", [(5, 3), (2, 4, 3), (3,)])
@pytest.mark.parametrize("use_bias", [True, False])
def test_dense_matches_the_chain_it_replaces(activation, x_shape, use_bias, rng, tape_grads):
    x = rng.normal(size=x_shape)
    kernel = rng.normal(size=(3, 4))
    bias = rng.normal(size=(4,)) if use_bias else None
    inputs = [x, kernel] + ([bias] if use_bias else [])

    def fused(x, kernel, *b):
        return dense_bias_activation(x, kernel, b[0] if b else None, activation) * ops.arange(1.0, 5.0, dtype="float64")

    def chain(x, kernel, *b):
        return _chain(x, kernel, b[0] if b else None, activation) * ops.arange(1.0, 5.0, dtype="float64")

    got, got_grads = tape_grads(fused, *inputs)
    want, want_grads = tape_grads(chain, *inputs)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12, atol=1e-14)
    for g, w in zip(got_grads, want_grads):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dense_gradients_against_finite_differences(activation, rng, away_from_zero, gradcheck):
    x = away_from_zero((4, 3))
    kernel = rng.normal(size=(3, 5))
    bias = rng.normal(size=(5,))
    gradcheck(lambda x, k, b: dense_bias_activation(x, k, b, activation), x, kernel, bias)


def test_dense_in_float32_stays_float32_and_records_one_node():
    x = keras.Variable(np.ones((2, 3), "float32"))
    kernel = keras.Variable(np.full((3, 4), 0.5, "float32"))
    with keras.GradientTape() as tape:
        y = dense_bias_activation(x, kernel, np.zeros(4, "float32"), "sigmoid")
    assert y.dtype == np.float32
    assert type(y.node).__name__ == "DenseBiasActivation"
    grads = tape.gradient(y, [x, kernel])
    assert all(g.dtype == np.float32 for g in grads)


def test_dense_outside_a_tape_keeps_no_graph():
    y = dense_bias_activation(np.ones((2, 3), "float32"), np.ones((3, 2), "float32"), None, "relu")
    assert y.node is None


def test_dense_errors_name_the_argument():
    with pytest.raises(ValueError, match="activation"):
        dense_bias_activation(np.ones((2, 3)), np.ones((3, 2)), None, "gelu")
    with pytest.raises(ValueError, match=r"kernel.*shape \(3, units\)"):
        dense_bias_activation(np.ones((2, 3)), np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"bias.*\(2,\)"):
        dense_bias_activation(np.ones((2, 3)), np.ones((3, 2)), np.ones(3))


def test_dense_sigmoid_is_accurate_far_into_the_tails():
    x = np.array([[-80.0], [-20.0], [0.0], [20.0], [80.0]], "float32")
    y = dense_bias_activation(x, np.ones((1, 1), "float32"), None, "sigmoid").numpy()[:, 0]
    want = 1 / (1 + np.exp(-x[:, 0].astype("float64")))
    np.testing.assert_allclose(y, want, rtol=1e-6, atol=0)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "softmax", None])
def test_dense_layer_gives_what_the_unfused_path_gives(activation, rng):
    x = rng.normal(size=(6, 5)).astype("float32")
    y_true = rng.normal(size=(6, 3)).astype("float32")
    layer = keras.layers.Dense(3, activation=activation)
    layer.build((None, 5))
    with keras.GradientTape() as tape:
        y = layer(x)
        loss = ops.sum((y - y_true) ** 2)
    grads = tape.gradient(loss, layer.trainable_weights)
    with keras.GradientTape() as tape:
        y_ref = _chain(x, layer.kernel, layer.bias, activation or "linear")
        loss_ref = ops.sum((y_ref - y_true) ** 2)
    ref_grads = tape.gradient(loss_ref, layer.trainable_weights)
    np.testing.assert_allclose(y.numpy(), y_ref.numpy(), rtol=1e-6, atol=1e-7)
    for g, r in zip(grads, ref_grads):
        np.testing.assert_allclose(g.numpy(), r.numpy(), rtol=1e-5, atol=1e-6)


def test_dense_with_one_softmax_unit_still_warns():
    layer = keras.layers.Dense(1, activation="softmax")
    with pytest.warns(UserWarning, match="always 1.0"):
        layer(np.ones((2, 3), "float32"))


def test_dense_with_a_custom_activation_takes_the_plain_path():
    layer = keras.layers.Dense(2, activation=lambda t: t * 2.0, kernel_initializer="ones")
    np.testing.assert_allclose(layer(np.ones((1, 3), "float32")).numpy(), [[6.0, 6.0]])


# -- cross-entropies ------------------------------------------------------------------------------------------
EPS = 1e-7


def _np_bce(t, y):
    p = np.clip(y, EPS, 1 - EPS)
    return -(t * np.log(p) + (1 - t) * np.log1p(-p))


def _np_cce(t, y, axis=-1):
    p = np.clip(y / y.sum(axis=axis, keepdims=True), EPS, 1 - EPS)
    return -(t * np.log(p)).sum(axis=axis)


def _np_log_softmax(z, axis=-1):
    s = z - z.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def test_binary_crossentropy_values(rng, assert_close):
    t = rng.uniform(size=(4, 3))
    y = rng.uniform(0.05, 0.95, size=(4, 3))
    assert_close(ops.binary_crossentropy(t, y), _np_bce(t, y), rtol=1e-12)
    z = rng.normal(scale=3, size=(4, 3))
    assert_close(ops.binary_crossentropy(t, z, from_logits=True), _np_bce(t, 1 / (1 + np.exp(-z))), rtol=1e-10)


def test_binary_crossentropy_from_logits_is_finite_and_exact_at_extremes(assert_close):
    z = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    t = np.array([1.0, 1.0, 0.0, 0.0, 0.0])
    assert_close(ops.binary_crossentropy(t, z, from_logits=True), [1000.0, 50.0, np.log(2), 50.0, 1000.0])


@pytest.mark.parametrize("from_logits", [False, True])
def test_binary_crossentropy_gradients(from_logits, rng, gradcheck):
    t = rng.uniform(size=(3, 4))
    y = rng.normal(size=(3, 4)) if from_logits else rng.uniform(0.05, 0.95, size=(3, 4))
    gradcheck(lambda t, y: ops.binary_crossentropy(t, y, from_logits=from_logits), t, y)


def test_binary_crossentropy_has_no_gradient_where_clipped(tape_grads):
    _, (dt, dy) = tape_grads(ops.binary_crossentropy, np.array([1.0, 0.0, 1.0]), np.array([0.0, 1.0, 0.5]))
    np.testing.assert_array_equal(dy.numpy()[:2], [0.0, 0.0])
    np.testing.assert_allclose(dy.numpy()[2], -2.0)
    assert np.all(np.isfinite(dt.numpy()))


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_categorical_crossentropy_values(axis, rng, assert_close):
    t = rng.uniform(size=(4, 5))
    y = rng.uniform(0.05, 1.0, size=(4, 5))
    assert_close(ops.categorical_crossentropy(t, y, axis=axis), _np_cce(t, y, axis), rtol=1e-12)
    z = rng.normal(scale=3, size=(4, 5))
    want = -(t * _np_log_softmax(z, axis)).sum(axis=axis)
    assert_close(ops.categorical_crossentropy(t, z, from_logits=True, axis=axis), want, rtol=1e-12)


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("axis", [-1, 1])
def test_categorical_crossentropy_gradients(from_logits, axis, rng, gradcheck):
    t = rng.uniform(size=(2, 4, 3))
    y = rng.normal(size=(2, 4, 3)) if from_logits else rng.uniform(0.05, 1.0, size=(2, 4, 3))
    gradcheck(lambda t, y: ops.categorical_crossentropy(t, y, from_logits=from_logits, axis=axis), t, y)


def test_categorical_crossentropy_gradient_matches_the_chain_where_probabilities_are_clipped(tape_grads):
    # One class at probability ~1 and one at 0: the clip is active on both sides.
    t = np.array([[0.2, 0.3, 0.5], [0.0, 1.0, 0.0]])
    y = np.array([[0.0, 1e-9, 1.0], [0.3, 0.3, 0.4]])

    def chain(t, y):
        p = ops.clip(y / ops.sum(y, axis=-1, keepdims=True), EPS, 1 - EPS)
        return -ops.sum(t * ops.log(p), axis=-1)

    got, got_grads = tape_grads(ops.categorical_crossentropy, t, y)
    want, want_grads = tape_grads(chain, t, y)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)
    for g, w in zip(got_grads, want_grads):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_categorical_crossentropy_equals_the_one_hot_form(from_logits, rng, tape_grads):
    labels = np.array([[0, 2], [1, 1], [2, 0]])
    y = rng.normal(size=(3, 2, 3)) if from_logits else rng.uniform(0.05, 1.0, size=(3, 2, 3))
    one_hot = np.eye(3)[labels]
    got, (g,) = tape_grads(lambda y: ops.sparse_categorical_crossentropy(labels, y, from_logits), y)
    want, (w,) = tape_grads(lambda y: ops.categorical_crossentropy(one_hot, y, from_logits), y)
    assert got.shape == (3, 2)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)
    np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_categorical_crossentropy_gradients(from_logits, rng, gradcheck):
    labels = np.array([2, 0, 1, 1])
    y = rng.normal(size=(4, 3)) if from_logits else rng.uniform(0.05, 1.0, size=(4, 3))
    gradcheck(lambda y: ops.sparse_categorical_crossentropy(labels, y, from_logits=from_logits), y)


def test_sparse_categorical_crossentropy_label_shapes_and_errors(assert_close):
    y = np.array([[0.25, 0.75], [0.5, 0.5]])
    assert_close(ops.sparse_categorical_crossentropy([[1], [0]], y), [-np.log(0.75), -np.log(0.5)])
    assert_close(ops.sparse_categorical_crossentropy([1, 0], y.T, axis=0), [-np.log(0.75), -np.log(0.5)])
    with pytest.raises(ValueError, match="label 2 is outside"):
        ops.sparse_categorical_crossentropy([2, 0], y)
    with pytest.raises(ValueError, match="without its class axis"):
        ops.sparse_categorical_crossentropy([0, 1, 1], y)


def test_crossentropies_reject_mismatched_shapes():
    with pytest.raises(ValueError, match=r"target.shape=\(2,\), output.shape=\(3,\)"):
        ops.binary_crossentropy([0.0, 1.0], [0.5, 0.5, 0.5])
    with pytest.raises(ValueError, match="same shape"):
        ops.categorical_crossentropy([[0.0, 1.0]], [[0.2, 0.3, 0.5]])


def test_crossentropies_are_in_keras_ops_nn_too():
    assert ops.nn.categorical_crossentropy is ops.categorical_crossentropy
    assert ops.nn.sparse_categorical_crossentropy is ops.sparse_categorical_crossentropy
    assert ops.nn.binary_crossentropy is ops.binary_crossentropy


# -- what the training loop relies on -------------------------------------------------------------------------
def test_a_training_step_of_a_dense_stack_records_few_nodes():
    """The W4 workload's step: three fused dense ops and one cross-entropy carry the whole graph."""
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    x = np.ones((2, 4), "float32")
    y = np.eye(3, dtype="float32")[[0, 2]]
    with keras.GradientTape() as tape:
        loss = keras.losses.CategoricalCrossentropy()(y, model(x))
    nodes, stack, seen = [], [loss], set()
    while stack:
        t = stack.pop()
        if t.node is not None and id(t) not in seen:
            seen.add(id(t))
            nodes.append(type(t.node).__name__)
            stack.extend(t.node.inputs)
    assert sorted(nodes) == sorted(["DenseBiasActivation"] * 2 + ["CategoricalCrossentropy", "Sum", "Divide"])
    assert all(g is not None for g in tape.gradient(loss, model.trainable_weights))


def test_mean_metric_fast_path_matches_the_general_path():
    fast, general = keras.metrics.Mean(), keras.metrics.Mean()
    for value, weight in [(2.0, 3), (5.0, 1), (1.5, 0.5)]:
        fast.update_state(ops.convert_to_tensor(value), sample_weight=weight)
        general.update_state(ops.convert_to_tensor(value), sample_weight=[weight])
    np.testing.assert_allclose(float(fast.result()), float(general.result()), rtol=1e-7)
    np.testing.assert_allclose(float(fast.count.numpy()), 4.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(keras.metrics.Mean().result()) == 0.0


def test_freezing_a_layer_between_fits_takes_effect():
    """fit reads the trainable weights once per call: a layer frozen before the next fit stays put."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.random.default_rng(0).normal(size=(16, 3)).astype("float32"), np.ones((16, 1), "float32")
    model.fit(x, y, epochs=1, verbose=0)
    model.layers[0].trainable = False
    frozen = model.layers[0].kernel.numpy()
    last = model.layers[1].kernel.numpy()
    model.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_array_equal(model.layers[0].kernel.numpy(), frozen)
    assert not np.array_equal(model.layers[1].kernel.numpy(), last)


def test_regularization_losses_count_in_every_step_of_fit():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="ones",
                                                                    kernel_regularizer=keras.regularizers.L2(0.5))])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    history = model.fit(np.zeros((4, 2), "float32"), np.zeros((4, 1), "float32"), epochs=2, batch_size=2, verbose=0)
    # mse is 0; the penalty 0.5 * (1 + 1) = 1.0 is the whole loss, on every batch of both epochs.
    np.testing.assert_allclose(history.history["loss"], [1.0, 1.0])
