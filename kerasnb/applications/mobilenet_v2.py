"""MobileNetV2 (Sandler et al., 2018), ``keras.applications.mobilenet_v2``.

Inverted residual blocks: a 1x1 convolution widens the channels ``expansion`` times, a 3x3 depthwise
convolution filters them, a 1x1 "projection" (no activation) narrows them again; when input and output have the
same shape the block's input is added back.
"""

from kerasnb.applications import imagenet_utils
from kerasnb.applications._mobile_common import mobile_input_shape

__all__ = ["MobileNetV2", "decode_predictions", "preprocess_input"]

BASE_WEIGHTS_URL = imagenet_utils.KERAS_APPLICATIONS_URL + "mobilenet_v2/"
# (filters, stride, expansion) of blocks 0 ... 16.
BLOCKS = [(16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6), (64, 1, 6),
          (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6), (160, 2, 6), (160, 1, 6), (160, 1, 6),
          (320, 1, 6)]


def make_divisible(value, divisor=8):
    """``value`` rounded to a multiple of ``divisor`` (at least ``divisor``), never more than 10% below it."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def correct_pad(x, kernel_size=3):
    """The zero padding before a strided 'valid' convolution that matches TensorFlow's 'same' (one row/column
    less at the top/left when the size is even)."""
    size = x.shape[1:3]
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    half = kernel_size // 2
    return ((half - adjust[0], half), (half - adjust[1], half))


def inverted_res_block(x, filters, alpha, stride, expansion, block_id):
    """Expand (1x1), depthwise (3x3), project (1x1); block 0 does not expand and is named ``expanded_conv``."""
    from kerasnb import layers

    inputs, in_channels = x, x.shape[-1]
    out_channels = make_divisible(int(filters * alpha), 8)
    prefix = f"block_{block_id}_" if block_id else "expanded_conv_"
    if block_id:
        x = layers.Conv2D(expansion * in_channels, 1, padding="same", use_bias=False, activation=None,
                          name=prefix + "expand")(x)
        x = layers.BatchNormalization(axis=-1, epsilon=1e-3, momentum=0.999, name=prefix + "expand_BN")(x)
        x = layers.ReLU(6.0, name=prefix + "expand_relu")(x)
    if stride == 2:
        x = layers.ZeroPadding2D(padding=correct_pad(x, 3), name=prefix + "pad")(x)
    x = layers.DepthwiseConv2D(3, strides=stride, activation=None, use_bias=False,
                               padding="same" if stride == 1 else "valid", name=prefix + "depthwise")(x)
    x = layers.BatchNormalization(axis=-1, epsilon=1e-3, momentum=0.999, name=prefix + "depthwise_BN")(x)
    x = layers.ReLU(6.0, name=prefix + "depthwise_relu")(x)
    x = layers.Conv2D(out_channels, 1, padding="same", use_bias=False, activation=None, name=prefix + "project")(x)
    x = layers.BatchNormalization(axis=-1, epsilon=1e-3, momentum=0.999, name=prefix + "project_BN")(x)
    if in_channels == out_channels and stride == 1:
        return layers.Add(name=prefix + "add")([inputs, x])
    return x


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights="imagenet", input_tensor=None,
                pooling=None, classes=1000, classifier_activation="softmax", name=None):
    """MobileNetV2; 3,538,984 parameters at ``alpha=1``. ImageNet weights exist for ``alpha`` in 0.35, 0.5,
    0.75, 1.0, 1.3, 1.4 and sizes 96, 128, 160, 192, 224.

    Example:
        >>> model = keras.applications.MobileNetV2(weights=None, alpha=0.35, include_top=False,
        ...                                        input_shape=(32, 32, 3))
        >>> model.output.shape
        (None, 1, 1, 1280)
    """
    from kerasnb import layers
    from kerasnb.models import Model

    imagenet_utils.validate_weights_argument(weights, include_top, classes, "mobilenetv2")
    if include_top:
        imagenet_utils.classifier_activation_check(weights, classifier_activation)
    input_shape, rows = mobile_input_shape(input_shape, input_tensor, weights, include_top, alpha,
                                           (0.35, 0.50, 0.75, 1.0, 1.3, 1.4), (96, 128, 160, 192, 224),
                                           "MobileNetV2")
    inputs, x = imagenet_utils.input_tensor_and_image(input_tensor, input_shape)
    x = layers.Conv2D(make_divisible(32 * alpha, 8), 3, strides=(2, 2), padding="same", use_bias=False,
                      name="Conv1")(x)
    x = layers.BatchNormalization(axis=-1, epsilon=1e-3, momentum=0.999, name="bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(BLOCKS):
        x = inverted_res_block(x, filters, alpha, stride, expansion, block_id)
    last_filters = make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_filters, 1, use_bias=False, name="Conv_1")(x)
    x = layers.BatchNormalization(axis=-1, epsilon=1e-3, momentum=0.999, name="Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = Model(inputs, x, name=name or f"mobilenetv2_{alpha:0.2f}_{rows}")
    file_name = (f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}"
                 f"{'' if include_top else '_no_top'}.h5")
    imagenet_utils.load_weights(model, weights, file_name=file_name, origin=BASE_WEIGHTS_URL + file_name)
    return model


def preprocess_input(x, data_format=None):
    """Scale to [-1, 1].

    Example:
        >>> preprocess_input(np.array([0, 255], "uint8"))
        array([-1.,  1.], dtype=float32)
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
