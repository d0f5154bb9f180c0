"""A custom layer built by hand (``layer.build(shape)``) is built, as in Keras 3, even when its ``build`` does not
call ``super().build``: the first call must not build it again with new weights."""

import numpy as np

import kerasnb as keras


class Gain(keras.layers.Layer):
    def build(self, input_shape):  # no super().build(), as the guides write it
        self.gain = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="gain")

    def call(self, inputs):
        return inputs * self.gain


def test_build_by_hand_marks_the_layer_built_and_keeps_its_weights():
    layer = Gain()
    layer.build((None, 2))
    assert layer.built
    assert layer.get_build_config() == {"input_shape": [None, 2]}
    layer.gain.assign(np.array([5.0, -1.0], dtype="float32"))
    out = layer(np.ones((1, 2), dtype="float32"))
    np.testing.assert_array_equal(out.numpy(), [[5.0, -1.0]])
    assert len(layer.weights) == 1


def test_a_build_that_raises_leaves_the_layer_unbuilt():
    class Broken(keras.layers.Layer):
        def build(self, input_shape):
            raise ValueError("needs a rank-3 input")

    layer = Broken()
    try:
        layer.build((None, 2))
    except ValueError:
        pass
    assert not layer.built
