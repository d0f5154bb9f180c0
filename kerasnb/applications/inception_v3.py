"""Inception V3 (Szegedy et al., 2016): parallel 1x1 / 3x3 / 5x5 (factorized 7x7) branches, concatenated.

Reference: `Rethinking the Inception Architecture for Computer Vision <https://arxiv.org/abs/1512.00567>`_.
The layers are those of ``keras.applications.InceptionV3``: inside the blocks only the concatenations
(``mixed0`` ... ``mixed10``) have names; the convolutions are ``conv2d_N``, as in Keras.
"""

from kerasnb import config, layers
from kerasnb.applications import imagenet_utils
from kerasnb.models import Model

WEIGHTS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
WEIGHTS = {  # include_top -> (file name, md5)
    True: ("inception_v3_weights_tf_dim_ordering_tf_kernels.h5", "9a0d58056eeedaa3f26cb7ebd46da564"),
    False: ("inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5", "bcbd6486424b2319ff4ef7d526e38f63"),
}


def _axis():
    return -1 if config.image_data_format() == "channels_last" else 1


def conv_bn(x, filters, rows, cols, strides=1, padding="same"):
    """``Conv2D (no bias) -> BatchNormalization (no scale) -> relu``: every convolution of the network."""
    x = layers.Conv2D(filters, (rows, cols), strides=strides, padding=padding, use_bias=False)(x)
    x = layers.BatchNormalization(axis=_axis(), scale=False)(x)
    return layers.Activation("relu")(x)


def _pool_branch(x, filters):
    x = layers.AveragePooling2D(3, strides=1, padding="same")(x)
    return conv_bn(x, filters, 1, 1)


def _block_35(x, pool_filters, name):
    """35x35 blocks (mixed0-2): 1x1, 5x5, double 3x3 and pooled branches."""
    b1 = conv_bn(x, 64, 1, 1)
    b5 = conv_bn(conv_bn(x, 48, 1, 1), 64, 5, 5)
    b3 = conv_bn(conv_bn(conv_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3)
    return layers.Concatenate(axis=_axis(), name=name)([b1, b5, b3, _pool_branch(x, pool_filters)])


def _block_17(x, mid, name):
    """17x17 blocks (mixed4-7): the 7x7 convolutions factorized into 1x7 and 7x1."""
    b1 = conv_bn(x, 192, 1, 1)
    b7 = conv_bn(conv_bn(conv_bn(x, mid, 1, 1), mid, 1, 7), 192, 7, 1)
    d = conv_bn(x, mid, 1, 1)
    for filters, (rows, cols) in ((mid, (7, 1)), (mid, (1, 7)), (mid, (7, 1)), (192, (1, 7))):
        d = conv_bn(d, filters, rows, cols)
    return layers.Concatenate(axis=_axis(), name=name)([b1, b7, d, _pool_branch(x, 192)])


def _block_8(x, index):
    """8x8 blocks (mixed9-10): the 3x3 convolutions split into parallel 1x3 and 3x1."""
    b1 = conv_bn(x, 320, 1, 1)
    b3 = conv_bn(x, 384, 1, 1)
    b3 = layers.Concatenate(axis=_axis(), name=f"mixed9_{index}")([conv_bn(b3, 384, 1, 3), conv_bn(b3, 384, 3, 1)])
    d = conv_bn(conv_bn(x, 448, 1, 1), 384, 3, 3)
    d = layers.Concatenate(axis=_axis())([conv_bn(d, 384, 1, 3), conv_bn(d, 384, 3, 1)])
    return layers.Concatenate(axis=_axis(), name=f"mixed{9 + index}")([b1, b3, d, _pool_branch(x, 192)])


def InceptionV3(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes=1000, classifier_activation="softmax", name="inception_v3"):
    """Builds Inception V3 (299x299 by default, at least 75x75).

    The arguments are those of :func:`kerasnb.applications.xception.Xception`.

    Example:
        >>> model = InceptionV3(weights=None, include_top=False, input_shape=(75, 75, 3))
        >>> model.output_shape
        (None, 1, 1, 2048)
    """
    if include_top:
        imagenet_utils.classifier_activation_check(weights, classifier_activation)
    imagenet_utils.validate_weights_argument(weights, include_top, classes, "InceptionV3")
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=299, min_size=75,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    model_inputs, img_input = imagenet_utils.input_tensor_and_image(input_tensor, input_shape)
    axis = _axis()

    # Stem: 299 -> 35.
    x = conv_bn(img_input, 32, 3, 3, strides=2, padding="valid")
    x = conv_bn(x, 32, 3, 3, padding="valid")
    x = conv_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv_bn(x, 80, 1, 1, padding="valid")
    x = conv_bn(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)

    for i, pool_filters in enumerate((32, 64, 64)):
        x = _block_35(x, pool_filters, f"mixed{i}")

    # mixed3: 35 -> 17.
    b3 = conv_bn(x, 384, 3, 3, strides=2, padding="valid")
    d = conv_bn(conv_bn(conv_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, strides=2, padding="valid")
    x = layers.Concatenate(axis=axis, name="mixed3")([b3, d, layers.MaxPooling2D(3, strides=2)(x)])

    for i, mid in enumerate((128, 160, 160, 192)):
        x = _block_17(x, mid, f"mixed{4 + i}")

    # mixed8: 17 -> 8.
    b3 = conv_bn(conv_bn(x, 192, 1, 1), 320, 3, 3, strides=2, padding="valid")
    b7 = conv_bn(x, 192, 1, 1)
    for rows, cols in ((1, 7), (7, 1)):
        b7 = conv_bn(b7, 192, rows, cols)
    b7 = conv_bn(b7, 192, 3, 3, strides=2, padding="valid")
    x = layers.Concatenate(axis=axis, name="mixed8")([b3, b7, layers.MaxPooling2D(3, strides=2)(x)])

    for i in range(2):
        x = _block_8(x, i)

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
