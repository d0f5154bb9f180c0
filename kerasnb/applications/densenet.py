"""DenseNet121, DenseNet169 and DenseNet201 (Huang et al., 2016), ``keras.applications.densenet``.

Inside a dense block every layer sees all earlier layers' outputs: each "conv block" (batch norm, ReLU, 1x1
convolution to 128 channels, batch norm, ReLU, 3x3 convolution to 32) concatenates its 32 new channels to its
input. Between blocks a transition (batch norm, ReLU, 1x1 convolution halving the channels, 2x2 average pooling)
halves the size.
"""

from kerasnb.applications import imagenet_utils

__all__ = ["DenseNet121", "DenseNet169", "DenseNet201", "decode_predictions", "preprocess_input"]

BASE_WEIGHTS_URL = imagenet_utils.KERAS_APPLICATIONS_URL + "densenet/"
# md5 of Keras's published weights: (with the classifier, without).
WEIGHTS_HASHES = {
    "densenet121": ("9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    "densenet169": ("d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    "densenet201": ("1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
}
BN_EPSILON = 1.001e-5
GROWTH_RATE = 32


def conv_block(x, growth_rate, name):
    """BN-ReLU-Conv1x1(4k)-BN-ReLU-Conv3x3(k), concatenated to the input."""
    from kerasnb import layers

    y = layers.BatchNormalization(axis=3, epsilon=BN_EPSILON, name=name + "_0_bn")(x)
    y = layers.Activation("relu", name=name + "_0_relu")(y)
    y = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=name + "_1_conv")(y)
    y = layers.BatchNormalization(axis=3, epsilon=BN_EPSILON, name=name + "_1_bn")(y)
    y = layers.Activation("relu", name=name + "_1_relu")(y)
    y = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=name + "_2_conv")(y)
    return layers.Concatenate(axis=3, name=name + "_concat")([x, y])


def dense_block(x, blocks, name):
    for i in range(1, blocks + 1):
        x = conv_block(x, GROWTH_RATE, name=f"{name}_block{i}")
    return x


def transition_block(x, reduction, name):
    """BN-ReLU-Conv1x1 (``reduction`` of the channels), then 2x2 average pooling."""
    from kerasnb import layers

    x = layers.BatchNormalization(axis=3, epsilon=BN_EPSILON, name=name + "_bn")(x)
    x = layers.Activation("relu", name=name + "_relu")(x)
    x = layers.Conv2D(int(x.shape[3] * reduction), 1, use_bias=False, name=name + "_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=name + "_pool")(x)


def build_densenet(blocks, model_name, include_top, weights, input_tensor, input_shape, pooling, classes,
                   classifier_activation, name=None):
    """A DenseNet with ``blocks[i]`` conv blocks in dense block ``i`` (conv2 ... conv5)."""
    from kerasnb import layers
    from kerasnb.models import Model

    imagenet_utils.validate_weights_argument(weights, include_top, classes, model_name)
    if include_top:
        imagenet_utils.classifier_activation_check(weights, classifier_activation)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                                    data_format="channels_last", require_flatten=include_top,
                                                    weights=weights)
    inputs, x = imagenet_utils.input_tensor_and_image(input_tensor, input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(x)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=BN_EPSILON, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for i, n in enumerate(blocks):
        x = dense_block(x, n, name=f"conv{i + 2}")
        if i < len(blocks) - 1:
            x = transition_block(x, 0.5, name=f"pool{i + 2}")
    x = layers.BatchNormalization(axis=3, epsilon=BN_EPSILON, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    x = imagenet_utils.classifier_top(x, include_top, pooling, classes, classifier_activation)
    model = Model(inputs, x, name=name or model_name)
    file_name = f"{model_name}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    imagenet_utils.load_weights(model, weights, file_name=file_name, origin=BASE_WEIGHTS_URL + file_name,
                                file_hash=WEIGHTS_HASHES[model_name][0 if include_top else 1])
    return model


def DenseNet121(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes=1000, classifier_activation="softmax", name="densenet121"):
    """DenseNet121: 6, 12, 24, 16 conv blocks, 8,062,504 parameters.

    Example:
        >>> model = keras.applications.DenseNet121(weights=None, include_top=False, input_shape=(32, 32, 3))
        >>> model.output.shape
        (None, 1, 1, 1024)
    """
    return build_densenet((6, 12, 24, 16), "densenet121", include_top, weights, input_tensor, input_shape,
                          pooling, classes, classifier_activation, name)


def DenseNet169(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes=1000, classifier_activation="softmax", name="densenet169"):
    """DenseNet169: 6, 12, 32, 32 conv blocks, 14,307,880 parameters.

    Example:
        >>> keras.applications.DenseNet169(weights=None, include_top=False).output.shape  # doctest: +SKIP
        (None, None, None, 1664)
    """
    return build_densenet((6, 12, 32, 32), "densenet169", include_top, weights, input_tensor, input_shape,
                          pooling, classes, classifier_activation, name)


def DenseNet201(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes=1000, classifier_activation="softmax", name="densenet201"):
    """DenseNet201: 6, 12, 48, 32 conv blocks, 20,242,984 parameters.

    Example:
        >>> keras.applications.DenseNet201(weights=None, include_top=False).output.shape  # doctest: +SKIP
        (None, None, None, 1920)
    """
    return build_densenet((6, 12, 48, 32), "densenet201", include_top, weights, input_tensor, input_shape,
                          pooling, classes, classifier_activation, name)


def preprocess_input(x, data_format=None):
    """Torch-style: to [0, 1], minus the ImageNet mean, divided by its standard deviation, per channel.

    Example:
        >>> preprocess_input(np.full((1, 3), 255, "uint8")).round(3)
        array([[2.249, 2.429, 2.64 ]], dtype=float32)
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="torch")


decode_predictions = imagenet_utils.decode_predictions
