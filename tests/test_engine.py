"""The engine: Tensor, Variable, GradientTape semantics, recording rules, memory, config, seeding."""

import gc
import subprocess
import sys
import tracemalloc
import weakref

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import ops
from kerasnb.engine.autograd import Op
from kerasnb.engine.tensor import Tensor

# ---------------------------------------------------------------------------------------------------------
# Tensor and Variable
# ---------------------------------------------------------------------------------------------------------


def test_tensor_behaves_like_an_array():
    x = ops.convert_to_tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.shape == (2, 2) and x.ndim == 2 and x.size == 4 and x.dtype == np.float32
    assert isinstance(x.numpy(), np.ndarray)
    np.testing.assert_array_equal(np.asarray(x), [[1, 2], [3, 4]])
    np.testing.assert_array_equal(np.asarray(x, dtype=np.float64), [[1, 2], [3, 4]])
    assert len(x) == 2
    assert [r.shape for r in x] == [(2,), (2,)]
    assert float(x[1, 1]) == 4.0 and int(x[0, 0]) == 1
    assert repr(x[0]) == "<Tensor shape=(2,) dtype=float32 numpy=[1. 2.]>"
    assert "shape=(2, 2)" in repr(x) and "0x" not in repr(x)


def test_python_operators_dispatch_to_ops():
    a = ops.convert_to_tensor([4.0, -9.0])
    b = ops.convert_to_tensor([2.0, 3.0])
    cases = {
        "+": (a + b, [6, -6]), "-": (a - b, [2, -12]), "*": (a * b, [8, -27]), "/": (a / b, [2, -3]),
        "//": (a // b, [2, -3]), "%": (a % b, [0, 0]), "**": (b**2, [4, 9]), "neg": (-a, [-4, 9]),
        "abs": (abs(a), [4, 9]), "radd": (1 + a, [5, -8]), "rsub": (1 - a, [-3, 10]),
        "rmul": (2 * a, [8, -18]), "rtruediv": (36 / a, [9, -4]), "rpow": (2**b, [4, 8]),
        "ndarray+tensor": (np.ones(2, np.float32) + a, [5, -8]),
    }
    for name, (got, want) in cases.items():
        assert isinstance(got, Tensor), name
        np.testing.assert_allclose(got.numpy(), want, err_msg=name)
    m = ops.convert_to_tensor([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose((m @ m).numpy(), [[7, 10], [15, 22]])
    np.testing.assert_array_equal((a > b).numpy(), [True, False])
    np.testing.assert_array_equal((a == 4.0).numpy(), [True, False])
    np.testing.assert_array_equal((a <= b).numpy(), [False, True])
    np.testing.assert_array_equal(((a > 0) & (b > 2)).numpy(), [False, False])
    np.testing.assert_array_equal((~(a > 0)).numpy(), [False, True])


def test_indexing_is_differentiable():
    x = keras.Variable(np.arange(12, dtype=np.float32).reshape(3, 4))
    with keras.GradientTape() as tape:
        y = ops.sum(x[1:, ::2] * 2) + ops.sum(x[[0, 0, 2], 1])
    g = tape.gradient(y, x).numpy()
    expected = np.zeros((3, 4), np.float32)
    expected[1:, ::2] = 2
    expected[0, 1] += 2  # index 0 appears twice: gradients add
    expected[2, 1] += 1
    np.testing.assert_array_equal(g, expected)


def test_variable_assign_and_state():
    v = keras.Variable(np.zeros((2, 3)), name="w")
    assert v.dtype == np.float32 and v.name == "w" and v.trainable and v.shape == (2, 3)
    v.assign(np.ones((2, 3)))
    v.assign_add(np.full((2, 3), 2.0))
    v.assign_sub(ops.ones((2, 3)))
    np.testing.assert_array_equal(v.numpy(), np.full((2, 3), 2.0))
    assert v.dtype == np.float32
    with pytest.raises(ValueError, match=r"shape \(3,\) to variable 'w' of shape \(2, 3\)"):
        v.assign(np.ones(3))
    v.trainable = False
    assert not v.trainable
    assert repr(keras.Variable([1.0, 2.0], name="b")) == (
        "<Variable path=b, shape=(2,), dtype=float32, value=[1. 2.]>"
    )


def test_variable_from_callable_initializer_and_dtype():
    v = keras.Variable(lambda shape, dtype: np.full(shape, 3, dtype=dtype), shape=(2,), dtype="float64")
    assert v.dtype == np.float64 and v.numpy().tolist() == [3.0, 3.0]
    with pytest.raises(ValueError, match="pass its `shape`"):
        keras.Variable(lambda shape, dtype: np.zeros(shape))
    counter = keras.Variable(0, dtype="int64", trainable=False)
    counter.assign_add(1)
    assert counter.dtype == np.int64 and int(counter) == 1


def test_convert_to_tensor_dtypes():
    assert ops.convert_to_tensor(1.5).dtype == np.float32
    assert ops.convert_to_tensor([1, 2]).dtype == np.int32
    assert ops.convert_to_tensor(True).dtype == np.bool_
    assert ops.convert_to_tensor(np.ones(2)).dtype == np.float64  # arrays keep their dtype
    assert ops.convert_to_tensor(np.ones(2, np.float16)).dtype == np.float16
    assert ops.convert_to_tensor([1, 2], dtype="float32").dtype == np.float32
    with pytest.raises(TypeError, match="Cannot convert"):
        ops.convert_to_tensor({"a": 1})


# ---------------------------------------------------------------------------------------------------------
# GradientTape
# ---------------------------------------------------------------------------------------------------------


def test_watch_persistent_and_structures():
    x = ops.convert_to_tensor(3.0)
    w = keras.Variable([1.0, 2.0])
    with keras.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x * ops.sum(w)
    assert float(tape.gradient(y, x)) == pytest.approx(18.0)
    grads = tape.gradient(y, {"x": x, "pair": (w, x), "list": [w]})
    assert set(grads) == {"x", "pair", "list"}
    assert isinstance(grads["pair"], tuple) and isinstance(grads["list"], list)
    np.testing.assert_allclose(grads["pair"][0].numpy(), [9.0, 9.0])
    assert float(grads["x"]) == pytest.approx(18.0)


def test_non_persistent_tape_can_be_used_once():
    x = keras.Variable(2.0)
    with keras.GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="persistent=True"):
        tape.gradient(y, x)


def test_unconnected_gradients_and_integer_inputs():
    x = keras.Variable(1.0)
    unused = keras.Variable([1.0, 2.0])
    with keras.GradientTape(persistent=True) as tape:
        y = x * 3
        idx = ops.convert_to_tensor([0, 1])
        tape.watch(idx)  # integer tensors are never differentiated
        z = ops.take(unused, idx)
    assert tape.gradient(y, unused) is None
    np.testing.assert_array_equal(tape.gradient(y, unused, unconnected_gradients="zero").numpy(), [0, 0])
    assert tape.gradient(z, idx) is None
    with pytest.raises(ValueError, match="unconnected_gradients"):
        tape.gradient(y, x, unconnected_gradients="zeros")


def test_stop_gradient_and_values_used_several_times():
    x = keras.Variable(3.0)
    with keras.GradientTape() as tape:
        y = x * x + x * ops.stop_gradient(x) + ops.exp(x) * 0
    # d/dx (x² + x·c) = 2x + c = 9
    assert float(tape.gradient(y, x)) == pytest.approx(9.0)


def test_broadcasting_gradients_sum_back():
    a = keras.Variable(np.ones((3, 1)))
    b = keras.Variable(np.ones((4,)))
    with keras.GradientTape() as tape:
        y = ops.sum(a * b + a)
    ga, gb = tape.gradient(y, [a, b])
    np.testing.assert_array_equal(ga.numpy(), np.full((3, 1), 8.0))  # Σⱼ bⱼ + 4 broadcast copies
    np.testing.assert_array_equal(gb.numpy(), np.full((4,), 3.0))


def test_output_gradients_list_targets_and_intermediate_sources():
    x = keras.Variable([1.0, 2.0])
    with keras.GradientTape(persistent=True) as tape:
        h = x * 2
        y = h * h
    np.testing.assert_allclose(tape.gradient(y, x, output_gradients=[1.0, 0.5]).numpy(), [8.0, 8.0])
    np.testing.assert_allclose(tape.gradient([y, h], x).numpy(), [10.0, 18.0])
    gh, gx = tape.gradient(y, [h, x])
    np.testing.assert_allclose(gh.numpy(), [4.0, 8.0])
    np.testing.assert_allclose(gx.numpy(), [8.0, 16.0])


def test_trainable_variables_watched_automatically_only_when_asked():
    trainable = keras.Variable(2.0)
    frozen = keras.Variable(2.0, trainable=False)
    with keras.GradientTape() as tape:
        y = trainable * frozen
    assert tape.gradient(y, frozen) is None
    assert tape.watched_variables() == (trainable,)
    with keras.GradientTape(watch_accessed_variables=False) as tape:
        y = trainable * 2
    assert tape.gradient(y, trainable) is None


def test_nested_tapes_record_independently():
    x = keras.Variable(2.0)
    with keras.GradientTape() as outer:
        a = x * x
        with keras.GradientTape() as inner:
            b = a * x
        # As in TensorFlow, the inner tape did not see `a` being computed: for it, a is a constant (= 4).
        assert float(inner.gradient(b, x)) == pytest.approx(4.0)
    assert float(outer.gradient(a, x)) == pytest.approx(4.0)
    # A tape started later does not see ops recorded before it.
    with keras.GradientTape() as tape:
        tape.watch(x)
        pass
    assert tape.gradient(a, x) is None


def test_stop_recording():
    x = keras.Variable(2.0)
    with keras.GradientTape() as tape:
        with tape.stop_recording():
            c = x * x
        y = x * c
    assert float(tape.gradient(y, x)) == pytest.approx(4.0)


def test_nothing_is_recorded_outside_a_tape():
    x = keras.Variable(np.ones((4, 3)))
    w = keras.Variable(np.ones((3, 2)))
    hidden = ops.relu(x @ w)
    y = ops.sum(hidden)
    assert hidden.node is None and y.node is None
    ref = weakref.ref(hidden)
    del hidden
    gc.collect()
    assert ref() is None  # the output keeps nothing alive


def _two_layer_step(x, w1, b1, w2, b2, y):
    with keras.GradientTape() as tape:
        h = ops.relu(ops.matmul(x, w1) + b1)
        p = ops.softmax(ops.matmul(h, w2) + b2)
        loss = -ops.mean(ops.sum(y * ops.log(p + 1e-7), axis=-1))
    return tape.gradient(loss, [w1, b1, w2, b2])


def test_recorded_training_loop_keeps_memory_flat():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 8)).astype("float32")
    y = np.eye(4, dtype="float32")[rng.integers(0, 4, 16)]
    params = [keras.Variable(rng.normal(size=s) * 0.1) for s in [(8, 16), (16,), (16, 4), (4,)]]
    tracemalloc.start()
    try:
        for step in range(2000):
            grads = _two_layer_step(x, *params, y)
            for p, g in zip(params, grads):
                p.assign_sub(0.01 * g.numpy())
            if step == 199:
                gc.collect()
                early, _ = tracemalloc.get_traced_memory()
        gc.collect()
        late, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert late - early < 64 * 1024, f"memory grew by {late - early} bytes over 1,800 recorded steps"


def test_float32_stays_float32_through_a_network():
    rng = np.random.default_rng(1)
    params = [keras.Variable(rng.normal(size=s)) for s in [(8, 16), (16,), (16, 4), (4,)]]
    x = rng.normal(size=(4, 8)).astype("float32")
    y = np.eye(4, dtype="float32")
    for g in _two_layer_step(x, *params, y):
        assert g.dtype == np.float32


def test_op_bugs_are_reported_by_name():
    class Broken(Op):
        def forward(self, x):
            return x * 2

        def backward(self, dy):
            return dy[:1]

    x = keras.Variable([1.0, 2.0, 3.0])
    with keras.GradientTape() as tape:
        y = Broken()(x)
    with pytest.raises(RuntimeError, match="Op Broken has a bug: the gradient for input 0 has shape"):
        tape.gradient(y, x)


def test_deep_graphs_do_not_hit_the_recursion_limit():
    x = keras.Variable(1.0)
    with keras.GradientTape() as tape:
        y = x
        for _ in range(5000):
            y = y * 1.0001
    assert float(tape.gradient(y, x)) == pytest.approx(1.0001**5000, rel=1e-4)


def test_check_gradients_reports_a_wrong_backward():
    class WrongSin(Op):
        def forward(self, x):
            self.x = x
            return np.sin(x)

        def backward(self, dy):
            return dy * np.sin(self.x)  # should be cos

    report = keras.testing.check_gradients(lambda x: ops.sin(x), np.array([0.3, 1.1]))
    assert report.ok and report.max_error < 1e-8
    with pytest.raises(AssertionError, match="Gradient check failed"):
        keras.testing.check_gradients(lambda x: WrongSin()(x), np.array([0.3, 1.1]))
    bad = keras.testing.check_gradients(lambda x: WrongSin()(x), np.array([0.3, 1.1]), raise_on_failure=False)
    assert not bad.ok and bad.worst[0] == 0 and "ok=False" in repr(bad)


# ---------------------------------------------------------------------------------------------------------
# Config, backend and seeding
# ---------------------------------------------------------------------------------------------------------


def test_config_defaults_and_backend_aliases():
    assert keras.config.floatx() == "float32" == keras.backend.floatx()
    assert keras.config.epsilon() == 1e-7 == keras.backend.epsilon()
    assert keras.config.image_data_format() == "channels_last" == keras.backend.image_data_format()
    assert keras.config.backend() in ("numpy", "cupy")


def test_set_floatx_changes_new_tensors():
    keras.config.set_floatx("float64")
    try:
        assert ops.convert_to_tensor(1.0).dtype == np.float64
        assert keras.Variable([1.0]).dtype == np.float64
        assert ops.zeros((2,)).dtype == np.float64
    finally:
        keras.config.set_floatx("float32")
    with pytest.raises(ValueError, match="Unknown `floatx` value"):
        keras.config.set_floatx("float8")
    with pytest.raises(ValueError, match="data_format"):
        keras.config.set_image_data_format("channels_middle")


def test_set_backend_errors_are_helpful():
    with pytest.raises(ValueError, match="must be one of"):
        keras.config.set_backend("jax")
    try:
        import cupy  # noqa: F401

        has_cupy = True
    except ImportError:
        has_cupy = False
    if not has_cupy:
        with pytest.raises(RuntimeError, match="pip install kerasnb\\[gpu-cuda12\\]"):
            keras.config.set_backend("cupy")
        assert keras.config.backend() == "numpy"


@pytest.mark.needs_subprocess
def test_backend_environment_variable_is_validated():
    code = "import kerasnb"
    result = subprocess.run(
        [sys.executable, "-c", code], env={"KERASNB_BACKEND": "tensorflow", "PATH": ""}, capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "KERASNB_BACKEND must be one of" in result.stderr


def test_set_random_seed_is_reproducible():
    from kerasnb.engine.random import SeedGenerator

    keras.utils.set_random_seed(123)
    a = (np.random.rand(3), SeedGenerator().normal((4,)))
    keras.utils.set_random_seed(123)
    b = (np.random.rand(3), SeedGenerator().normal((4,)))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(np.asarray(a[1]), np.asarray(b[1]))
    assert SeedGenerator(7).uniform((3,)).tolist() == SeedGenerator(7).uniform((3,)).tolist()
    with pytest.raises(ValueError, match="must be an integer"):
        keras.utils.set_random_seed(1.5)


@pytest.mark.needs_subprocess
def test_import_is_fast_and_light():
    code = (
        "import sys, time; t = time.perf_counter(); import kerasnb; dt = time.perf_counter() - t; "
        "heavy = [m for m in ('matplotlib', 'plotly', 'ipywidgets', 'h5py', 'cupy', 'IPython', 'scipy') "
        "if m in sys.modules]; import threading; print(dt, heavy, threading.active_count())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    seconds, heavy, threads = float(out[0]), out[1], int(out[-1])
    assert heavy == "[]", f"import kerasnb pulled in {heavy}"
    assert threads == 1, "import kerasnb must not start threads"
    assert seconds < 1.0, f"import kerasnb took {seconds:.2f} s"


def test_variables_own_their_arrays_and_optimizers_update_in_place():
    initial = np.ones(3, "float32")
    v = keras.Variable(initial)
    v.assign_sub([1.0, 1.0, 1.0])
    np.testing.assert_array_equal(initial, [1, 1, 1])  # the caller's array is never aliased
    snapshot = v.numpy()
    array = v.data
    keras.optimizers.SGD(learning_rate=1.0).apply([np.ones(3, "float32")], [v])
    assert v.data is array  # written in place by the optimizer
    np.testing.assert_array_equal(v.numpy(), [-1, -1, -1])
    np.testing.assert_array_equal(snapshot, [0, 0, 0])  # numpy() is a copy, unchanged by later updates
    w = keras.Variable([2.0])
    with keras.GradientTape() as tape:
        y = w * w
        w.assign([5.0])  # outside an optimizer, assign replaces the array: the tape keeps what it saw
    assert tape.gradient(y, w).numpy()[0] == pytest.approx(4.0)


@pytest.mark.needs_subprocess
def test_malloc_tuning_runs_once_on_glibc_and_can_be_turned_off():
    """fit/evaluate/predict ask glibc's malloc to keep freed memory (kerasnb.engine.memory); the environment variable
    KERASNB_MALLOC_TUNING=0 leaves malloc alone. Checked in fresh processes: the tuning happens once per process."""
    import os
    import platform
    import subprocess
    import sys

    code = ("import kerasnb, numpy as np\n"
            "from kerasnb.engine import memory\n"
            "assert memory._state['tuned'] is None  # import alone changes nothing\n"
            "m = kerasnb.Sequential([kerasnb.layers.Dense(1, input_shape=(2,))])\n"
            "m.predict(np.ones((2, 2)), verbose=0)\n"
            "print(memory._state['tuned'])\n")
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    for setting, expected in (("1", str(glibc)), ("0", "False")):
        env = {**os.environ, "KERASNB_MALLOC_TUNING": setting}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == expected, out.stderr
