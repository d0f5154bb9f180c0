"""Xception (Chollet, 2017): depthwise separable convolutions with residual connections.

Reference: `Xception: Deep Learning with Depthwise Separable Convolutions <https://arxiv.org/abs/1610.02357>`_.
The layer names, order and shapes are those of ``keras.applications.Xception``, so Keras's published imagenet
weights load into it.
"""

from kerasnb import config, layers
from kerasnb.applications import imagenet_utils
from kerasnb.models import Model

WEIGHTS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/xception/"
WEIGHTS = {  # include_top -> (file name, md5)
    True: ("xception_weights_tf_dim_ordering_tf_kernels.h5", "0a58e3b7378bc2990ea3b43d5981f1f6"),
    False: ("xception_weights_tf_dim_ordering_tf_kernels_notop.h5", "b0042744bf5b25fce3cb969f33bebb97"),
}


def _separable(x, filters, name, relu_before=True):
    """``relu -> SeparableConv2D 3x3 -> BatchNormalization`` (the relu is left out where the block starts)."""
    if relu_before:
        x = layers.Activation("relu", name=name + "_act")(x)
    x = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=_channel_axis(), name=name + "_bn")(x)


def _channel_axis():
    return -1 if config.image_data_format() == "channels_last" else 1


def _downsampling_block(x, filters, block, first_relu=True):
    """Two separable convolutions and a stride-2 max pool, added to a strided 1x1 convolution of the input."""
    residual = layers.Conv2D(filters[1], 1, strides=2, padding="same", use_bias=False)(x)
    residual = layers.BatchNormalization(axis=_channel_axis())(residual)
    x = _separable(x, filters[0], f"block{block}_sepconv1", relu_before=first_relu)
    if not first_relu:  # block 2 has its relu between the two convolutions only
        x = layers.Activation("relu", name=f"block{block}_sepconv2_act")(x)
    x = _separable(x, filters[1], f"block{block}_sepconv2", relu_before=first_relu)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"block{block}_pool")(x)
    return layers.Add()([x, residual])


def Xception(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", name="xception"):
    """Builds the Xception model (299x299 by default, at least 71x71).

    Args:
        include_top: end with global average pooling and the ``predictions`` Dense layer.
        weights: ``None`` (random), ``"imagenet"`` (downloads Keras's published file) or a weights file path.
        input_tensor: a ``keras.Input`` to build the model on.
        input_shape: ``(height, width, 3)`` when ``include_top`` is False (otherwise it must be 299x299).
        pooling: without the top, ``None`` (4D output), ``"avg"`` or ``"max"`` (global pooling, 2D output).
        classes: the number of classes of the top (1000 with imagenet weights).
        classifier_activation: the top's activation (``None`` returns logits).
        name: the model's name.

    Example:
        >>> model = Xception(weights=None, include_top=False, input_shape=(71, 71, 3))
        >>> model.output_shape
        (None, 3, 3, 2048)
    """
    if include_top:
        imagenet_utils.classifier_activation_check(weights, classifier_activation)
    imagenet_utils.validate_weights_argument(weights, include_top, classes, "Xception")
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=299, min_size=71,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    model_inputs, img_input = imagenet_utils.input_tensor_and_image(input_tensor, input_shape)
    axis = _channel_axis()

    # Block 1: two plain convolutions.
    x = img_input
    for conv, filters, strides in (("block1_conv1", 32, 2), ("block1_conv2", 64, 1)):
        x = layers.Conv2D(filters, 3, strides=strides, use_bias=False, name=conv)(x)
        x = layers.BatchNormalization(axis=axis, name=conv + "_bn")(x)
        x = layers.Activation("relu", name=conv + "_act")(x)

    # Entry flow: blocks 2-4 halve the size each.
    x = _downsampling_block(x, (128, 128), 2, first_relu=False)
    x = _downsampling_block(x, (256, 256), 3)
    x = _downsampling_block(x, (728, 728), 4)

    # Middle flow: blocks 5-12, three separable convolutions around an identity shortcut.
    for block in range(5, 13):
        residual = x
        for i in (1, 2, 3):
            x = _separable(x, 728, f"block{block}_sepconv{i}")
        x = layers.Add()([x, residual])

    # Exit flow.
    x = _downsampling_block(x, (728, 1024), 13)
    for i, filters in ((1, 1536), (2, 2048)):
        x = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False, name=f"block14_sepconv{i}")(x)
        x = layers.BatchNormalization(axis=axis, name=f"block14_sepconv{i}_bn")(x)
        x = layers.Activation("relu", name=f"block14_sepconv{i}_act")(x)

    x = imagenet_utils.classifier_top(x, include_top, pooling, classes, classifier_activation, pool_names=None)
    model = Model(model_inputs, x, name=name)
    file_name, file_hash = WEIGHTS[include_top]
    imagenet_utils.load_weights(model, weights, file_name=file_name, origin=WEIGHTS_BASE + file_name,
                                file_hash=file_hash)
    return model


def preprocess_input(x, data_format=None):
    """Scales pixels from [0, 255] to [-1, 1] (mode ``'tf'``), as the imagenet weights expect.

    Example:
        >>> preprocess_input(np.array([0.0, 127.5, 255.0]))
        array([-1.,  0.,  1.])
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each row of ``preds``: lists of ``(class id, name, score)``."""
    return imagenet_utils.decode_predictions(preds, top=top)
