"""ResNet50, ResNet101 and ResNet152 (He et al., 2015), ``keras.applications.resnet``.

A ResNet is a 7x7 convolution, a max pooling, and four stages of bottleneck blocks: 1x1 (narrow), 3x3, 1x1 (4x
wider) convolutions whose result is added to the block's input (the "shortcut"). The first block of a stage
changes the width (and, after stage 2, halves the size), so its shortcut is a strided 1x1 convolution.
"""

from kerasnb.applications import imagenet_utils

__all__ = ["ResNet50", "ResNet101", "ResNet152", "decode_predictions", "preprocess_input"]

BASE_WEIGHTS_URL = imagenet_utils.KERAS_APPLICATIONS_URL + "resnet/"
# md5 of Keras's published weights: (with the classifier, without).
WEIGHTS_HASHES = {
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
}
BN_EPSILON = 1.001e-5


def bottleneck_block(x, filters, stride=1, conv_shortcut=True, name=None):
    """One residual block: 1x1 ``filters`` -> 3x3 ``filters`` -> 1x1 ``4 * filters``, plus the shortcut."""
    from kerasnb import layers

    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(x)
        shortcut = layers.BatchNormalization(axis=3, epsilon=BN_EPSILON, name=name + "_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=name + "_1_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=BN_EPSILON, name=name + "_1_bn")(x)
    x = layers.Activation("relu", name=name + "_1_relu")(x)
    x = layers.Conv2D(filters, 3, padding="same", name=name + "_2_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=BN_EPSILON, name=name + "_2_bn")(x)
    x = layers.Activation("relu", name=name + "_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=BN_EPSILON, name=name + "_3_bn")(x)
    x = layers.Add(name=name + "_add")([shortcut, x])
    return layers.Activation("relu", name=name + "_out")(x)


def stage(x, filters, blocks, stride=2, name=None):
    """``blocks`` bottleneck blocks; only the first has a convolution shortcut (and the stride)."""
    x = bottleneck_block(x, filters, stride=stride, name=name + "_block1")
    for i in range(2, blocks + 1):
        x = bottleneck_block(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def build_resnet(blocks_per_stage, model_name, include_top, weights, input_tensor, input_shape, pooling, classes,
                 classifier_activation, name=None):
    """A ResNet whose stages conv2 ... conv5 have ``blocks_per_stage`` blocks of 64, 128, 256, 512 filters."""
    from kerasnb import layers
    from kerasnb.models import Model

    imagenet_utils.validate_weights_argument(weights, include_top, classes, model_name)
    if include_top:
        imagenet_utils.classifier_activation_check(weights, classifier_activation)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                                    data_format="channels_last", require_flatten=include_top,
                                                    weights=weights)
    inputs, x = imagenet_utils.input_tensor_and_image(input_tensor, input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(x)
    x = layers.Conv2D(64, 7, strides=2, name="conv1_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=BN_EPSILON, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for i, (blocks, filters) in enumerate(zip(blocks_per_stage, (64, 128, 256, 512))):
        x = stage(x, filters, blocks, stride=1 if i == 0 else 2, name=f"conv{i + 2}")
    x = imagenet_utils.classifier_top(x, include_top, pooling, classes, classifier_activation)
    model = Model(inputs, x, name=name or model_name)
    suffix = "" if include_top else "_notop"
    file_name = f"{model_name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    imagenet_utils.load_weights(model, weights, file_name=file_name, origin=BASE_WEIGHTS_URL + file_name,
                                file_hash=WEIGHTS_HASHES[model_name][0 if include_top else 1])
    return model


def ResNet50(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
             classes=1000, classifier_activation="softmax", name="resnet50"):
    """ResNet50: 3, 4, 6 and 3 blocks, 25,636,712 parameters.

    Example:
        >>> model = keras.applications.ResNet50(weights=None, include_top=False, input_shape=(32, 32, 3))
        >>> model.output.shape
        (None, 1, 1, 2048)
    """
    return build_resnet((3, 4, 6, 3), "resnet50", include_top, weights, input_tensor, input_shape, pooling,
                        classes, classifier_activation, name)


def ResNet101(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
              classes=1000, classifier_activation="softmax", name="resnet101"):
    """ResNet101: 3, 4, 23 and 3 blocks, 44,707,176 parameters.

    Example:
        >>> keras.applications.ResNet101(weights=None, include_top=False).output.shape  # doctest: +SKIP
        (None, None, None, 2048)
    """
    return build_resnet((3, 4, 23, 3), "resnet101", include_top, weights, input_tensor, input_shape, pooling,
                        classes, classifier_activation, name)


def ResNet152(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
              classes=1000, classifier_activation="softmax", name="resnet152"):
    """ResNet152: 3, 8, 36 and 3 blocks, 60,419,944 parameters.

    Example:
        >>> keras.applications.ResNet152(weights=None, include_top=False).output.shape  # doctest: +SKIP
        (None, None, None, 2048)
    """
    return build_resnet((3, 8, 36, 3), "resnet152", include_top, weights, input_tensor, input_shape, pooling,
                        classes, classifier_activation, name)


def preprocess_input(x, data_format=None):
    """Caffe-style: RGB to BGR, minus the ImageNet means.

    Example:
        >>> preprocess_input(np.full((1, 1, 1, 3), 100, "uint8"))[0, 0, 0].round(3)
        array([ -3.939, -16.779, -23.68 ], dtype=float32)
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


decode_predictions = imagenet_utils.decode_predictions
