"""EfficientNet B0-B7 (Tan & Le, 2019): MobileNetV2-style inverted residual blocks with squeeze-and-excitation,
scaled in width, depth and resolution together.

Reference: `EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks
<https://arxiv.org/abs/1905.11946>`_. The layers are those of ``keras.applications.EfficientNetB0`` ... ``B7``.
The model normalizes its own input (``Rescaling`` to [0, 1], then ``Normalization``), so it takes raw
[0, 255] pixels and :func:`preprocess_input` returns its input unchanged.
"""

import math

from kerasnb import config, initializers, layers
from kerasnb.applications import imagenet_utils
from kerasnb.models import Model

WEIGHTS_HASHES = {  # variant -> (md5 with top, md5 without)
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}

# One row per stage of B0: (kernel size, repeats, filters in, filters out, expand ratio, strides).
# Every block has squeeze-and-excitation (ratio 0.25) and an identity shortcut where the shapes allow.
STAGES = [
    (3, 1, 32, 16, 1, 1),
    (3, 2, 16, 24, 6, 2),
    (5, 2, 24, 40, 6, 2),
    (3, 3, 40, 80, 6, 2),
    (5, 3, 80, 112, 6, 1),
    (5, 4, 112, 192, 6, 2),
    (3, 1, 192, 320, 6, 1),
]
SE_RATIO = 0.25
IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225]


def _conv_init():
    return initializers.VarianceScaling(scale=2.0, mode="fan_out", distribution="truncated_normal")


def _dense_init():
    return initializers.VarianceScaling(scale=1.0 / 3.0, mode="fan_out", distribution="uniform")


def _axis():
    return -1 if config.image_data_format() == "channels_last" else 1


def round_filters(filters, width_coefficient, divisor=8):
    """``filters * width_coefficient`` rounded to a multiple of ``divisor``, never more than 10% below it.

    Example:
        >>> round_filters(32, 1.1)
        32
    """
    filters *= width_coefficient
    rounded = max(divisor, int(filters + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * filters:
        rounded += divisor
    return int(rounded)


def round_repeats(repeats, depth_coefficient):
    """How many times a stage's block repeats: ``ceil(repeats * depth_coefficient)``."""
    return int(math.ceil(depth_coefficient * repeats))


def _correct_pad(x, kernel_size):
    """The ZeroPadding2D amounts that make a stride-2 'valid' convolution behave like TensorFlow's 'same'."""
    spatial = x.shape[1:3] if config.image_data_format() == "channels_last" else x.shape[2:4]
    adjust = (1, 1) if spatial[0] is None else (1 - spatial[0] % 2, 1 - spatial[1] % 2)
    half = kernel_size // 2
    return ((half - adjust[0], half), (half - adjust[1], half))


def mb_conv_block(x, name, filters_in, filters_out, kernel_size, strides, expand_ratio, drop_rate,
                  activation="swish"):
    """One inverted residual block: expand (1x1), depthwise conv, squeeze-and-excite, project (1x1), add."""
    inputs = x
    axis = _axis()
    filters = filters_in * expand_ratio
    if expand_ratio != 1:
        x = layers.Conv2D(filters, 1, padding="same", use_bias=False, kernel_initializer=_conv_init(),
                          name=name + "expand_conv")(x)
        x = layers.BatchNormalization(axis=axis, name=name + "expand_bn")(x)
        x = layers.Activation(activation, name=name + "expand_activation")(x)

    padding = "same"
    if strides == 2:
        x = layers.ZeroPadding2D(padding=_correct_pad(x, kernel_size), name=name + "dwconv_pad")(x)
        padding = "valid"
    x = layers.DepthwiseConv2D(kernel_size, strides=strides, padding=padding, use_bias=False,
                               depthwise_initializer=_conv_init(), name=name + "dwconv")(x)
    x = layers.BatchNormalization(axis=axis, name=name + "bn")(x)
    x = layers.Activation(activation, name=name + "activation")(x)

    # Squeeze and excitation: a per-channel gate computed from the globally pooled features.
    se = layers.GlobalAveragePooling2D(name=name + "se_squeeze")(x)
    se = layers.Reshape((1, 1, filters) if axis == -1 else (filters, 1, 1), name=name + "se_reshape")(se)
    se = layers.Conv2D(max(1, int(filters_in * SE_RATIO)), 1, padding="same", activation=activation,
                       kernel_initializer=_conv_init(), name=name + "se_reduce")(se)
    se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid", kernel_initializer=_conv_init(),
                       name=name + "se_expand")(se)
    x = layers.Multiply(name=name + "se_excite")([x, se])

    x = layers.Conv2D(filters_out, 1, padding="same", use_bias=False, kernel_initializer=_conv_init(),
                      name=name + "project_conv")(x)
    x = layers.BatchNormalization(axis=axis, name=name + "project_bn")(x)
    if strides == 1 and filters_in == filters_out:
        if drop_rate > 0:  # stochastic depth: drop the whole residual branch of a sample
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=name + "drop")(x)
        x = layers.Add(name=name + "add")([x, inputs])
    return x


def EfficientNet(width_coefficient, depth_coefficient, default_size, dropout_rate=0.2, drop_connect_rate=0.2,
                 depth_divisor=8, activation="swish", model_name="efficientnet", include_top=True,
                 weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
                 classifier_activation="softmax"):
    """Builds an EfficientNet of the given scaling; ``EfficientNetB0`` ... ``B7`` call it with their numbers.

    Example:
        >>> model = EfficientNet(1.0, 1.0, 224, include_top=False, weights=None, input_shape=(32, 32, 3))
        >>> model.output_shape
        (None, 1, 1, 1280)
    """
    if include_top:
        imagenet_utils.classifier_activation_check(weights, classifier_activation)
    imagenet_utils.validate_weights_argument(weights, include_top, classes, model_name)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=default_size, min_size=32,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    model_inputs, img_input = imagenet_utils.input_tensor_and_image(input_tensor, input_shape)
    axis = _axis()

    # The model's own preprocessing: [0, 255] -> [0, 1] -> ImageNet statistics (mean/variance are weights).
    x = layers.Rescaling(1.0 / 255.0)(img_input)
    x = layers.Normalization(axis=axis)(x)
    if weights == "imagenet":
        # The published weights were trained dividing by the standard deviation, not the variance.
        x = layers.Rescaling([1.0 / math.sqrt(s) for s in IMAGENET_STDDEV_RGB])(x)

    x = layers.ZeroPadding2D(padding=_correct_pad(x, 3), name="stem_conv_pad")(x)
    x = layers.Conv2D(round_filters(32, width_coefficient, depth_divisor), 3, strides=2, padding="valid",
                      use_bias=False, kernel_initializer=_conv_init(), name="stem_conv")(x)
    x = layers.BatchNormalization(axis=axis, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)

    total = float(sum(round_repeats(stage[1], depth_coefficient) for stage in STAGES))
    count = 0
    for i, (kernel_size, repeats, f_in, f_out, expand, strides) in enumerate(STAGES):
        f_in = round_filters(f_in, width_coefficient, depth_divisor)
        f_out = round_filters(f_out, width_coefficient, depth_divisor)
        for j in range(round_repeats(repeats, depth_coefficient)):
            # Only a stage's first block changes the channels or the size.
            x = mb_conv_block(x, f"block{i + 1}{chr(ord('a') + j)}_", f_in if j == 0 else f_out, f_out,
                              kernel_size, strides if j == 0 else 1, expand, drop_connect_rate * count / total,
                              activation)
            count += 1

    x = layers.Conv2D(round_filters(1280, width_coefficient, depth_divisor), 1, padding="same", use_bias=False,
                      kernel_initializer=_conv_init(), name="top_conv")(x)
    x = layers.BatchNormalization(axis=axis, name="top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        x = layers.Dense(classes, activation=classifier_activation, kernel_initializer=_dense_init(),
                         name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)

    model = Model(model_inputs, x, name=model_name)
    variant = model_name[-2:]
    file_name = model_name + (".h5" if include_top else "_notop.h5")
    imagenet_utils.load_weights(model, weights, file_name=file_name, origin=imagenet_utils.EFFICIENTNET_URL + file_name,
                                file_hash=WEIGHTS_HASHES.get(variant, (None, None))[0 if include_top else 1])
    return model


# variant -> (width, depth, default resolution, top dropout)
_SCALING = {
    "b0": (1.0, 1.0, 224, 0.2), "b1": (1.0, 1.1, 240, 0.2), "b2": (1.1, 1.2, 260, 0.3), "b3": (1.2, 1.4, 300, 0.3),
    "b4": (1.4, 1.8, 380, 0.4), "b5": (1.6, 2.2, 456, 0.4), "b6": (1.8, 2.6, 528, 0.5), "b7": (2.0, 3.1, 600, 0.5),
}


def _variant(variant):
    width, depth, size, dropout = _SCALING[variant]

    def build(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
              classes=1000, classifier_activation="softmax", name=f"efficientnet{variant}"):
        return EfficientNet(width, depth, size, dropout, model_name=name, include_top=include_top,
                            weights=weights, input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
                            classes=classes, classifier_activation=classifier_activation)

    build.__name__ = build.__qualname__ = f"EfficientNet{variant.upper()}"
    build.__doc__ = (f"Builds EfficientNet-{variant.upper()} ({size}x{size} by default, at least 32x32), "
                     "taking raw [0, 255] pixels.\n\n    The arguments are those of "
                     ":func:`kerasnb.applications.xception.Xception`.\n")
    return build


EfficientNetB0 = _variant("b0")
EfficientNetB1 = _variant("b1")
EfficientNetB2 = _variant("b2")
EfficientNetB3 = _variant("b3")
EfficientNetB4 = _variant("b4")
EfficientNetB5 = _variant("b5")
EfficientNetB6 = _variant("b6")
EfficientNetB7 = _variant("b7")


def preprocess_input(x, data_format=None):
    """Returns ``x`` unchanged: EfficientNet models rescale and normalize their input themselves.

    Example:
        >>> preprocess_input(np.array([0.0, 255.0]))
        array([  0., 255.])
    """
    return x


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each row of ``preds``: lists of ``(class id, name, score)``."""
    return imagenet_utils.decode_predictions(preds, top=top)
