"""DataAdapter: arrays, structures, generators and Sequences into (x, y, sample_weight) batches; shuffling;
errors in Keras's words; train_validation_split; class_weight."""

import numpy as np
import pytest

import kerasnb as keras
from kerasnb.models.data_adapter import (
    DataAdapter,
    class_weight_to_sample_weights,
    train_validation_split,
    unpack_x_y_sample_weight,
)


def epoch(adapter):
    """All batches of one epoch, then the epoch-end call the trainer makes."""
    batches = list(adapter)
    adapter.on_epoch_end()
    return batches


def xs(batches):
    return [x.tolist() for x, _, _ in batches]


# -- arrays ---------------------------------------------------------------------------------------------------
def test_arrays_in_order_with_a_smaller_last_batch():
    x = np.arange(10, dtype="float32").reshape(5, 2)
    y = np.arange(5)
    data = DataAdapter(x, y, batch_size=2)
    assert (data.num_batches, data.num_samples, data.batch_size) == (3, 5, 2)
    batches = epoch(data)
    assert [b[0].shape for b in batches] == [(2, 2), (2, 2), (1, 2)]
    assert [b[1].tolist() for b in batches] == [[0, 1], [2, 3], [4]]
    assert all(sw is None for _, _, sw in batches)
    assert xs(epoch(data)) == xs(batches)  # shuffle=False: the same order every epoch


def test_sample_weights_are_batched_with_the_data():
    data = DataAdapter(np.zeros((3, 1)), np.zeros(3), sample_weight=np.array([1.0, 2.0, 3.0]), batch_size=2)
    assert [sw.tolist() for _, _, sw in epoch(data)] == [[1.0, 2.0], [3.0]]


def test_floats_become_floatx_and_integers_stay():
    data = DataAdapter(np.zeros((4, 2), dtype="float64"), np.arange(4, dtype="int64"), batch_size=4)
    (x, y, _), = epoch(data)
    assert x.dtype == np.float32 and y.dtype == np.int64


def test_tensors_and_python_lists_are_accepted():
    x = keras.ops.convert_to_tensor(np.arange(6.0).reshape(3, 2))
    data = DataAdapter(x, [0, 1, 0], batch_size=2)
    batches = epoch(data)
    assert isinstance(batches[0][0], np.ndarray)
    assert xs(batches) == [[[0.0, 1.0], [2.0, 3.0]], [[4.0, 5.0]]]
    assert [y.tolist() for _, y, _ in batches] == [[0, 1], [0]]
    nested = DataAdapter([[1.0, 2.0], [3.0, 4.0]], batch_size=1)  # one array written as nested lists
    assert xs(epoch(nested)) == [[[1.0, 2.0]], [[3.0, 4.0]]]


def test_lists_and_tuples_of_arrays_are_multi_input_and_multi_output():
    a, b = np.arange(4.0), np.arange(4.0) * 10
    data = DataAdapter([a, b], (np.arange(4), np.ones(4)), batch_size=3)
    (x, y, _), (x2, y2, _) = epoch(data)
    assert isinstance(x, list) and [v.tolist() for v in x] == [[0, 1, 2], [0, 10, 20]]
    assert isinstance(y, tuple) and y[0].tolist() == [0, 1, 2]
    assert [v.tolist() for v in x2] == [[3.0], [30.0]]


def test_dicts_of_arrays_keep_their_names():
    data = DataAdapter({"image": np.zeros((3, 2)), "meta": np.arange(3.0)}, {"out": np.arange(3)}, batch_size=2)
    x, y, _ = epoch(data)[1]
    assert set(x) == {"image", "meta"} and x["meta"].tolist() == [2.0] and y["out"].tolist() == [2]


def test_steps_takes_the_next_batches_and_starts_a_fresh_pass_when_one_ends():
    data = DataAdapter(np.arange(5.0), batch_size=2, steps=2)
    assert data.num_batches == 2
    assert xs(epoch(data)) == [[0.0, 1.0], [2.0, 3.0]]
    assert xs(epoch(data)) == [[4.0], [0.0, 1.0]]
    assert not data.exhausted


def test_batch_size_none_means_32_or_enough_for_steps():
    assert DataAdapter(np.zeros(100), batch_size=None).batch_size == 32
    assert DataAdapter(np.zeros(100), batch_size=None, steps=3).batch_size == 34


def test_whole_is_one_batch_of_everything():
    data = DataAdapter(np.arange(50.0), batch_size=None, whole=True)
    assert data.num_batches == 1 and [x.shape for x, _, _ in epoch(data)] == [(50,)]


# -- shuffling -------------------------------------------------------------------------------------------------
def shuffled_epochs(seed, epochs=2):
    keras.utils.set_random_seed(seed)
    data = DataAdapter(np.arange(20.0), np.arange(20), batch_size=6, shuffle=True)
    return [np.concatenate([x for x, _, _ in epoch(data)]).tolist() for _ in range(epochs)]


def test_shuffle_is_reproducible_with_set_random_seed_and_new_every_epoch():
    first, second = shuffled_epochs(1)
    assert shuffled_epochs(1) == [first, second]
    assert first != second and first != list(range(20))
    assert sorted(first) == sorted(second) == list(range(20))  # every sample once per epoch
    assert shuffled_epochs(2)[0] != first


def test_shuffle_keeps_x_and_y_aligned():
    keras.utils.set_random_seed(0)
    data = DataAdapter(np.arange(20.0), np.arange(20) * 10, sample_weight=np.arange(20.0), batch_size=7, shuffle=True)
    for x, y, sw in epoch(data):
        assert (y == x * 10).all() and (sw == x).all()


def test_batch_shuffle_moves_whole_contiguous_chunks_and_keeps_the_partial_one_last():
    keras.utils.set_random_seed(3)
    data = DataAdapter(np.arange(10.0), batch_size=3, shuffle="batch")
    orders = [xs(epoch(data)) for _ in range(5)]
    for batches in orders:
        assert sorted(batches[:3]) == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]
        assert batches[3] == [9.0]
    assert len({str(o) for o in orders}) > 1


# -- errors ------------------------------------------------------------------------------------------------------
def test_cardinality_error_in_keras_words():
    with pytest.raises(ValueError) as info:
        DataAdapter(np.zeros((100, 3)), np.zeros(99))
    assert str(info.value) == (
        "Data cardinality is ambiguous: x sizes: 100, y sizes: 99. "
        "Make sure all arrays contain the same number of samples."
    )
    with pytest.raises(ValueError, match="x sizes: 10, 10, y sizes: 10, sample_weight sizes: 9"):
        DataAdapter([np.zeros(10), np.zeros(10)], np.zeros(10), sample_weight=np.zeros(9))


@pytest.mark.parametrize("batch_size", [0, -4, 2.5, "32", True])
def test_batch_size_must_be_a_positive_integer(batch_size):
    with pytest.raises(ValueError, match=f"batch_size={batch_size!r}"):
        DataAdapter(np.zeros(4), batch_size=batch_size)


def test_x_none_is_a_clear_error():
    with pytest.raises(ValueError, match=r"got x=None\. Pass your input data as `x`"):
        DataAdapter(None, np.zeros(3))


def test_steps_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="steps=0"):
        DataAdapter(np.zeros(4), steps=0)


def test_unrecognized_and_empty_inputs():
    with pytest.raises(ValueError, match="Unrecognized data type"):
        DataAdapter(object())
    with pytest.raises(ValueError, match="Unrecognized data type"):
        DataAdapter("data.csv")
    with pytest.raises(ValueError, match="no samples"):
        DataAdapter(np.zeros((0, 3)))


# -- generators --------------------------------------------------------------------------------------------------
def batches_of(n, size=2, with_y=True):
    for i in range(n):
        x = np.full((size, 1), float(i))
        yield (x, np.full(size, i)) if with_y else x


def test_generator_of_x_y_tuples_is_consumed_across_epochs():
    data = DataAdapter(batches_of(3))
    assert data.num_batches is None and data.num_samples is None
    batches = epoch(data)
    assert [int(x[0, 0]) for x, _, _ in batches] == [0, 1, 2]
    assert [y.tolist() for _, y, _ in batches] == [[0, 0], [1, 1], [2, 2]]
    assert data.num_batches == 3  # learned when the generator ended
    assert not data.exhausted
    with pytest.warns(UserWarning, match="ran out of data"):
        assert epoch(data) == []
    assert data.exhausted


def test_generator_yielding_x_only_or_x_y_sw():
    (x, y, sw), = epoch(DataAdapter(batches_of(1, with_y=False)))
    assert x.shape == (2, 1) and y is None and sw is None

    def with_weights():
        yield [1.0, 2.0], [0, 1], [0.5, 2.0]  # Python lists become arrays too

    (x, y, sw), = epoch(DataAdapter(with_weights()))
    assert x.dtype == np.float32 and y.tolist() == [0, 1] and sw.tolist() == [0.5, 2.0]


def test_generator_with_steps_continues_where_the_last_epoch_stopped():
    data = DataAdapter(batches_of(5), steps=2)
    assert data.num_batches == 2
    assert [int(x[0, 0]) for x, _, _ in epoch(data)] == [0, 1]
    assert [int(x[0, 0]) for x, _, _ in epoch(data)] == [2, 3]
    with pytest.warns(UserWarning, match="steps_per_epoch \\* epochs"):
        assert [int(x[0, 0]) for x, _, _ in epoch(data)] == [4]
    assert data.exhausted


def test_a_reiterable_object_starts_again_every_epoch():
    class Batches:
        def __iter__(self):
            return batches_of(2)

    data = DataAdapter(Batches())
    assert len(epoch(data)) == 2 and len(epoch(data)) == 2 and not data.exhausted


def test_generators_take_no_separate_y():
    with pytest.raises(ValueError, match="When providing `x` as a generator, `y` should not be passed"):
        DataAdapter(batches_of(2), np.zeros(2))


def test_bad_batch_tuple():
    def four():
        yield 1, 2, 3, 4

    with pytest.raises(ValueError, match="tuple of 4"):
        epoch(DataAdapter(four()))


# -- Sequence ----------------------------------------------------------------------------------------------------
class Squares(keras.utils.Sequence):
    def __init__(self, n=3):
        super().__init__()
        self.n = n
        self.epochs_ended = 0

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        x = np.array([float(index)])
        return x, x**2

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_sequence_batches_in_order_and_on_epoch_end_each_epoch():
    seq = Squares()
    data = DataAdapter(seq)
    assert data.num_batches == 3
    assert xs(epoch(data)) == [[0.0], [1.0], [2.0]]
    assert seq.epochs_ended == 1
    epoch(data)
    assert seq.epochs_ended == 2


def test_sequence_shuffle_reorders_batches_reproducibly():
    keras.utils.set_random_seed(5)
    first = [xs(epoch(DataAdapter(Squares(8), shuffle=True)))]
    keras.utils.set_random_seed(5)
    assert [xs(epoch(DataAdapter(Squares(8), shuffle=True)))] == first
    assert sorted(first[0]) == [[float(i)] for i in range(8)] and first[0] != sorted(first[0])


def test_sequence_with_steps_cycles_through_passes():
    data = DataAdapter(Squares(3), steps=2)
    assert xs(epoch(data)) == [[0.0], [1.0]]
    assert xs(epoch(data)) == [[2.0], [0.0]]


def test_anything_with_len_getitem_and_on_epoch_end_is_a_sequence():
    class DuckSequence:
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.array([i]), np.array([i])

        def on_epoch_end(self):
            pass

    assert DataAdapter(DuckSequence()).num_batches == 2


def test_sequence_base_class_explains_what_to_implement():
    with pytest.raises(TypeError, match="abstract method"):
        len(keras.utils.Sequence())


# -- validation split --------------------------------------------------------------------------------------------
def test_validation_split_takes_the_last_samples():
    x, y = np.arange(10.0), np.arange(10)
    (x_train, y_train, sw_train), (x_val, y_val, sw_val) = train_validation_split((x, y, None), 0.2)
    assert x_train.tolist() == list(range(8)) and x_val.tolist() == [8.0, 9.0]
    assert y_val.tolist() == [8, 9] and sw_train is None and sw_val is None


def test_validation_split_of_python_lists_keeps_x_and_y_apart():
    (x_train, y_train), (x_val, y_val) = train_validation_split(([1.0, 2.0, 3.0, 4.0], [0, 1, 0, 1]), 0.5)
    assert x_train.tolist() == [1.0, 2.0] and y_val.tolist() == [0, 1]


def test_validation_split_of_structures_and_tensors():
    x = {"a": keras.ops.convert_to_tensor(np.arange(4.0)), "b": [[1], [2], [3], [4]]}
    train, val = train_validation_split((x, np.arange(4)), 0.5)
    assert val[0]["a"].tolist() == [2.0, 3.0] and val[0]["b"].tolist() == [[3], [4]] and val[1].tolist() == [2, 3]


@pytest.mark.parametrize("split", [1.5, 1, -0.1, "0.2"])
def test_validation_split_must_be_in_0_1(split):
    with pytest.raises(ValueError) as info:
        train_validation_split((np.zeros(10),), split)
    assert str(info.value) == f"validation_split must be in [0, 1). Received: validation_split={split}"


def test_validation_split_zero_means_no_validation():
    data, val = train_validation_split((np.zeros(4), None), 0.0)
    assert val is None and data[0].shape == (4,)


def test_validation_split_needs_arrays():
    with pytest.raises(ValueError, match="only supported for tensors or NumPy arrays"):
        train_validation_split((batches_of(2), None, None), 0.2)
    with pytest.raises(ValueError, match="only supported for tensors or NumPy arrays"):
        train_validation_split((Squares(), None, None), 0.2)


def test_validation_split_needs_enough_samples_and_matching_sizes():
    with pytest.raises(ValueError, match="not sufficient"):
        train_validation_split((np.zeros(1),), 0.5)  # floor(1 * 0.5) = 0 training samples
    with pytest.raises(ValueError, match="x sizes: 10, y sizes: 9"):
        train_validation_split((np.zeros(10), np.zeros(9), None), 0.2)


# -- class_weight ------------------------------------------------------------------------------------------------
def test_class_weight_from_integer_labels():
    data = DataAdapter(np.zeros((4, 1)), np.array([0, 1, 2, 1]), batch_size=4, class_weight={0: 1.0, 1: 2.0})
    (_, _, sw), = epoch(data)
    assert sw.tolist() == [1.0, 2.0, 1.0, 2.0]  # class 2 is not named: weight 1
    assert sw.dtype == np.float32


def test_class_weight_from_one_hot_and_column_labels():
    one_hot = keras.utils.to_categorical([2, 0, 1])
    assert class_weight_to_sample_weights(one_hot, {0: 5.0, 2: 3.0}).tolist() == [3.0, 5.0, 1.0]
    assert class_weight_to_sample_weights(np.array([[1], [0]]), {1: 4.0}).tolist() == [4.0, 1.0]


def test_class_weight_multiplies_sample_weight():
    data = DataAdapter(
        np.zeros((3, 1)), np.array([0, 1, 1]), sample_weight=np.array([1.0, 0.5, 2.0]), class_weight={1: 10.0}
    )
    (_, _, sw), = epoch(data)
    assert sw.tolist() == [1.0, 5.0, 20.0]


def test_class_weight_for_generator_batches():
    (_, _, sw), = epoch(DataAdapter(batches_of(1), class_weight={0: 3.0}))
    assert sw.tolist() == [3.0, 3.0]


def test_class_weight_needs_one_output():
    data = DataAdapter(np.zeros(2), [np.zeros(2), np.zeros(2)], class_weight={0: 1.0})
    with pytest.raises(ValueError, match="single output"):
        epoch(data)
    with pytest.raises(ValueError, match="must be a dict"):
        DataAdapter(np.zeros(2), np.zeros(2), class_weight=[1.0, 2.0])


def test_unpack_x_y_sample_weight():
    assert unpack_x_y_sample_weight("x") == ("x", None, None)
    assert unpack_x_y_sample_weight(("x",)) == ("x", None, None)
    assert unpack_x_y_sample_weight(["x", "y"]) == ("x", "y", None)
    assert unpack_x_y_sample_weight(("x", "y", "w")) == ("x", "y", "w")
