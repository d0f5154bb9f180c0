"""Regularizers: Keras's penalty formulas, their gradients through a GradientTape, names and configs."""

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import optimizers, regularizers

W = np.array([[0.5, -1.5], [2.0, 0.0], [-0.25, 3.0]], "float32")


def penalty_and_gradient(reg, value=W):
    w = keras.Variable(value, dtype=value.dtype)
    with keras.GradientTape() as tape:
        penalty = reg(w)
    return penalty, tape.gradient(penalty, w)


@pytest.mark.usefixtures("array_backend")
def test_values_are_keras_formulas():
    w = keras.ops.convert_to_tensor(W)
    for reg, want in [
        (regularizers.L1(0.1), 0.1 * np.abs(W).sum()),
        (regularizers.L2(0.1), 0.1 * (W**2).sum()),
        (regularizers.L1L2(l1=0.1, l2=0.2), 0.1 * np.abs(W).sum() + 0.2 * (W**2).sum()),
        (regularizers.L1L2(), 0.0),
    ]:
        penalty = reg(w)
        assert penalty.shape == () and penalty.dtype == np.float32
        assert float(penalty) == pytest.approx(float(want), rel=1e-6)


def test_defaults():
    assert regularizers.L1().l1 == 0.01
    assert regularizers.L2().l2 == 0.01
    assert (regularizers.L1L2().l1, regularizers.L1L2().l2) == (0.0, 0.0)
    # the functions default both factors to 0.01 (Keras 2's l1_l2), as does the string 'l1_l2'
    assert regularizers.l1_l2().get_config() == {"l1": 0.01, "l2": 0.01}
    assert regularizers.l1_l2(l1=0.5).get_config() == {"l1": 0.5, "l2": 0.01}
    assert regularizers.l1().get_config() == {"l1": 0.01}
    assert regularizers.l2(0.3).get_config() == {"l2": 0.3}
    assert regularizers.L2(None).l2 == 0.01


def test_gradients():
    _, g = penalty_and_gradient(regularizers.L2(0.1))
    np.testing.assert_allclose(g.numpy(), 2 * 0.1 * W, rtol=1e-6)
    _, g = penalty_and_gradient(regularizers.L1(0.1))
    np.testing.assert_allclose(g.numpy(), 0.1 * np.sign(W), rtol=1e-6)  # sign(0) = 0
    _, g = penalty_and_gradient(regularizers.L1L2(0.1, 0.2))
    np.testing.assert_allclose(g.numpy(), 0.1 * np.sign(W) + 0.4 * W, rtol=1e-6)


def test_gradient_check_in_float64(gradcheck):
    x = np.array([[0.7, -1.2], [0.4, 2.2]])
    gradcheck(regularizers.L1L2(0.3, 0.5), x)
    gradcheck(regularizers.L2(0.1), x)


def test_float64_stays_float64():
    penalty, g = penalty_and_gradient(regularizers.L1L2(0.1, 0.1), W.astype("float64"))
    assert penalty.dtype == np.float64 and g.dtype == np.float64


def test_a_penalty_added_to_a_loss_decays_the_weight():
    w = keras.Variable([1.0, -2.0])
    reg = regularizers.L2(0.5)
    optimizers.SGD(learning_rate=0.1).minimize(lambda: reg(w), [w])
    np.testing.assert_allclose(w.numpy(), [1.0 - 0.1 * 1.0, -2.0 + 0.1 * 2.0], rtol=1e-6)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "0.1", True])
def test_invalid_factors(bad):
    with pytest.raises(ValueError, match="non-negative"):
        regularizers.L1(bad)
    with pytest.raises(ValueError, match="non-negative"):
        regularizers.L1L2(l2=bad)


# -- get, serialize, config ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, config",
    [("l1", {"l1": 0.01}), ("l2", {"l2": 0.01}), ("l1_l2", {"l1": 0.01, "l2": 0.01}), ("L1", {"l1": 0.01}),
     ("L2", {"l2": 0.01}), ("L1L2", {"l1": 0.0, "l2": 0.0})],
)  # fmt: skip
def test_get_by_name(name, config):
    reg = regularizers.get(name)
    assert isinstance(reg, regularizers.Regularizer)
    assert reg.get_config() == config


def test_get_other_identifiers():
    assert regularizers.get(None) is None
    reg = regularizers.L2(0.2)
    assert regularizers.get(reg) is reg
    assert isinstance(regularizers.get(regularizers.L1), regularizers.L1)
    assert regularizers.get({"class_name": "L1L2", "config": {"l1": 0.1, "l2": 0.0}}).get_config() == {
        "l1": 0.1,
        "l2": 0.0,
    }

    def fn(x):
        return keras.ops.sum(x)

    assert regularizers.get(fn) is fn


def test_get_suggests_the_closest_name():
    with pytest.raises(ValueError, match=r"'l1_l3'\. Did you mean 'l1_l2'\?"):
        regularizers.get("l1_l3")
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier"):
        regularizers.get(0.01)


@pytest.mark.parametrize("reg", [regularizers.L1(0.2), regularizers.L2(0.3), regularizers.L1L2(0.1, 0.4)])
def test_config_round_trip(reg):
    again = type(reg).from_config(reg.get_config())
    assert again.get_config() == reg.get_config()
    config = regularizers.serialize(reg)
    assert config["module"] == "keras.regularizers" and config["class_name"] == type(reg).__name__
    assert regularizers.deserialize(config).get_config() == reg.get_config()


def test_custom_regularizer():
    class Sum(regularizers.Regularizer):
        def __init__(self, factor):
            self.factor = factor

        def __call__(self, x):
            return self.factor * keras.ops.sum(x)

        def get_config(self):
            return {"factor": self.factor}

    penalty, g = penalty_and_gradient(Sum(2.0))
    assert float(penalty) == pytest.approx(2.0 * W.sum())
    np.testing.assert_allclose(g.numpy(), np.full(W.shape, 2.0))
    assert regularizers.deserialize(regularizers.serialize(Sum(3.0)), custom_objects={"Sum": Sum}).factor == 3.0


def test_serialize_none_and_named_functions():
    assert regularizers.serialize(None) is None

    def total(x):
        return keras.ops.sum(x)

    config = regularizers.serialize(total)
    assert config["class_name"] == "function" and config["config"] == "total"
    assert regularizers.deserialize(config, custom_objects={"total": total}) is total
    with pytest.raises(ValueError, match="custom_objects"):
        regularizers.get(config)
