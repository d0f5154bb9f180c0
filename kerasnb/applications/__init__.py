"""``kerasnb.applications``: the ImageNet models of ``keras.applications``, built layer for layer as Keras 3
builds them (same layers, names and parameter counts), so Keras's published weight files load into them.

Each model has its module with ``preprocess_input`` and ``decode_predictions`` (``vgg16``, ``resnet50``, ...).
Importing this package builds nothing; models are built when their function is called.

Example:
    >>> model = keras.applications.MobileNet(weights=None, include_top=False, input_shape=(32, 32, 3), alpha=0.25)
    >>> model.output.shape
    (None, 1, 1, 256)
"""

from kerasnb.applications import (
    densenet,
    efficientnet,
    imagenet_utils,
    inception_resnet_v2,
    inception_v3,
    mobilenet,
    mobilenet_v2,
    resnet,
    resnet50,
    vgg16,
    vgg19,
    xception,
)
from kerasnb.applications.densenet import DenseNet121, DenseNet169, DenseNet201
from kerasnb.applications.efficientnet import (
    EfficientNetB0,
    EfficientNetB1,
    EfficientNetB2,
    EfficientNetB3,
    EfficientNetB4,
    EfficientNetB5,
    EfficientNetB6,
    EfficientNetB7,
)
from kerasnb.applications.inception_resnet_v2 import InceptionResNetV2
from kerasnb.applications.inception_v3 import InceptionV3
from kerasnb.applications.mobilenet import MobileNet
from kerasnb.applications.mobilenet_v2 import MobileNetV2
from kerasnb.applications.resnet import ResNet50, ResNet101, ResNet152
from kerasnb.applications.vgg16 import VGG16
from kerasnb.applications.vgg19 import VGG19
from kerasnb.applications.xception import Xception

__all__ = [
    "DenseNet121", "DenseNet169", "DenseNet201", "EfficientNetB0", "EfficientNetB1", "EfficientNetB2",
    "EfficientNetB3", "EfficientNetB4", "EfficientNetB5", "EfficientNetB6", "EfficientNetB7", "InceptionResNetV2",
    "InceptionV3", "MobileNet", "MobileNetV2", "ResNet50", "ResNet101", "ResNet152", "VGG16", "VGG19", "Xception",
    "densenet", "efficientnet", "imagenet_utils", "inception_resnet_v2", "inception_v3", "mobilenet", "mobilenet_v2",
    "resnet", "resnet50", "vgg16", "vgg19", "xception",
]
