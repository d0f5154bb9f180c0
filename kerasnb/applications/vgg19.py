"""VGG19: 16 convolutions and 3 dense layers, 143,667,240 parameters (``keras.applications.vgg19``)."""

from kerasnb.applications import imagenet_utils
from kerasnb.applications._vgg import build_vgg

__all__ = ["VGG19", "decode_predictions", "preprocess_input"]

# (file name, md5) of Keras's published weights, without and with the classifier.
WEIGHT_FILES = {
    True: ("vgg19_weights_tf_dim_ordering_tf_kernels.h5", "cbe5617147190e668d6c5d5026f83318"),
    False: ("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5", "253f8cb515780f3b799900260a226db6"),
}


def VGG19(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
          classifier_activation="softmax", name="vgg19"):
    """The VGG19 network; ``weights='imagenet'`` downloads Keras's ImageNet weights (549 MB with the top).

    Example:
        >>> model = keras.applications.VGG19(weights=None, include_top=False, input_shape=(32, 32, 3))
        >>> model.output.shape, model.count_params()
        ((None, 1, 1, 512), 20024384)
    """
    return build_vgg((2, 2, 4, 4, 4), "vgg19", include_top, weights, input_tensor, input_shape, pooling, classes,
                     classifier_activation, WEIGHT_FILES, name)


def preprocess_input(x, data_format=None):
    """Caffe-style: RGB to BGR, minus the ImageNet means (see :func:`imagenet_utils.preprocess_input`).

    Example:
        >>> preprocess_input(np.zeros((1, 1, 1, 3), "float32"))[0, 0, 0]
        array([-103.939, -116.779, -123.68 ], dtype=float32)
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


decode_predictions = imagenet_utils.decode_predictions
