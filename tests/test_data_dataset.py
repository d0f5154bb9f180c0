"""kerasnb.data.Dataset against hand-computed expectations: sources, every transformation, shuffling with seeds,
cardinality (incl. infinite and unknown), element_spec and the errors users meet."""

import numpy as np
import pytest

import kerasnb as keras
from kerasnb.data import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset, TensorSpec

# NumPy's default integer, what Python ints and np.arange become: int64, but int32 in WebAssembly (Pyodide).
DEFAULT_INT = np.asarray(0).dtype.name


def ints(ds):
    """The elements of a dataset of scalars as Python ints (one pass)."""
    return [int(e) for e in ds]


def lists(ds):
    return [np.asarray(e).tolist() for e in ds]


# -- sources ----------------------------------------------------------------------------------------------------
def test_from_tensor_slices_of_one_array_gives_its_rows_in_order():
    x = np.arange(12.0).reshape(4, 3)
    ds = Dataset.from_tensor_slices(x)
    elements = list(ds)
    assert len(elements) == 4 and ds.cardinality() == 4 and len(ds) == 4
    assert [e.tolist() for e in elements] == x.tolist()
    assert all(isinstance(e, np.ndarray) and e.dtype == np.float64 for e in elements)  # float64 stays float64
    scalars = list(Dataset.from_tensor_slices(np.array([1.5, 2.5], "float32")))
    assert all(isinstance(s, np.float32) for s in scalars)  # a NumPy scalar, as tensor.numpy() would give
    assert ds.element_spec == TensorSpec((3,), "float64")


def test_from_tensor_slices_of_tuples_dicts_and_nests():
    x, y = np.arange(6).reshape(3, 2), np.array([10, 20, 30])
    pairs = list(Dataset.from_tensor_slices((x, y)))
    assert [(a.tolist(), int(b)) for a, b in pairs] == [([0, 1], 10), ([2, 3], 20), ([4, 5], 30)]
    assert all(type(p) is tuple for p in pairs)
    records = list(Dataset.from_tensor_slices({"b": y, "a": x}))
    assert [list(r) for r in records] == [["b", "a"]] * 3  # the dict keeps its own key order
    assert [(r["a"].tolist(), int(r["b"])) for r in records] == [([0, 1], 10), ([2, 3], 20), ([4, 5], 30)]
    nested = list(Dataset.from_tensor_slices(((x, {"id": y}), y * 2)))
    (features, extra), label = nested[2]
    assert features.tolist() == [4, 5] and int(extra["id"]) == 30 and int(label) == 60


def test_from_tensor_slices_reads_a_list_as_one_array_as_tf_data_does():
    assert lists(Dataset.from_tensor_slices([[1, 2], [3, 4], [5, 6]])) == [[1, 2], [3, 4], [5, 6]]
    x, y = np.zeros((2, 3)), np.ones((2, 3))
    stacked = list(Dataset.from_tensor_slices([x, y]))  # a list of two same-shaped arrays: one array (2, 2, 3)
    assert len(stacked) == 2 and stacked[1].tolist() == y.tolist()
    with pytest.raises(ValueError, match=r"tuple `\(x, y\)`"):
        Dataset.from_tensor_slices([np.zeros((3, 2)), np.zeros(3)])  # ragged: cannot be one array


def test_from_tensor_slices_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"same first dimension.*\[3, 4\]"):
        Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))
    with pytest.raises(ValueError, match="at least one dimension"):
        Dataset.from_tensor_slices(np.float32(3.0))


def test_elements_are_read_only_views_of_the_data():
    x = np.arange(6.0).reshape(3, 2)
    row = next(iter(Dataset.from_tensor_slices(x)))
    with pytest.raises(ValueError):
        row[0] = 100.0  # tf.data elements are immutable; writing would change the user's array
    assert x[0, 0] == 0.0


def test_from_tensors_is_one_element():
    ds = Dataset.from_tensors((np.arange(3), 7))
    ((a, b),) = list(ds)
    assert a.tolist() == [0, 1, 2] and int(b) == 7 and ds.cardinality() == 1
    assert ds.element_spec == (TensorSpec((3,), DEFAULT_INT), TensorSpec((), DEFAULT_INT))


def test_range_is_pythons_range_in_int64():
    assert ints(Dataset.range(4)) == [0, 1, 2, 3]
    assert ints(Dataset.range(2, 5)) == [2, 3, 4]
    assert ints(Dataset.range(10, 0, -3)) == [10, 7, 4, 1]
    assert all(isinstance(i, np.int64) for i in Dataset.range(3))
    assert Dataset.range(10, 0, -3).cardinality() == 4 and Dataset.range(5, 2).cardinality() == 0
    assert [type(v) for v in Dataset.range(2, output_type="int32")] == [np.int32, np.int32]
    with pytest.raises(TypeError, match="one to three integers"):
        Dataset.range(1.5)
    with pytest.raises(ValueError, match="step"):
        Dataset.range(0, 5, 0)


def test_from_generator_calls_the_generator_again_for_each_pass():
    calls = []

    def gen():
        calls.append(1)
        yield from range(3)

    ds = Dataset.from_generator(gen)
    assert ints(ds) == [0, 1, 2] and ints(ds) == [0, 1, 2]
    assert len(calls) == 2
    assert ds.cardinality() == UNKNOWN_CARDINALITY
    with pytest.raises(TypeError, match="The dataset length is unknown."):
        len(ds)


def test_from_generator_with_a_signature_converts_and_checks():
    def gen(n):
        for i in range(n):
            yield i, [float(i)] * 2

    signature = (TensorSpec((), "int32"), TensorSpec((2,), "float32"))
    ds = Dataset.from_generator(gen, args=(3,), output_signature=signature)
    elements = list(ds)
    assert [(int(i), x.tolist()) for i, x in elements] == [(0, [0.0, 0.0]), (1, [1.0, 1.0]), (2, [2.0, 2.0])]
    assert elements[0][0].dtype == np.int32 and elements[0][1].dtype == np.float32
    assert ds.element_spec == signature
    wrong_shape = Dataset.from_generator(lambda: iter([np.zeros(3)]), output_signature=TensorSpec((2,), "float32"))
    with pytest.raises(ValueError, match=r"shape \(3,\) where an element of shape \(2,\) was expected"):
        list(wrong_shape)
    wrong_structure = Dataset.from_generator(lambda: iter([1]), output_signature=signature)
    with pytest.raises(TypeError, match="did not match the expected structure"):
        list(wrong_structure)
    legacy = Dataset.from_generator(lambda: iter([(1, 2)]), output_types=("float32", "int64"), output_shapes=((), ()))
    ((a, b),) = list(legacy)
    assert a.dtype == np.float32 and b.dtype == np.int64


def test_from_generator_needs_a_callable():
    def gen():
        yield 1

    with pytest.raises(TypeError, match="`generator` must be a callable.*generator object"):
        Dataset.from_generator(gen())


def test_zip_tuples_dicts_and_the_several_argument_form():
    a, b = Dataset.range(3), Dataset.range(10, 15)
    assert [(int(i), int(j)) for i, j in Dataset.zip((a, b))] == [(0, 10), (1, 11), (2, 12)]  # shortest wins
    assert [(int(i), int(j)) for i, j in Dataset.zip(a, b)] == [(0, 10), (1, 11), (2, 12)]
    assert [(int(e["x"]), int(e["y"])) for e in Dataset.zip({"x": a, "y": b})] == [(0, 10), (1, 11), (2, 12)]
    nested = list(Dataset.zip((a, (b, a))))
    assert [(int(i), int(j), int(k)) for i, (j, k) in nested] == [(0, 10, 0), (1, 11, 1), (2, 12, 2)]
    assert Dataset.zip(a, b).cardinality() == 3
    assert Dataset.zip(a, b.repeat()).cardinality() == 3
    assert Dataset.zip(a.repeat(), b.repeat()).cardinality() == INFINITE_CARDINALITY
    assert Dataset.zip(a, b.filter(lambda i: i > 0)).cardinality() == UNKNOWN_CARDINALITY
    with pytest.raises(TypeError, match="list"):
        Dataset.zip([a, b])


# -- batching -----------------------------------------------------------------------------------------------------
def test_batch_with_remainder_and_drop_remainder():
    assert lists(Dataset.range(7).batch(3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert lists(Dataset.range(7).batch(3, drop_remainder=True)) == [[0, 1, 2], [3, 4, 5]]
    assert lists(Dataset.range(6).batch(3, drop_remainder=True)) == [[0, 1, 2], [3, 4, 5]]
    assert Dataset.range(7).batch(3).cardinality() == 3
    assert Dataset.range(7).batch(3, drop_remainder=True).cardinality() == 2
    assert Dataset.range(0).batch(3).cardinality() == 0 and list(Dataset.range(0).batch(3)) == []


def test_batch_stacks_each_component_of_a_structure():
    x, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    batches = list(Dataset.from_tensor_slices({"x": x, "y": y}).batch(2))
    assert [b["x"].shape for b in batches] == [(2, 2), (2, 2), (1, 2)]
    assert [b["y"].tolist() for b in batches] == [[0, 1], [2, 3], [4]]
    assert batches[0]["x"].dtype == np.float64
    spec = Dataset.from_tensor_slices((x, y)).batch(2).element_spec
    assert spec == (TensorSpec((None, 2), "float64"), TensorSpec((None,), DEFAULT_INT))
    assert Dataset.from_tensor_slices(x).batch(2, drop_remainder=True).element_spec.shape == (2, 2)


def test_batch_of_different_shapes_says_which_component():
    ds = Dataset.from_generator(lambda: iter([(1, np.zeros(2)), (2, np.zeros(3))])).batch(2)
    with pytest.raises(ValueError, match=r"component 1.*shape \(2,\).*element 1 had shape \(3,\).*padded_batch"):
        list(ds)


def test_padded_batch_pads_to_the_longest_or_to_padded_shapes():
    ds = Dataset.from_generator(lambda: iter([[1], [2, 3], [4, 5, 6]]))
    assert lists(ds.padded_batch(2)) == [[[1, 0], [2, 3]], [[4, 5, 6]]]
    assert lists(ds.padded_batch(3, padded_shapes=(4,), padding_values=9)) == [[[1, 9, 9, 9], [2, 3, 9, 9],
                                                                                 [4, 5, 6, 9]]]
    with pytest.raises(ValueError, match="padding cannot shrink"):
        list(ds.padded_batch(3, padded_shapes=(2,)))


def test_batch_size_must_be_positive():
    with pytest.raises(ValueError, match="`batch_size` must be a positive integer. Received: batch_size=0"):
        Dataset.range(3).batch(0)


def test_unbatch_undoes_batch():
    assert ints(Dataset.range(7).batch(3).unbatch()) == list(range(7))
    x, y = np.arange(12).reshape(6, 2), np.arange(6)
    back = list(Dataset.from_tensor_slices((x, y)).batch(4).unbatch())
    assert [(a.tolist(), int(b)) for a, b in back] == [(x[i].tolist(), i) for i in range(6)]
    assert lists(Dataset.range(6).batch(4).rebatch(3)) == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="first"):
        list(Dataset.range(3).unbatch())  # scalars have no batch dimension


# -- shuffle --------------------------------------------------------------------------------------------------------
def test_shuffle_with_the_same_seed_gives_the_same_order():
    first = ints(Dataset.range(20).shuffle(20, seed=7))
    assert first == ints(Dataset.range(20).shuffle(20, seed=7))
    assert first != list(range(20))
    assert first != ints(Dataset.range(20).shuffle(20, seed=8))


def test_a_full_buffer_gives_a_permutation_and_a_buffer_of_one_changes_nothing():
    assert sorted(ints(Dataset.range(50).shuffle(50, seed=1))) == list(range(50))
    assert sorted(ints(Dataset.range(50).shuffle(1000, seed=1))) == list(range(50))
    assert ints(Dataset.range(50).shuffle(1, seed=1)) == list(range(50))


def test_a_small_buffer_only_mixes_nearby_elements():
    # With a buffer of b, the element at output position p was among the first p + b inputs: tf.data's buffer.
    buffer = 4
    for seed in range(5):
        order = ints(Dataset.range(40).shuffle(buffer, seed=seed))
        assert sorted(order) == list(range(40))
        assert all(value < position + buffer for position, value in enumerate(order))
        assert order[0] in range(buffer)


def test_reshuffle_each_iteration():
    ds = Dataset.range(30).shuffle(30, seed=3)
    first, second = ints(ds), ints(ds)
    assert first != second and sorted(second) == list(range(30))
    again = Dataset.range(30).shuffle(30, seed=3)
    assert ints(again) == first and ints(again) == second  # the sequence of orders is repeatable
    fixed = Dataset.range(30).shuffle(30, seed=3, reshuffle_each_iteration=False)
    assert ints(fixed) == ints(fixed) == ints(fixed)


def test_shuffle_before_repeat_gives_a_new_order_each_repetition():
    order = ints(Dataset.range(10).shuffle(10, seed=0).repeat(2))
    assert sorted(order[:10]) == sorted(order[10:]) == list(range(10))
    assert order[:10] != order[10:]


def test_shuffle_without_a_seed_follows_set_random_seed():
    keras.utils.set_random_seed(123)
    a = Dataset.range(30).shuffle(30)
    first = [ints(a), ints(a)]
    keras.utils.set_random_seed(123)
    b = Dataset.range(30).shuffle(30)
    assert [ints(b), ints(b)] == first
    keras.utils.set_random_seed(124)
    assert ints(Dataset.range(30).shuffle(30)) != first[0]


def test_shuffle_arguments_are_checked():
    with pytest.raises(ValueError, match="`buffer_size` must be a positive integer"):
        Dataset.range(3).shuffle(0)
    with pytest.raises(ValueError, match="`seed` must be an integer"):
        Dataset.range(3).shuffle(3, seed=1.5)


# -- repeat, take, skip --------------------------------------------------------------------------------------------
def test_repeat_counts():
    assert ints(Dataset.range(3).repeat(2)) == [0, 1, 2, 0, 1, 2]
    assert ints(Dataset.range(3).repeat(1)) == [0, 1, 2]
    assert ints(Dataset.range(3).repeat(0)) == []
    assert ints(Dataset.range(3).repeat().take(8)) == [0, 1, 2, 0, 1, 2, 0, 1]
    assert ints(Dataset.range(3).repeat(-1).take(4)) == [0, 1, 2, 0]
    assert ints(Dataset.range(0).repeat()) == []  # nothing repeated forever is still nothing, not a hang
    assert Dataset.range(3).repeat(2).cardinality() == 6
    assert Dataset.range(3).repeat(0).cardinality() == 0
    assert Dataset.range(3).repeat().cardinality() == INFINITE_CARDINALITY
    assert Dataset.range(0).repeat().cardinality() == 0
    assert Dataset.range(3).filter(lambda i: True).repeat().cardinality() == INFINITE_CARDINALITY
    assert Dataset.range(3).filter(lambda i: True).repeat(2).cardinality() == UNKNOWN_CARDINALITY


def test_take_and_skip():
    ds = Dataset.range(5)
    assert ints(ds.take(2)) == [0, 1] and ints(ds.take(9)) == [0, 1, 2, 3, 4] and ints(ds.take(-1)) == ints(ds)
    assert ints(ds.skip(2)) == [2, 3, 4] and ints(ds.skip(9)) == [] and ints(ds.skip(-1)) == []
    assert ints(ds.skip(1).take(2)) == [1, 2]
    assert [ds.take(n).cardinality() for n in (2, 9, -1, 0)] == [2, 5, 5, 0]
    assert [ds.skip(n).cardinality() for n in (2, 9, -1, 0)] == [3, 0, 0, 5]
    endless = ds.repeat()
    assert endless.take(7).cardinality() == 7 and endless.take(-1).cardinality() == INFINITE_CARDINALITY
    assert endless.skip(3).cardinality() == INFINITE_CARDINALITY
    unknown = ds.filter(lambda i: i > 1)
    assert unknown.take(2).cardinality() == UNKNOWN_CARDINALITY and unknown.skip(1).cardinality() == UNKNOWN_CARDINALITY
    with pytest.raises(ValueError, match="`count` must be an integer"):
        ds.take(2.0)


# -- map and filter -------------------------------------------------------------------------------------------------
def test_map_unpacks_tuples_and_passes_dicts_whole():
    pairs = Dataset.from_tensor_slices((np.array([1, 2]), np.array([10, 20])))
    assert [(int(a), int(b)) for a, b in pairs.map(lambda x, y: (y, x))] == [(10, 1), (20, 2)]
    records = Dataset.from_tensor_slices({"a": np.array([1, 2]), "b": np.array([3, 4])})
    assert ints(records.map(lambda r: r["a"] + r["b"])) == [4, 6]
    assert ints(Dataset.range(3).map(lambda i: i * i)) == [0, 1, 4]
    seen = []
    list(Dataset.range(10, 12).enumerate().map(lambda i, x: seen.append((int(i), int(x))) or i))
    assert seen == [(0, 10), (1, 11)]


def test_map_results_become_numpy_and_a_returned_list_a_tuple():
    out = list(Dataset.range(2).map(lambda i: [i, float(i) / 2]))
    assert all(type(e) is tuple for e in out)
    assert [(int(a), float(b)) for a, b in out] == [(0, 0.0), (1, 0.5)]
    assert isinstance(out[1][1], np.float64)
    tensors = list(Dataset.range(2).map(lambda i: keras.ops.convert_to_tensor([1.0, 2.0]) * float(i)))
    assert all(isinstance(t, np.ndarray) for t in tensors) and tensors[1].tolist() == [1.0, 2.0]
    with pytest.raises(TypeError, match="`map_func` must give arrays"):
        list(Dataset.range(2).map(lambda i: None))
    with pytest.raises(TypeError, match="`map_func` must be callable"):
        Dataset.range(2).map(3)


def test_map_keeps_the_cardinality_and_worked_out_spec():
    mapped = Dataset.range(10).batch(4).map(lambda b: b.astype("float32") / 2)
    assert mapped.cardinality() == 3
    assert mapped.element_spec == TensorSpec((None,), "float32")  # the varying batch dimension stays unknown


def test_filter_keeps_what_the_predicate_accepts():
    assert ints(Dataset.range(10).filter(lambda i: i % 3 == 0)) == [0, 3, 6, 9]
    pairs = Dataset.from_tensor_slices((np.arange(4), np.array([1, 0, 1, 0])))
    assert [int(x) for x, _ in pairs.filter(lambda x, flag: flag == 1)] == [0, 2]
    assert Dataset.range(10).filter(lambda i: True).cardinality() == UNKNOWN_CARDINALITY
    with pytest.raises(ValueError, match="`predicate` must return a boolean scalar"):
        list(Dataset.range(3).filter(lambda i: i))


# -- concatenate, enumerate, cache, prefetch --------------------------------------------------------------------------
def test_concatenate():
    a, b = Dataset.range(3), Dataset.range(10, 12)
    assert ints(a.concatenate(b)) == [0, 1, 2, 10, 11]
    assert a.concatenate(b).cardinality() == 5
    assert a.concatenate(b.repeat()).cardinality() == INFINITE_CARDINALITY
    assert a.concatenate(b.filter(lambda i: True)).cardinality() == UNKNOWN_CARDINALITY
    rows = Dataset.from_tensor_slices(np.zeros((2, 3)))
    assert rows.concatenate(Dataset.from_tensor_slices(np.ones((1, 3)))).element_spec == TensorSpec((3,), "float64")
    with pytest.raises(TypeError, match="Incompatible dataset elements"):
        _ = rows.concatenate(Dataset.range(2)).element_spec


def test_enumerate():
    pairs = list(Dataset.range(10, 13).enumerate(start=5))
    assert [(int(i), int(x)) for i, x in pairs] == [(5, 10), (6, 11), (7, 12)]
    assert all(isinstance(i, np.int64) for i, _ in pairs)
    nested = list(Dataset.from_tensor_slices((np.array([1, 2]), np.array([3, 4]))).enumerate())
    assert [(int(i), int(x), int(y)) for i, (x, y) in nested] == [(0, 1, 3), (1, 2, 4)]
    assert Dataset.range(4).enumerate().cardinality() == 4


def test_cache_serves_the_second_pass_from_memory():
    calls = []

    def expensive(i):
        calls.append(int(i))
        return i * 10

    ds = Dataset.range(4).map(expensive).cache()
    assert ints(ds) == [0, 10, 20, 30] and calls == [0, 1, 2, 3]
    assert ints(ds) == [0, 10, 20, 30] and ints(ds) == [0, 10, 20, 30]
    assert calls == [0, 1, 2, 3]  # the map ran once per element, on the first pass only
    assert ds.cardinality() == 4


def test_a_partial_pass_does_not_fill_the_cache():
    calls = []
    ds = Dataset.range(4).map(lambda i: calls.append(1) or i).cache()
    assert ints(ds.take(2)) == [0, 1]
    assert ints(ds) == [0, 1, 2, 3]  # not cut short by the earlier partial pass
    assert len(calls) == 2 + 4
    ints(ds)
    assert len(calls) == 6


def test_cache_after_shuffle_keeps_the_first_order():
    ds = Dataset.range(20).shuffle(20, seed=0).cache()
    assert ints(ds) == ints(ds)


def test_prefetch_is_a_no_op_that_accepts_autotune():
    ds = Dataset.range(3)
    assert ds.prefetch(keras.data.AUTOTUNE) is ds and ds.prefetch(2) is ds
    assert keras.data.AUTOTUNE == -1
    with pytest.raises(ValueError, match="`buffer_size`"):
        ds.prefetch(-5)


# -- the Python protocol and cardinality --------------------------------------------------------------------------
def test_each_iteration_is_a_fresh_pass():
    ds = Dataset.range(4).map(lambda i: i + 1)
    first, second = iter(ds), iter(ds)
    assert int(next(first)) == 1 and int(next(first)) == 2
    assert int(next(second)) == 1  # independent of the other pass
    assert ints(ds) == ints(ds) == [1, 2, 3, 4]
    assert lists(ds.as_numpy_iterator()) == [1, 2, 3, 4]


def test_len_and_bool():
    assert len(Dataset.range(5).batch(2)) == 3
    with pytest.raises(TypeError, match="The dataset is infinite."):
        len(Dataset.range(5).repeat())
    with pytest.raises(TypeError, match="The dataset length is unknown."):
        len(Dataset.range(5).filter(lambda i: True))
    assert bool(Dataset.range(0)) and bool(Dataset.range(5).repeat())  # never asks __len__
    assert list(Dataset.range(3).repeat().take(2)) == [0, 1]  # list() swallows len's TypeError, as for tf.data


def test_cardinality_of_each_transformation():
    ds = Dataset.from_tensor_slices(np.zeros((10, 2)))
    table = {
        "source": (ds, 10),
        "batch": (ds.batch(3), 4),
        "batch drop": (ds.batch(3, drop_remainder=True), 3),
        "unbatch static": (ds.unbatch(), 20),  # (10, 2): each element has 2 rows
        "unbatch of batch": (ds.batch(3).unbatch(), UNKNOWN_CARDINALITY),  # the last batch may be smaller
        "shuffle": (ds.shuffle(4), 10),
        "map": (ds.map(lambda x: x), 10),
        "filter": (ds.filter(lambda x: True), UNKNOWN_CARDINALITY),
        "take": (ds.take(4), 4),
        "skip": (ds.skip(4), 6),
        "repeat 3": (ds.repeat(3), 30),
        "repeat": (ds.repeat(), INFINITE_CARDINALITY),
        "repeat batch": (ds.repeat().batch(4), INFINITE_CARDINALITY),
        "cache": (ds.cache(), 10),
        "prefetch": (ds.prefetch(1), 10),
        "enumerate": (ds.enumerate(), 10),
        "concatenate": (ds.concatenate(ds), 20),
        "zip": (Dataset.zip(ds, ds.take(3)), 3),
        "from_tensors": (Dataset.from_tensors(np.zeros(3)), 1),
        "from_generator": (Dataset.from_generator(lambda: iter([1])), UNKNOWN_CARDINALITY),
        "generator repeat": (Dataset.from_generator(lambda: iter([1])).repeat(), INFINITE_CARDINALITY),
    }
    got = {name: dataset.cardinality() for name, (dataset, _) in table.items()}
    assert got == {name: expected for name, (_, expected) in table.items()}
    for name, (dataset, expected) in table.items():
        if expected >= 0:
            assert len(list(dataset)) == expected, name
    assert keras.data.experimental.cardinality(ds.repeat()) == keras.data.experimental.INFINITE_CARDINALITY == -1
    assert keras.data.experimental.UNKNOWN_CARDINALITY == keras.data.UNKNOWN_CARDINALITY == -2
    assert isinstance(ds.cardinality(), int)


def test_element_spec_and_repr():
    ds = Dataset.from_tensor_slices((np.zeros((4, 3), "float32"), np.array(["a", "bb", "c", "d"])))
    assert ds.element_spec == (TensorSpec((3,), "float32"), TensorSpec((), "string"))
    assert repr(ds.batch(2)).startswith("<_BatchDataset element_spec=(TensorSpec(shape=(None, 3), dtype=float32")
    assert Dataset.range(3).enumerate().element_spec == (TensorSpec((), "int64"), TensorSpec((), "int64"))
    assert ds.unbatch().element_spec[0] == TensorSpec((), "float32")
    assert TensorSpec((None, 3)).is_compatible_with(np.zeros((7, 3), "float32"))
    assert not TensorSpec((None, 3)).is_compatible_with(np.zeros((7, 4), "float32"))


def test_the_namespace():
    assert keras.data.Dataset is Dataset and "data" in keras.__all__
    assert keras.data.experimental.AUTOTUNE == keras.data.AUTOTUNE
    with pytest.raises(TypeError, match="`dataset` must be a kerasnb.data.Dataset"):
        keras.data.experimental.cardinality([1, 2])


@pytest.mark.parametrize("drop_remainder", [False, True])
def test_batching_slices_gives_the_batches_stacking_gives(drop_remainder):
    """batch() straight after from_tensor_slices slices the arrays; the batches are those of stacking the
    elements one by one (through a map, which hides the slices), and they are the caller's to modify."""
    x = np.arange(30.0, dtype="float32").reshape(10, 3)
    labels = np.arange(10)
    source = Dataset.from_tensor_slices({"x": x, "label": labels})
    sliced = list(source.batch(4, drop_remainder=drop_remainder))
    stacked = list(source.map(lambda e: e).batch(4, drop_remainder=drop_remainder))
    assert [len(b["label"]) for b in sliced] == ([4, 4] if drop_remainder else [4, 4, 2])
    for a, b in zip(sliced, stacked, strict=True):
        np.testing.assert_array_equal(a["x"], b["x"])
        np.testing.assert_array_equal(a["label"], b["label"])
        assert a["x"].dtype == b["x"].dtype and a["label"].dtype == b["label"].dtype
    sliced[0]["x"][0, 0] = -1.0  # a copy: the source arrays are untouched
    assert next(iter(source.batch(4)))["x"][0, 0] == 0.0
