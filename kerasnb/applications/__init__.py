"""``kerasnb.applications``: the ImageNet models of ``keras.applications``, built layer for layer as Keras 3
builds them (same layers, names and parameter counts), so Keras's published weight files load into them.

Each model has its module with ``preprocess_input`` and ``decode_predictions`` (``vgg16``, ``resnet50``, ...).
Importing this package builds nothing; models are built when their function is called.

Example:
    >>> model = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    >>> model.output.shape
    (None, 1, 1, 512)
"""

from kerasnb.applications import (
    imagenet_utils,
    resnet,
    resnet50,
    vgg16,
    vgg19,
)
from kerasnb.applications.resnet import ResNet50, ResNet101, ResNet152
from kerasnb.applications.vgg16 import VGG16
from kerasnb.applications.vgg19 import VGG19

__all__ = ["ResNet50", "ResNet101", "ResNet152", "VGG16", "VGG19", "imagenet_utils", "resnet", "resnet50", "vgg16",
           "vgg19"]
