"""The Keras model API: layers, Sequential, functional and subclassed models, summary, errors.

Snippets marked "seed" are the user's guides' code with only the import changed."""

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import layers


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()  # auto-names start again at dense, dense_1, ... as in a fresh Keras session
    yield


def summary_lines(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return lines


# ---------------------------------------------------------------------------------------------------------
# Summaries and parameter counts from the seeds
# ---------------------------------------------------------------------------------------------------------

SEED_345 = """\
Model: "sequential"
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
dense (Dense)                (None, 16)                272       
_________________________________________________________________
dense_1 (Dense)              (None, 4)                 68        
_________________________________________________________________
dense_2 (Dense)              (None, 1)                 5         
=================================================================
Total params: 345
Trainable params: 345
Non-trainable params: 0
_________________________________________________________________"""


def test_seed_dense_16_4_1_summary_is_exact():
    model = keras.models.Sequential([
        layers.Dense(16, activation='relu', input_shape=(16,)),
        layers.Dense(4, activation='relu'),
        layers.Dense(1),
    ])
    assert "\n".join(summary_lines(model)) == SEED_345


def test_seed_mnist_mlp_summary():
    n_inputs, n_classes = 784, 10
    model = keras.Sequential()
    model.add(layers.Dense(units=128, activation='sigmoid', input_shape=(n_inputs,)))
    model.add(layers.Dropout(0.1))
    model.add(layers.Dense(units=128, activation='sigmoid'))
    model.add(layers.Dropout(0.1))
    model.add(layers.Dense(units=n_classes, activation='softmax'))
    lines = summary_lines(model)
    assert lines[4] == "dense (Dense)                (None, 128)               100480    "
    assert lines[6] == "dropout (Dropout)            (None, 128)               0         "
    assert lines[8] == "dense_1 (Dense)              (None, 128)               16512     "
    assert lines[12] == "dense_2 (Dense)              (None, 10)                1290      "
    assert lines[-4:-1] == ["Total params: 118,282", "Trainable params: 118,282", "Non-trainable params: 0"]


def test_seed_layer1_layer2_layer3_summary():
    model = keras.Sequential([
        keras.layers.Dense(5, activation="relu", name="layer1", input_shape=(4,)),
        keras.layers.Dense(3, activation="relu", name="layer2"),
        keras.layers.Dense(1, name="layer3"),
    ])
    lines = summary_lines(model)
    assert lines[4].startswith("layer1 (Dense)               (None, 5)                 25")
    assert "Total params: 47" in lines
    assert [w.path for w in model.layers[0].weights] == ["layer1/kernel", "layer1/bias"]


def test_long_names_are_cut_to_their_column_as_keras_printed_them():
    model = keras.Sequential([keras.layers.Dense(2, input_shape=(3,), name="a_very_long_layer_name_indeed")])
    assert summary_lines(model)[4].startswith("a_very_long_layer_name_indee (None, 2)")


def test_summary_of_unbuilt_model_says_how_to_build():
    model = keras.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match="has not yet been built"):
        model.summary()
    model(np.ones((3, 5)))  # built on first data
    assert "Total params: 12" in summary_lines(model)


# ---------------------------------------------------------------------------------------------------------
# Layer
# ---------------------------------------------------------------------------------------------------------


def test_auto_names_are_keras_names():
    names = [layers.Dense(1).name, layers.Dense(1).name, layers.Dropout(0.5).name, layers.Flatten().name]
    assert names == ["dense", "dense_1", "dropout", "flatten"]
    assert keras.Sequential().name == "sequential"


def test_unknown_keyword_arguments_are_named():
    with pytest.raises(TypeError, match=r"Unrecognized keyword arguments passed to Dense: \{'unit': 3\}"):
        layers.Dense(4, unit=3)


def test_dense_and_dropout_argument_errors():
    with pytest.raises(ValueError, match="expected a positive integer. Received: units=0"):
        layers.Dense(units=0)
    with pytest.raises(ValueError, match="Received: rate=1.5"):
        layers.Dropout(1.5)


def test_weights_get_set_trainable_and_count():
    layer = layers.Dense(3, input_dim=2)
    with pytest.raises(ValueError, match="isn't built"):
        layer.count_params()
    layer(np.ones((1, 2)))
    assert [w.shape for w in layer.weights] == [(2, 3), (3,)]
    assert layer.count_params() == 9
    layer.set_weights([np.ones((2, 3)), np.zeros(3)])
    np.testing.assert_array_equal(layer(np.ones((1, 2))).numpy(), [[2, 2, 2]])
    with pytest.raises(ValueError, match="weight list of length 1, but the layer was expecting 2 weights"):
        layer.set_weights([np.ones((2, 3))])
    with pytest.raises(ValueError, match=r"weight shape \(2, 3\) is not compatible with provided weight shape"):
        layer.set_weights([np.ones((3, 3)), np.zeros(3)])
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2


def test_input_shape_errors_name_the_layer_and_shapes():
    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64)(inputs)
    outputs = layers.Dense(10)(x)
    model = keras.Model(inputs, outputs)
    with pytest.raises(ValueError, match=r"expected shape=\(None, 784\), found shape=\(32, 100\)"):
        model(np.ones((32, 100)))
    dense = layers.Dense(4)
    dense(np.ones((2, 784)))
    with pytest.raises(ValueError, match=(r'Input 0 of layer "dense_2" is incompatible with the layer: expected '
                                          r"axis -1 of input shape to have value 784, but received input with shape "
                                          r"\(32, 100\)")):
        dense(np.ones((32, 100)))


def test_forgetting_super_init_is_explained():
    class Broken(keras.layers.Layer):
        def __init__(self, units):
            self.units = units

        def call(self, inputs):
            return inputs

    with pytest.raises(RuntimeError, match=r"forgot to call `super\(\).__init__\(\)`"):
        Broken(3)(np.ones((1, 2)))


def test_seed_custom_layer_with_attributes_before_super_init():
    class MyLayer(keras.layers.Layer):
        def __init__(self, output_dim, **kwargs):
            self.output_dim = output_dim
            super(MyLayer, self).__init__(**kwargs)

        def build(self, input_shape):
            shape = (input_shape[1], self.output_dim)
            self.kernel = self.add_weight(name='kernel', shape=shape, initializer='uniform', trainable=True)
            super(MyLayer, self).build(input_shape)

        def call(self, inputs):
            return keras.ops.matmul(inputs, self.kernel)

        def compute_output_shape(self, input_shape):
            shape = list(input_shape)
            shape[-1] = self.output_dim
            return tuple(shape)

        def get_config(self):
            base_config = super(MyLayer, self).get_config()
            base_config['output_dim'] = self.output_dim
            return base_config

        @classmethod
        def from_config(cls, config):
            return cls(**config)

    model = keras.Sequential([MyLayer(10), keras.layers.Activation('softmax')])
    out = model(np.random.random((4, 32)))
    assert out.shape == (4, 10)
    np.testing.assert_allclose(out.numpy().sum(axis=1), 1, rtol=1e-6)
    clone = MyLayer.from_config(model.layers[0].get_config())
    assert clone.output_dim == 10


def test_layer_losses_from_regularizers_and_add_loss():
    layer = layers.Dense(2, kernel_regularizer=keras.regularizers.l2(0.5), kernel_initializer="ones",
                         activity_regularizer=keras.regularizers.l1(0.1))
    layer(np.ones((1, 3)))
    values = sorted(float(v) for v in layer.losses)
    assert values == pytest.approx([0.6, 3.0])  # l1 on outputs [3, 3]; l2 on six ones


# ---------------------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------------------


def test_sequential_add_pop_and_deferred_build():
    model = keras.Sequential()
    model.add(layers.Dense(4))
    model.add(layers.Dense(2))
    assert not model.built
    y = model(np.ones((3, 5)))
    assert y.shape == (3, 2) and model.built and model.count_params() == 24 + 10
    popped = model.pop()
    assert popped.name == "dense_1" and len(model.layers) == 1
    with pytest.raises(ValueError, match="unique names"):
        model.add(layers.Dense(2, name="dense"))
    with pytest.raises(TypeError, match="must be an instance of class Layer"):
        model.add("dense")


def test_sequential_starting_from_input_and_nested_models():
    inner = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3)])
    outer = keras.Sequential([keras.Input(shape=(4,)), inner, layers.Dense(1)])
    assert outer(np.ones((2, 4))).shape == (2, 1)
    assert outer.count_params() == 15 + 4
    assert [type(layer).__name__ for layer in outer.layers] == ["Sequential", "Dense"]


def test_functional_multi_input_multi_output_shared_and_residual():
    a = keras.Input(shape=(8,), name="a")
    b = keras.Input(shape=(8,), name="b")
    shared = layers.Dense(8, activation="relu", name="shared")
    ha, hb = shared(a), shared(b)  # one layer, two calls
    merged = ha + hb  # an operator on symbolic tensors
    residual = layers.Dense(8)(merged) + merged
    out1 = layers.Dense(1, name="score")(residual)
    out2 = layers.Dense(3, activation="softmax", name="label")(hb)
    model = keras.Model(inputs=[a, b], outputs=[out1, out2])
    x = np.random.default_rng(0).normal(size=(5, 8))
    y1, y2 = model([x, x])
    assert y1.shape == (5, 1) and y2.shape == (5, 3)
    y1d, _ = model({"a": x, "b": x})
    np.testing.assert_allclose(y1d.numpy(), y1.numpy())
    assert model.get_layer("shared") is shared and model.get_layer(index=0).name == "a"
    lines = summary_lines(model)
    assert lines[2].startswith("Layer (type)") and "Connected to" in lines[2] and len(lines[1]) == 98
    assert any("shared[1][0]" in line for line in lines)
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")


def test_functional_dict_outputs_and_model_as_layer():
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, {"y": layers.Dense(2)(inputs)})
    assert model(np.ones((1, 3)))["y"].shape == (1, 2)
    seq_inputs = keras.Input(shape=(3,))
    wrapper = keras.Model(seq_inputs, layers.Dense(1)(model(seq_inputs)["y"]))
    assert wrapper(np.ones((4, 3))).shape == (4, 1)


def test_disconnected_graph_and_unused_input_errors():
    a, b = keras.Input(shape=(2,)), keras.Input(shape=(2,))
    out = layers.Dense(1)(b)
    with pytest.raises(ValueError, match="Graph disconnected"):
        keras.Model(inputs=a, outputs=out)
    with pytest.raises(ValueError, match="not connected to any of the model's outputs"):
        keras.Model(inputs=[a, b], outputs=out)


def test_subclassed_model_tracks_layers_in_attributes_lists_and_dicts():
    class MyModel(keras.Model):
        def __init__(self, num_classes=10):
            super(MyModel, self).__init__(name='my_model')
            self.num_classes = num_classes
            self.dense_1 = keras.layers.Dense(32, activation='relu')
            self.blocks = [keras.layers.Dense(32), keras.layers.Dropout(0.5)]
            self.heads = {"out": keras.layers.Dense(num_classes, activation='sigmoid')}

        def call(self, inputs):
            x = self.dense_1(inputs)
            for block in self.blocks:
                x = block(x)
            return self.heads["out"](x)

    model = MyModel(num_classes=10)
    assert model.name == "my_model"
    y = model(np.ones((2, 16)))
    assert y.shape == (2, 10)
    assert len(model.weights) == 6 and model.count_params() == 16 * 32 + 32 + 32 * 32 + 32 + 32 * 10 + 10
    assert len(model.layers) == 4
    assert "Total params: 1,930" in summary_lines(model)


def test_weights_follow_attribute_changes_after_they_were_read():
    # Layer caches its attribute walk; every kind of change after a read must still show up.
    model = keras.Model()
    model.blocks = [keras.layers.Dense(2)]
    model.blocks[0].build((None, 3))
    assert len(model.weights) == 2
    extra = keras.layers.Dense(1)
    extra.build((None, 2))
    model.blocks.append(extra)  # in place: same list, new length
    assert len(model.weights) == 4
    model.blocks[1] = keras.layers.Dense(5)  # in place, same length
    model.blocks[1].build((None, 2))
    assert [w.shape for w in model.weights][-2:] == [(2, 5), (5,)]
    model.head = keras.layers.Dense(1)
    model.head.build((None, 5))
    assert len(model.weights) == 6
    del model.head
    assert len(model.weights) == 4
    model.blocks[0].trainable = False
    assert len(model.trainable_weights) == 2 and len(model.weights) == 4


def test_training_flag_reaches_nested_dropout():
    class WithDropout(keras.Model):
        def __init__(self):
            super().__init__()
            self.drop = keras.layers.Dropout(0.5, seed=1)

        def call(self, inputs):
            return self.drop(inputs)

    model = WithDropout()
    x = np.ones((4, 100), "float32")
    np.testing.assert_array_equal(model(x).numpy(), x)
    assert (model(x, training=True).numpy() == 0).any()


def test_masks_pass_through_masking_aware_layers_and_reach_call():
    class MakeMask(keras.layers.Layer):
        def call(self, inputs):
            return inputs

        def compute_mask(self, inputs, mask=None):
            return keras.ops.not_equal(inputs[..., 0], 0)

    class UseMask(keras.layers.Layer):
        def call(self, inputs, mask=None):
            self.seen = None if mask is None else mask.numpy().tolist()
            return inputs

    use = UseMask()
    model = keras.Sequential([MakeMask(), layers.Dense(2, kernel_initializer="ones"), use])
    model(np.array([[[1.0], [0.0], [2.0]]]))
    assert use.seen == [[True, False, True]]  # computed by MakeMask, passed on by Dense (supports_masking)
    plain = keras.Sequential([layers.Dense(2), UseMask()])
    plain(np.ones((1, 3, 1)))
    assert plain.layers[-1].seen is None


def test_sequential_pop_keeps_one_call_per_layer_for_feature_extraction():
    model = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(4), layers.Dense(3), layers.Dense(2)])
    model.pop()
    assert [len(layer._inbound_nodes) for layer in model.layers] == [1, 1]
    assert model.output_shape == (None, 3)
    extractor = keras.Model(inputs=model.inputs, outputs=[layer.output for layer in model.layers])
    features = extractor(np.ones((2, 5)))
    assert [f.shape for f in features] == [(2, 4), (2, 3)]
    model.pop(rebuild=False)
    model.add(layers.Dense(6))
    assert [len(layer._inbound_nodes) for layer in model.layers] == [1, 1]
    assert model.output_shape == (None, 6)
