"""Initializers: shapes and dtypes, the statistics Keras's formulas promise, seeding, names and configs, and
parity with real Keras (``tests/reference/vocab_reference.*``, written by ``make_vocab_refs.py``): exact values
where they are deterministic, statistics where they are random."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import initializers
from kerasnb.engine.random import SeedGenerator

REFERENCE = Path(__file__).parent / "reference"
VOCAB = json.loads((REFERENCE / "vocab_reference.json").read_text())
with np.load(REFERENCE / "vocab_reference.npz") as _data:
    REF = {key: _data[key] for key in _data.files}
KERAS_CASES = [c for c in VOCAB["cases"] if c["kind"] == "initializer"]

# 0.8796...: the standard deviation of a standard normal truncated to [-2, 2].
TRUNCATED_STD = 0.87962566103423978

ALL = [
    initializers.Zeros(),
    initializers.Ones(),
    initializers.Constant(0.5),
    initializers.Identity(),
    initializers.RandomNormal(seed=1),
    initializers.RandomUniform(seed=1),
    initializers.TruncatedNormal(seed=1),
    initializers.VarianceScaling(seed=1),
    initializers.GlorotUniform(seed=1),
    initializers.GlorotNormal(seed=1),
    initializers.HeNormal(seed=1),
    initializers.HeUniform(seed=1),
    initializers.LecunNormal(seed=1),
    initializers.LecunUniform(seed=1),
    initializers.Orthogonal(seed=1),
]


def as_numpy(a):
    return keras.ops.convert_to_numpy(a)


@pytest.mark.usefixtures("array_backend")
@pytest.mark.parametrize("init", ALL, ids=lambda i: type(i).__name__)
@pytest.mark.parametrize("dtype", [None, "float32", "float64"])
def test_shape_dtype_and_variable(init, dtype):
    values = init((5, 7), dtype=dtype)
    assert values.shape == (5, 7)
    assert values.dtype == np.dtype(dtype or "float32")
    assert np.isfinite(as_numpy(values)).all()
    v = keras.Variable(init, shape=(5, 7), dtype=dtype)
    assert v.shape == (5, 7) and v.dtype == np.dtype(dtype or "float32")


def test_floatx_is_the_default_dtype():
    keras.config.set_floatx("float64")
    try:
        assert initializers.GlorotUniform(seed=0)((2, 2)).dtype == np.float64
        assert initializers.Zeros()((2,)).dtype == np.float64
    finally:
        keras.config.set_floatx("float32")


def test_constants():
    np.testing.assert_array_equal(initializers.Zeros()((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(initializers.Ones()(4, dtype="int32"), np.ones(4, "int32"))
    assert initializers.Ones()(4, dtype="int32").dtype == np.int32
    np.testing.assert_array_equal(initializers.Constant(2.5)((2, 2)), np.full((2, 2), 2.5))
    np.testing.assert_array_equal(initializers.Constant([1.0, 2.0])((3, 2)), [[1, 2]] * 3)
    np.testing.assert_array_equal(initializers.Constant(keras.ops.ones(2) * 3)((2,)), [3, 3])
    np.testing.assert_array_equal(initializers.Identity(gain=3.0)((2, 3)), 3 * np.eye(2, 3))
    with pytest.raises(ValueError, match="2D"):
        initializers.Identity()((2, 2, 2))


def test_random_normal_and_uniform_statistics():
    w = as_numpy(initializers.RandomNormal(mean=1.0, stddev=2.0, seed=0)((200_000,)))
    assert w.mean() == pytest.approx(1.0, abs=0.02)
    assert w.std() == pytest.approx(2.0, rel=0.01)
    u = as_numpy(initializers.RandomUniform(minval=-1.0, maxval=3.0, seed=0)((200_000,)))
    assert u.min() >= -1.0 and u.max() <= 3.0
    assert u.mean() == pytest.approx(1.0, abs=0.02)
    assert u.std() == pytest.approx(4 / math.sqrt(12), rel=0.01)


def test_truncated_normal_is_resampled_beyond_two_stddev():
    w = as_numpy(initializers.TruncatedNormal(mean=0.5, stddev=2.0, seed=0)((200_000,)))
    assert w.min() >= 0.5 - 4.0 and w.max() <= 0.5 + 4.0
    assert w.mean() == pytest.approx(0.5, abs=0.02)
    assert w.std() == pytest.approx(2.0 * TRUNCATED_STD, rel=0.01)
    # resampled, not clipped: no pile-up at the bounds
    assert (np.abs(w - 0.5) > 3.99).mean() < 1e-3


@pytest.mark.parametrize(
    "cls, limit",
    [
        (initializers.GlorotUniform, lambda fan_in, fan_out: math.sqrt(6 / (fan_in + fan_out))),
        (initializers.HeUniform, lambda fan_in, fan_out: math.sqrt(6 / fan_in)),
        (initializers.LecunUniform, lambda fan_in, fan_out: math.sqrt(3 / fan_in)),
    ],
)
@pytest.mark.parametrize("shape", [(400, 600), (3, 3, 64, 128)])
def test_uniform_variance_scaling_limits(cls, limit, shape):
    fan_in, fan_out = initializers.compute_fans(shape)
    w = as_numpy(cls(seed=0)(shape))
    lim = limit(fan_in, fan_out)
    assert np.abs(w).max() <= lim
    assert np.abs(w).max() > 0.99 * lim  # the whole range is used
    assert w.std() == pytest.approx(lim / math.sqrt(3), rel=0.01)


@pytest.mark.parametrize(
    "cls, variance",
    [
        (initializers.GlorotNormal, lambda fan_in, fan_out: 2 / (fan_in + fan_out)),
        (initializers.HeNormal, lambda fan_in, fan_out: 2 / fan_in),
        (initializers.LecunNormal, lambda fan_in, fan_out: 1 / fan_in),
    ],
)
@pytest.mark.parametrize("shape", [(400, 600), (3, 3, 64, 128)])
def test_truncated_normal_variance_scaling(cls, variance, shape):
    fan_in, fan_out = initializers.compute_fans(shape)
    w = as_numpy(cls(seed=0)(shape))
    stddev = math.sqrt(variance(fan_in, fan_out))
    # Keras draws with stddev / 0.8796 and truncates at 2 of *those*: the kept values have the target stddev
    assert np.abs(w).max() <= 2 * stddev / TRUNCATED_STD
    assert w.std() == pytest.approx(stddev, rel=0.01)
    assert w.mean() == pytest.approx(0.0, abs=0.01 * stddev)


def test_compute_fans_as_keras():
    assert initializers.compute_fans(()) == (1, 1)
    assert initializers.compute_fans((7,)) == (7, 7)
    assert initializers.compute_fans((3, 5)) == (3, 5)
    assert initializers.compute_fans((5, 16, 32)) == (80, 160)  # conv1d kernel: receptive field 5
    assert initializers.compute_fans((3, 3, 16, 32)) == (144, 288)
    assert initializers.compute_fans((2, 3, 4, 5), input_axes=(0, 1), output_axes=(2, 3)) == (6, 20)


def test_variance_scaling_modes_and_distributions():
    shape = (300, 100)
    for mode, n in (("fan_in", 300), ("fan_out", 100), ("fan_avg", 200)):
        w = as_numpy(initializers.VarianceScaling(3.0, mode, "untruncated_normal", seed=0)(shape))
        assert w.std() == pytest.approx(math.sqrt(3.0 / n), rel=0.02)
    assert initializers.VarianceScaling(distribution="normal").distribution == "truncated_normal"
    with pytest.raises(ValueError, match="scale"):
        initializers.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match="distribution"):
        initializers.VarianceScaling(distribution="cauchy")


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5, 5), (3, 3, 4, 8)])
def test_orthogonal(shape):
    q = as_numpy(initializers.Orthogonal(gain=2.0, seed=0)(shape, dtype="float64"))
    assert q.shape == shape
    flat = q.reshape(-1, shape[-1]) / 2.0
    if flat.shape[0] >= flat.shape[1]:
        np.testing.assert_allclose(flat.T @ flat, np.eye(flat.shape[1]), atol=1e-12)  # orthonormal columns
    else:
        np.testing.assert_allclose(flat @ flat.T, np.eye(flat.shape[0]), atol=1e-12)  # orthonormal rows
    with pytest.raises(ValueError, match="two-dimensional"):
        initializers.Orthogonal()((4,))


def test_random_initializers_need_a_float_dtype():
    with pytest.raises(ValueError, match="float"):
        initializers.GlorotUniform()((2, 2), dtype="int32")


def test_bad_shapes():
    with pytest.raises(ValueError, match="shape"):
        initializers.Zeros()((None, 3))
    with pytest.raises(ValueError, match="non-negative"):
        initializers.Ones()((-1,))


# -- seeding ---------------------------------------------------------------------------------------------------


def test_a_seeded_instance_returns_the_same_values_on_every_call():
    init = initializers.GlorotUniform(seed=7)
    np.testing.assert_array_equal(init((4, 4)), init((4, 4)))
    np.testing.assert_array_equal(init((4, 4)), initializers.GlorotUniform(seed=7)((4, 4)))
    assert not np.array_equal(init((4, 4)), initializers.GlorotUniform(seed=8)((4, 4)))


def test_unseeded_instances_differ_but_follow_set_random_seed():
    keras.utils.set_random_seed(123)
    a, b = initializers.HeNormal(), initializers.HeNormal()
    first = (a((8, 8)), b((8, 8)))
    assert not np.array_equal(*first)
    np.testing.assert_array_equal(a((8, 8)), first[0])  # an instance repeats itself (Keras 3)
    keras.utils.set_random_seed(123)
    again = (initializers.HeNormal()((8, 8)), initializers.HeNormal()((8, 8)))
    np.testing.assert_array_equal(again[0], first[0])
    np.testing.assert_array_equal(again[1], first[1])


def test_a_seed_generator_gives_a_stream():
    init = initializers.RandomNormal(seed=SeedGenerator(3))
    assert not np.array_equal(init((4,)), init((4,)))
    assert initializers.RandomNormal(seed=SeedGenerator(3)).get_config()["seed"] == 3


def test_bad_seed():
    with pytest.raises(ValueError, match="seed"):
        initializers.RandomNormal(seed="42")


# -- names, get, configs ---------------------------------------------------------------------------------------

NAMES = {
    "zeros": initializers.Zeros, "zero": initializers.Zeros, "ones": initializers.Ones, "one": initializers.Ones,
    "constant": initializers.Constant, "uniform": initializers.RandomUniform,
    "random_uniform": initializers.RandomUniform, "normal": initializers.RandomNormal,
    "random_normal": initializers.RandomNormal, "truncated_normal": initializers.TruncatedNormal,
    "variance_scaling": initializers.VarianceScaling, "glorot_uniform": initializers.GlorotUniform,
    "glorot_normal": initializers.GlorotNormal, "he_normal": initializers.HeNormal,
    "he_uniform": initializers.HeUniform, "lecun_normal": initializers.LecunNormal,
    "lecun_uniform": initializers.LecunUniform, "orthogonal": initializers.Orthogonal,
    "identity": initializers.Identity, "GlorotUniform": initializers.GlorotUniform,
    "HeNormal": initializers.HeNormal, "RandomNormal": initializers.RandomNormal,
    "IdentityInitializer": initializers.Identity, "OrthogonalInitializer": initializers.Orthogonal,
}  # fmt: skip


@pytest.mark.parametrize("name, cls", NAMES.items())
def test_get_by_name(name, cls):
    assert type(initializers.get(name)) is cls


def test_get_other_identifiers():
    assert initializers.get(None) is None
    init = initializers.HeUniform(seed=1)
    assert initializers.get(init) is init
    assert type(initializers.get(initializers.Ones)) is initializers.Ones

    def fn(shape, dtype=None):
        return np.full(shape, 4.0, dtype=dtype)

    assert initializers.get(fn) is fn
    from_array = initializers.get(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(from_array((2, 3)), np.arange(6.0).reshape(2, 3))
    with pytest.raises(ValueError, match="shape"):
        from_array((3, 2))
    config = {"class_name": "RandomUniform", "config": {"minval": 0.0, "maxval": 1.0, "seed": 3}}
    np.testing.assert_array_equal(initializers.get(config)((3,)), initializers.RandomUniform(0.0, 1.0, 3)((3,)))


def test_get_suggests_the_closest_name():
    with pytest.raises(ValueError, match=r"'glorot_unifrom'\. Did you mean 'glorot_uniform'\?"):
        initializers.get("glorot_unifrom")
    with pytest.raises(ValueError, match="he_normal"):
        initializers.get("he_norml")
    with pytest.raises(ValueError, match="Could not interpret initializer identifier"):
        initializers.get(3.5)


def test_lowercase_function_style_aliases():
    assert isinstance(initializers.constant(2.0), initializers.Constant)
    np.testing.assert_array_equal(initializers.constant(2.0)((2,)), [2.0, 2.0])
    np.testing.assert_array_equal(initializers.zeros()((2,)), [0.0, 0.0])
    np.testing.assert_array_equal(initializers.he_normal(seed=1)((3, 3)), initializers.HeNormal(seed=1)((3, 3)))
    assert initializers.glorot_uniform is initializers.GlorotUniform


@pytest.mark.parametrize("init", ALL, ids=lambda i: type(i).__name__)
def test_config_round_trip(init):
    again = type(init).from_config(init.get_config())
    assert again.get_config() == init.get_config()
    np.testing.assert_array_equal(again((4, 4)), init((4, 4)))
    via_dict = initializers.deserialize(initializers.serialize(init))
    assert type(via_dict) is type(init) and via_dict.get_config() == init.get_config()


def test_configs_match_keras():
    assert initializers.GlorotUniform().get_config() == {"seed": None, "input_axes": None, "output_axes": None}
    assert initializers.RandomNormal(seed=2).get_config() == {"seed": 2, "mean": 0.0, "stddev": 0.05}
    assert initializers.serialize(initializers.Constant(2.0)) == {
        "module": "keras.initializers", "class_name": "Constant", "config": {"value": 2.0}, "registered_name": None,
    }  # fmt: skip
    assert initializers.VarianceScaling().get_config() == {
        "seed": None, "scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal", "input_axes": None,
        "output_axes": None,
    }  # fmt: skip


def test_serialize_none_and_named_functions():
    assert initializers.serialize(None) is None

    def halves(shape, dtype=None):
        return np.full(shape, 0.5, dtype=dtype)

    config = initializers.serialize(halves)
    assert config["class_name"] == "function" and config["config"] == "halves"
    assert initializers.deserialize(config, custom_objects={"halves": halves}) is halves
    with pytest.raises(ValueError, match="custom_objects"):
        initializers.deserialize(config)
    with pytest.raises(ValueError, match="lambda"):
        initializers.serialize(lambda shape, dtype=None: None)


# -- parity with real Keras ------------------------------------------------------------------------------------


def _kerasnb_initializer(case):
    """The kerasnb initializer for a Keras case (JSON lists become tuples, as a user would write them)."""
    kwargs = {k: tuple(v) if k in ("input_axes", "output_axes") else v for k, v in case["kwargs"].items()}
    return getattr(initializers, case["class_name"])(**kwargs)


def _ids(cases):
    return [f"{c['name'].split('/')[1]}-{'x'.join(map(str, c['shape']))}" for c in cases]


DETERMINISTIC_CASES = [c for c in KERAS_CASES if c["deterministic"]]
GRAM_CASES = [c for c in KERAS_CASES if c.get("gram")]
STATS_CASES = [c for c in KERAS_CASES if "stats" in c and not c.get("gram")]


def test_every_initializer_has_keras_references():
    classes = {c["class_name"] for c in KERAS_CASES}
    assert classes == {type(i).__name__ for i in ALL}
    conv_kernels = {c["class_name"] for c in STATS_CASES if len(c["shape"]) >= 3}
    assert conv_kernels == {type(i).__name__ for i in ALL} - {"Zeros", "Ones", "Constant", "Identity"}


@pytest.mark.usefixtures("array_backend")
@pytest.mark.parametrize("case", DETERMINISTIC_CASES, ids=_ids(DETERMINISTIC_CASES))
def test_deterministic_values_match_keras(case):
    got = as_numpy(_kerasnb_initializer(case)(tuple(case["shape"]), dtype=case["dtype"]))
    want = REF[f"{case['name']}/y"]
    assert got.dtype == want.dtype == np.dtype(case["out_dtype"])
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=0)


@pytest.mark.parametrize("case", GRAM_CASES, ids=_ids(GRAM_CASES))
def test_orthogonal_gram_matrix_matches_keras(case):
    """The values are random, their Gram matrix is not: gain² times the identity, in Keras and in kerasnb."""
    values = as_numpy(_kerasnb_initializer(case)(tuple(case["shape"]), dtype=case["dtype"]))
    assert values.shape == tuple(case["shape"]) and values.dtype == np.float32
    flat = values.astype("float64").reshape(-1, values.shape[-1])
    gram = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    want = REF[f"{case['name']}/gram"]
    # Off the diagonal both are float32 rounding noise (~1e-7 · gain²): tolerances relative to the scale gain².
    scale = case["kwargs"]["gain"] ** 2
    np.testing.assert_allclose(gram, want, rtol=1e-5, atol=1e-5 * scale)
    np.testing.assert_allclose(want, scale * np.eye(len(want)), rtol=1e-5, atol=1e-5 * scale)


def _distribution(case):
    """What Keras's formulas say a random case draws: (kind, mean, stddev of the values, bounds or None).

    kind is 'normal', 'truncated' (a normal redrawn beyond 2 of its stddevs), 'uniform' or 'orthogonal'."""
    name, kw, shape = case["class_name"], case["kwargs"], case["shape"]
    if name == "RandomNormal":
        return "normal", kw.get("mean", 0.0), kw.get("stddev", 0.05), None
    if name == "RandomUniform":
        low, high = kw.get("minval", -0.05), kw.get("maxval", 0.05)
        return "uniform", (low + high) / 2, (high - low) / math.sqrt(12), (low, high)
    if name == "TruncatedNormal":
        mean, stddev = kw.get("mean", 0.0), kw.get("stddev", 0.05)
        return "truncated", mean, stddev * TRUNCATED_STD, (mean - 2 * stddev, mean + 2 * stddev)
    if name == "Orthogonal":
        # Orthonormal columns of length prod(shape[:-1]) (rows when there are fewer): mean square 1 / that length.
        rows, cols = math.prod(shape[:-1]), shape[-1]
        return "orthogonal", 0.0, kw.get("gain", 1.0) / math.sqrt(max(rows, cols)), None
    named = {
        "GlorotUniform": (1.0, "fan_avg", "uniform"), "GlorotNormal": (1.0, "fan_avg", "truncated_normal"),
        "HeUniform": (2.0, "fan_in", "uniform"), "HeNormal": (2.0, "fan_in", "truncated_normal"),
        "LecunUniform": (1.0, "fan_in", "uniform"), "LecunNormal": (1.0, "fan_in", "truncated_normal"),
    }  # fmt: skip
    scale, mode, distribution = named.get(name) or (
        kw.get("scale", 1.0), kw.get("mode", "fan_in"), kw.get("distribution", "truncated_normal"))  # fmt: skip
    axes = (kw.get("input_axes"), kw.get("output_axes"))
    fan_in, fan_out = initializers.compute_fans(shape, *axes)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    stddev = math.sqrt(scale / max(1.0, n))
    if distribution == "uniform":
        limit = math.sqrt(3) * stddev
        return "uniform", 0.0, stddev, (-limit, limit)
    if distribution == "untruncated_normal":
        return "normal", 0.0, stddev, None
    drawn = stddev / TRUNCATED_STD
    return "truncated", 0.0, stddev, (-2 * drawn, 2 * drawn)


def _stats(values):
    v = np.asarray(values, np.float64)
    return {"n": v.size, "mean": v.mean(), "std": v.std(), "min": v.min(), "max": v.max()}


# Tolerances from the sample size n. The standard error of a sample mean is σ/√n; of a sample standard
# deviation at most σ/√(2n) for these distributions (that is the normal's; the uniform's and the truncated
# normal's, with lighter tails, are smaller). kerasnb's and Keras's statistics come from independent samples, so
# their difference has √2 times those errors. Z = 6 standard errors: a false alarm has probability ~2e-9 per
# comparison, while a wrong scale rule (fan_in for fan_avg, a missing truncation factor 0.88) is off by far more
# (12% and up, against 6·√2·√(1/(2·10240)) = 5.9% for the smallest sample here, n = 10240).
Z = 6.0


def _check_sample(stats, kind, mean, stddev, bounds, who):
    n = stats["n"]
    assert abs(stats["mean"] - mean) <= Z * stddev / math.sqrt(n), f"{who}: mean {stats['mean']} vs {mean}"
    assert abs(stats["std"] - stddev) <= Z * stddev / math.sqrt(2 * n), f"{who}: std {stats['std']} vs {stddev}"
    if bounds is not None:
        low, high = bounds
        # The n values fill [low, high]: the gap left at either end is about (high - low) / n for a uniform,
        # (high - low) / (n · 0.23) for a normal truncated at ±2 (its density at the bounds is 0.23 of the
        # uniform's); a gap of 30 times that has probability < e^-30.
        gap = 30 * (high - low) / (n * (0.23 if kind == "truncated" else 1.0))
        assert low - 1e-6 * abs(low) <= stats["min"] <= low + gap, f"{who}: min {stats['min']}, bounds {bounds}"
        assert high - gap <= stats["max"] <= high + 1e-6 * abs(high), f"{who}: max {stats['max']}, bounds {bounds}"
    elif kind == "normal":
        # Not truncated: with n >= 10240 values some lie beyond 3σ (P(none) < 1e-6), none beyond 7σ.
        spread = max(stats["max"] - mean, mean - stats["min"])
        assert 3 * stddev < spread < 7 * stddev, f"{who}: extreme {spread / stddev:.2f} stddevs from the mean"


@pytest.mark.parametrize("case", STATS_CASES, ids=_ids(STATS_CASES))
def test_statistics_match_keras(case):
    kind, mean, stddev, bounds = _distribution(case)
    keras_stats = dict(case["stats"])
    assert list(case["shape"]) and keras_stats["n"] == math.prod(case["shape"])
    # Keras's torch backend keeps a value beyond 2σ when 4 draws in a row fell outside (see make_vocab_refs.py):
    # its min/max then say nothing about the bounds, so only its mean and std are checked here.
    keras_bounds = None if keras_stats.get("beyond_2_stddev") else bounds
    _check_sample(keras_stats, kind, mean, stddev, keras_bounds, "Keras")  # the formulas above are Keras's

    values = as_numpy(_kerasnb_initializer(case)(tuple(case["shape"]), dtype="float32"))
    assert values.shape == tuple(case["shape"]) and values.dtype == np.float32
    ours = _stats(values)
    _check_sample(ours, kind, mean, stddev, bounds, "kerasnb")
    n = ours["n"]
    assert abs(ours["mean"] - keras_stats["mean"]) <= Z * math.sqrt(2) * stddev / math.sqrt(n)
    assert abs(ours["std"] - keras_stats["std"]) <= Z * math.sqrt(2) * stddev / math.sqrt(2 * n)
    if kind == "orthogonal":
        # Unit columns make the mean square exactly 1/rows · gain²: only float32 rounding is left.
        assert ours["std"] ** 2 + ours["mean"] ** 2 == pytest.approx(stddev**2, rel=1e-5)
        assert keras_stats["std"] ** 2 + keras_stats["mean"] ** 2 == pytest.approx(stddev**2, rel=1e-5)


def test_keras_torch_truncation_leaves_some_values_beyond_two_stddev_but_kerasnb_redraws():
    """The one documented difference in the random initializers (see make_vocab_refs.py)."""
    beyond = [c for c in STATS_CASES if c["stats"].get("beyond_2_stddev")]
    for case in beyond:
        _, _, _, (low, high) = _distribution(case)
        assert case["stats"]["max"] > high or case["stats"]["min"] < low
        values = as_numpy(_kerasnb_initializer(case)(tuple(case["shape"]), dtype="float32"))
        assert low <= values.min() and values.max() <= high


@pytest.mark.parametrize("case", KERAS_CASES, ids=_ids(KERAS_CASES))
def test_configs_match_keras_fixture(case):
    init = _kerasnb_initializer(case)
    config = init.get_config()
    if case["class_name"] == "Identity":
        # Keras 3.15.1's Identity.get_config() returns {} and so loses `gain` on a round trip; kerasnb keeps it.
        assert case["config"] == {} and config == {"gain": case["kwargs"].get("gain", 1.0)}
        return
    # JSON has no tuples: kerasnb keeps the axes as they were given (tuples here), Keras lists.
    config = {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()}
    assert config == case["config"]
    again = type(init).from_config(init.get_config())
    assert again.get_config() == init.get_config()


# Identifiers Keras 3.15.1 fails on where kerasnb gives what Keras documents: `get('constant')` raises KeyError
# in Keras (Constant.from_config needs a 'value'); kerasnb gives Constant(0.0), the class's default.
KERAS_FAILS = {"constant": "Constant", "Constant": "Constant"}


@pytest.mark.parametrize("identifier, keras_says", VOCAB["names"]["initializers"].items())
def test_names_resolve_as_in_keras(identifier, keras_says):
    if "error" in keras_says:
        if identifier in KERAS_FAILS:
            assert type(initializers.get(identifier)).__name__ == KERAS_FAILS[identifier]
        else:
            with pytest.raises(ValueError, match="Could not interpret initializer identifier"):
                initializers.get(identifier)
        return
    init = initializers.get(identifier)
    assert type(init).__name__ == keras_says["class_name"]
    config = init.get_config()
    if keras_says["class_name"] == "Identity":
        assert config == {"gain": 1.0}  # Keras forgets gain; see test_configs_match_keras_fixture
        return
    assert config == keras_says["config"]
