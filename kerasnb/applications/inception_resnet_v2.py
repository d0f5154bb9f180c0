"""Inception-ResNet V2 (Szegedy et al., 2017): Inception branches whose output is added back to the input,
scaled down (residual scaling) to keep the very deep network stable.

Reference: `Inception-v4, Inception-ResNet and the Impact of Residual Connections on Learning
<https://arxiv.org/abs/1602.07261>`_. The layers are those of ``keras.applications.InceptionResNetV2``.
"""

from kerasnb import config, layers
from kerasnb.applications import imagenet_utils
from kerasnb.models import Model
from kerasnb.saving.object_registration import register_keras_serializable

WEIGHTS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/inception_resnet_v2/"
WEIGHTS = {  # include_top -> (file name, md5)
    True: ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5", "e693bd0210a403b3192acc6073ad2e96"),
    False: ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5", "d19885ff4a710c122648d3b5c3b684e4"),
}


@register_keras_serializable(package="Custom")
class CustomScaleLayer(layers.Layer):
    """``inputs[0] + scale * inputs[1]``: a residual connection whose branch is scaled by ``scale``.

    Registered as ``Custom>CustomScaleLayer``, the name Keras 3 saves it under, so configs round-trip.

    Example:
        >>> layer = CustomScaleLayer(0.5)
        >>> layer([np.array([1.0, 2.0]), np.array([4.0, 4.0])]).numpy()
        array([3., 4.], dtype=float32)
    """

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = float(scale)

    def call(self, inputs):
        shortcut, branch = inputs
        return shortcut + branch * self.scale

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def _axis():
    return -1 if config.image_data_format() == "channels_last" else 1


def conv_bn(x, filters, kernel_size, strides=1, padding="same", activation="relu", use_bias=False, name=None):
    """``Conv2D -> BatchNormalization (no scale) -> activation``; a convolution with a bias has no batch norm.

    Named layers get ``name``, ``name + "_bn"`` and ``name + "_ac"``; unnamed ones Keras's automatic names.
    """
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias, name=name)(x)
    if not use_bias:
        x = layers.BatchNormalization(axis=_axis(), scale=False, name=None if name is None else name + "_bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=None if name is None else name + "_ac")(x)
    return x


def _branches(x, block_type):
    """The parallel branches of one residual Inception block."""
    if block_type == "block35":  # 35x35
        return [conv_bn(x, 32, 1),
                conv_bn(conv_bn(x, 32, 1), 32, 3),
                conv_bn(conv_bn(conv_bn(x, 32, 1), 48, 3), 64, 3)]
    if block_type == "block17":  # 17x17
        return [conv_bn(x, 192, 1),
                conv_bn(conv_bn(conv_bn(x, 128, 1), 160, (1, 7)), 192, (7, 1))]
    if block_type == "block8":  # 8x8
        return [conv_bn(x, 192, 1),
                conv_bn(conv_bn(conv_bn(x, 192, 1), 224, (1, 3)), 256, (3, 1))]
    raise ValueError(f"Unknown Inception-ResNet block type {block_type!r}: expected 'block35', 'block17' or 'block8'.")


def inception_resnet_block(x, scale, block_type, block_idx, activation="relu"):
    """Concatenate the branches, project them back to the input's channels with a 1x1 convolution (with bias),
    add ``scale`` times that to the input, then apply ``activation`` (the last block has none)."""
    name = f"{block_type}_{block_idx}"
    mixed = layers.Concatenate(axis=_axis(), name=name + "_mixed")(_branches(x, block_type))
    channels = x.shape[_axis()]
    up = conv_bn(mixed, channels, 1, activation=None, use_bias=True, name=name + "_conv")
    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=name + "_ac")(x)
    return x


def InceptionResNetV2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                      classes=1000, classifier_activation="softmax", name="inception_resnet_v2"):
    """Builds Inception-ResNet V2 (299x299 by default, at least 75x75).

    The arguments are those of :func:`kerasnb.applications.xception.Xception`.

    Example:
        >>> preprocess_input(np.array([0.0, 255.0]))
        array([-1.,  1.])
    """
    if include_top:
        imagenet_utils.classifier_activation_check(weights, classifier_activation)
    imagenet_utils.validate_weights_argument(weights, include_top, classes, "InceptionResNetV2")
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=299, min_size=75,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    model_inputs, img_input = imagenet_utils.input_tensor_and_image(input_tensor, input_shape)
    axis = _axis()

    # Stem: 299 -> 35.
    x = conv_bn(img_input, 32, 3, strides=2, padding="valid")
    x = conv_bn(x, 32, 3, padding="valid")
    x = conv_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv_bn(x, 80, 1, padding="valid")
    x = conv_bn(x, 192, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)

    # mixed_5b: an Inception block, 320 channels.
    branches = [conv_bn(x, 96, 1),
                conv_bn(conv_bn(x, 48, 1), 64, 5),
                conv_bn(conv_bn(conv_bn(x, 64, 1), 96, 3), 96, 3),
                conv_bn(layers.AveragePooling2D(3, strides=1, padding="same")(x), 64, 1)]
    x = layers.Concatenate(axis=axis, name="mixed_5b")(branches)
    for idx in range(1, 11):
        x = inception_resnet_block(x, 0.17, "block35", idx)

    # mixed_6a: 35 -> 17.
    branches = [conv_bn(x, 384, 3, strides=2, padding="valid"),
                conv_bn(conv_bn(conv_bn(x, 256, 1), 256, 3), 384, 3, strides=2, padding="valid"),
                layers.MaxPooling2D(3, strides=2, padding="valid")(x)]
    x = layers.Concatenate(axis=axis, name="mixed_6a")(branches)
    for idx in range(1, 21):
        x = inception_resnet_block(x, 0.1, "block17", idx)

    # mixed_7a: 17 -> 8.
    branches = [conv_bn(conv_bn(x, 256, 1), 384, 3, strides=2, padding="valid"),
                conv_bn(conv_bn(x, 256, 1), 288, 3, strides=2, padding="valid"),
                conv_bn(conv_bn(conv_bn(x, 256, 1), 288, 3), 320, 3, strides=2, padding="valid"),
                layers.MaxPooling2D(3, strides=2, padding="valid")(x)]
    x = layers.Concatenate(axis=axis, name="mixed_7a")(branches)
    for idx in range(1, 10):
        x = inception_resnet_block(x, 0.2, "block8", idx)
    x = inception_resnet_block(x, 1.0, "block8", 10, activation=None)

    x = conv_bn(x, 1536, 1, name="conv_7b")
    x = imagenet_utils.classifier_top(x, include_top, pooling, classes, classifier_activation, pool_names=None)
    model = Model(model_inputs, x, name=name)
    file_name, file_hash = WEIGHTS[include_top]
    imagenet_utils.load_weights(model, weights, file_name=file_name, origin=WEIGHTS_BASE + file_name,
                                file_hash=file_hash)
    return model


def preprocess_input(x, data_format=None):
    """Scales pixels from [0, 255] to [-1, 1] (mode ``'tf'``).

    Example:
        >>> preprocess_input(np.array([0.0, 255.0]))
        array([-1.,  1.])
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each row of ``preds``: lists of ``(class id, name, score)``."""
    return imagenet_utils.decode_predictions(preds, top=top)
