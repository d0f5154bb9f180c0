"""MobileNet (Howard et al., 2017), ``keras.applications.mobilenet``.

Thirteen "depthwise separable" blocks: a 3x3 depthwise convolution (one filter per channel) then a 1x1
pointwise convolution that mixes channels, each followed by batch norm and ReLU6. ``alpha`` scales every
layer's width, ``depth_multiplier`` the depthwise convolutions' outputs.
"""

from kerasnb.applications import imagenet_utils
from kerasnb.applications._mobile_common import mobile_input_shape

__all__ = ["MobileNet", "decode_predictions", "preprocess_input"]

BASE_WEIGHTS_URL = imagenet_utils.KERAS_APPLICATIONS_URL + "mobilenet/"
# (pointwise filters, stride) of the 13 depthwise separable blocks.
BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1),
          (512, 1), (1024, 2), (1024, 1)]


def conv_block(x, filters, alpha, strides=(2, 2)):
    """The first layer: a 3x3 strided convolution, batch norm, ReLU6."""
    from kerasnb import layers

    x = layers.Conv2D(int(filters * alpha), (3, 3), padding="same", use_bias=False, strides=strides, name="conv1")(x)
    x = layers.BatchNormalization(axis=-1, name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def depthwise_conv_block(x, pointwise_filters, alpha, depth_multiplier=1, strides=1, block_id=1):
    """Depthwise 3x3 (padded by hand when strided, as the weights expect), then pointwise 1x1."""
    from kerasnb import layers

    if strides != 1:
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
    x = layers.DepthwiseConv2D((3, 3), padding="same" if strides == 1 else "valid", depth_multiplier=depth_multiplier,
                               strides=strides, use_bias=False, name=f"conv_dw_{block_id}")(x)
    x = layers.BatchNormalization(axis=-1, name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(int(pointwise_filters * alpha), (1, 1), padding="same", use_bias=False, strides=(1, 1),
                      name=f"conv_pw_{block_id}")(x)
    x = layers.BatchNormalization(axis=-1, name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3, include_top=True, weights="imagenet",
              input_tensor=None, pooling=None, classes=1000, classifier_activation="softmax", name=None):
    """MobileNet; 4,253,864 parameters at ``alpha=1``. ImageNet weights exist for ``alpha`` in 0.25, 0.5, 0.75,
    1.0 and sizes 128, 160, 192, 224 (``depth_multiplier=1``).

    Example:
        >>> model = keras.applications.MobileNet(weights=None, alpha=0.25, include_top=False, input_shape=(32, 32, 3))
        >>> model.output.shape, model.count_params()
        ((None, 1, 1, 256), 218544)
    """
    from kerasnb import layers
    from kerasnb.models import Model

    imagenet_utils.validate_weights_argument(weights, include_top, classes, "mobilenet")
    if include_top:
        imagenet_utils.classifier_activation_check(weights, classifier_activation)
    if weights == "imagenet" and depth_multiplier != 1:
        raise ValueError(f"If imagenet weights are being loaded, depth multiplier must be 1. "
                         f"Received: depth_multiplier={depth_multiplier}")
    input_shape, rows = mobile_input_shape(input_shape, input_tensor, weights, include_top, alpha,
                                           (0.25, 0.50, 0.75, 1.0), (128, 160, 192, 224), "MobileNet")
    inputs, x = imagenet_utils.input_tensor_and_image(input_tensor, input_shape)
    x = conv_block(x, 32, alpha)
    for block_id, (filters, stride) in enumerate(BLOCKS, start=1):
        x = depthwise_conv_block(x, filters, alpha, depth_multiplier, strides=stride, block_id=block_id)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        x = layers.Activation(classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = Model(inputs, x, name=name or f"mobilenet_{alpha:0.2f}_{rows}")
    alpha_text = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0"}.get(alpha, "2_5")
    file_name = f"mobilenet_{alpha_text}_{rows}_tf{'' if include_top else '_no_top'}.h5"
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
