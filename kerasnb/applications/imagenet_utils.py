"""What every ``kerasnb.applications`` model shares: argument checks, the input, weight downloads, and the
ImageNet ``preprocess_input`` / ``decode_predictions``.

Weights come from Keras's own storage (:data:`KERAS_APPLICATIONS_URL`), into Keras's cache (``~/.keras/models``),
so files real Keras downloaded are reused. Set the environment variable ``KERASNB_APPLICATIONS_BASE_URL`` to
fetch from elsewhere instead (a mirror, or a local test server): it replaces Keras's base URLs, so
``<base>/<model>/<file>`` is asked for the weights (``<base>/<file>`` for EfficientNet, whose files Keras keeps
in a second bucket, :data:`EFFICIENTNET_URL`) and ``<base>/imagenet_class_index.json`` for the class names.
It is read at every download, so setting it in a running session works.
"""

import json
import os
import warnings

import numpy as np

__all__ = [
    "CLASS_INDEX_URL",
    "EFFICIENTNET_URL",
    "KERAS_APPLICATIONS_URL",
    "decode_predictions",
    "input_tensor_and_image",
    "load_weights",
    "obtain_input_shape",
    "origin",
    "preprocess_input",
    "validate_weights_argument",
]

KERAS_APPLICATIONS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"
EFFICIENTNET_URL = "https://storage.googleapis.com/keras-applications/"
CLASS_INDEX_URL = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"
BASE_URL_ENV = "KERASNB_APPLICATIONS_BASE_URL"

IMAGENET_BGR_MEAN = (103.939, 116.779, 123.68)
TORCH_MEAN = (0.485, 0.456, 0.406)
TORCH_STD = (0.229, 0.224, 0.225)

_class_index = {}  # origin -> the parsed class index, read once per origin


def origin(url):
    """``url`` with Keras's base URL swapped for ``$KERASNB_APPLICATIONS_BASE_URL`` when that is set.

    Example:
        >>> import os
        >>> os.environ.pop("KERASNB_APPLICATIONS_BASE_URL", None) and None
        >>> origin(KERAS_APPLICATIONS_URL + "vgg16/x.h5")
        'https://storage.googleapis.com/tensorflow/keras-applications/vgg16/x.h5'
        >>> os.environ["KERASNB_APPLICATIONS_BASE_URL"] = "http://127.0.0.1:8000/"
        >>> origin(KERAS_APPLICATIONS_URL + "vgg16/x.h5"), origin(EFFICIENTNET_URL + "efficientnetb0.h5")
        ('http://127.0.0.1:8000/vgg16/x.h5', 'http://127.0.0.1:8000/efficientnetb0.h5')
        >>> del os.environ["KERASNB_APPLICATIONS_BASE_URL"]
    """
    base = os.environ.get(BASE_URL_ENV)
    if not base:
        return url
    base = base.rstrip("/") + "/"
    for keras_base in (KERAS_APPLICATIONS_URL, EFFICIENTNET_URL):
        if url.startswith(keras_base):
            return base + url[len(keras_base):]
    if url == CLASS_INDEX_URL:
        return base + "imagenet_class_index.json"
    return url


def validate_weights_argument(weights, include_top, classes, name=None):
    """Raise ``ValueError`` unless ``weights`` is ``None``, ``'imagenet'`` or an existing file, and unless
    ``classes`` is 1000 when ImageNet weights come with the classifier.

    Example:
        >>> validate_weights_argument("imagenet", True, 10, "vgg16")
        Traceback (most recent call last):
        ...
        ValueError: If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000. \
Received: classes=10
    """
    if not (weights in {"imagenet", None} or (isinstance(weights, (str, os.PathLike)) and os.path.exists(weights))):
        raise ValueError(
            "The `weights` argument should be either `None` (random initialization), 'imagenet' (pre-training on "
            f"ImageNet), or the path to the weights file to be loaded. Received: weights={weights!r}")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000. "
                         f"Received: classes={classes}")


def obtain_input_shape(input_shape, default_size, min_size, data_format, require_flatten, weights=None):
    """The image shape ``(rows, cols, channels)`` a model is built for (channels_last only).

    ``require_flatten`` (the classifier is included) needs a fixed size; ImageNet weights with the classifier need
    exactly ``default_size``; without a shape the model takes ``(None, None, 3)`` images.

    Example:
        >>> obtain_input_shape(None, 224, 32, "channels_last", require_flatten=False)
        (None, None, 3)
        >>> obtain_input_shape((64, 64, 3), 224, 32, "channels_last", require_flatten=True)
        (64, 64, 3)
    """
    if data_format not in (None, "channels_last"):
        raise ValueError("kerasnb.applications builds channels_last models only. "
                         f"Received: data_format={data_format!r}")
    if input_shape is not None:
        input_shape = tuple(input_shape)
    channels = input_shape[-1] if (weights != "imagenet" and input_shape and len(input_shape) == 3) else 3
    if weights != "imagenet" and input_shape and len(input_shape) == 3 and channels not in (1, 3):
        warnings.warn(f"This model usually expects 1 or 3 input channels. Received: input_shape={input_shape}",
                      stacklevel=3)
    default_shape = (default_size, default_size, channels)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and input_shape != default_shape:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, `input_shape` should "
                             f"be {default_shape}. Received: input_shape={input_shape}")
        return default_shape
    if input_shape is None:
        input_shape = default_shape if require_flatten else (None, None, 3)
    else:
        if len(input_shape) != 3:
            raise ValueError(f"`input_shape` must be a tuple of three integers. Received: input_shape={input_shape}")
        if input_shape[-1] != 3 and weights == "imagenet":
            raise ValueError(f"The input must have 3 channels. Received: input_shape={input_shape}")
        if any(size is not None and size < min_size for size in input_shape[:2]):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}. Received: input_shape={input_shape}")
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static `input_shape`. "
                         f"Received: input_shape={input_shape}")
    return input_shape


def input_tensor_and_image(input_tensor, input_shape):
    """``(model_inputs, image)``: the tensor(s) the model will be built from, and the image tensor to start with.

    Without ``input_tensor`` a new ``Input(shape=input_shape)``. With a symbolic tensor (a ``KerasTensor``, e.g.
    the output of another layer), the model starts from it and its inputs are the ``Input``\\ s it came from, as
    in Keras. kerasnb's ``Input`` has no ``tensor=`` argument, so a real array as ``input_tensor`` is refused.

    Example:
        >>> inputs, image = input_tensor_and_image(None, (32, 32, 3))
        >>> image.shape
        (None, 32, 32, 3)
    """
    from kerasnb.layers.input_layer import Input
    from kerasnb.layers.keras_tensor import KerasTensor

    if input_tensor is None:
        image = Input(shape=input_shape)
        return image, image
    if not isinstance(input_tensor, KerasTensor):
        raise ValueError("`input_tensor` must be a symbolic tensor (the output of `keras.Input` or of a layer). "
                         f"Received: input_tensor={input_tensor!r} of type {type(input_tensor).__name__}")
    return source_inputs(input_tensor), input_tensor


def source_inputs(tensor):
    """The ``Input`` tensors a symbolic tensor was computed from (one tensor, or a list of several)."""
    found, seen, stack = [], set(), [tensor]
    while stack:
        t = stack.pop()
        layer, index, _ = t._keras_history
        node = layer._inbound_nodes[index]
        if not node.input_tensors:
            if id(t) not in seen:
                seen.add(id(t))
                found.append(t)
            continue
        stack.extend(reversed(node.input_tensors))
    return found[0] if len(found) == 1 else found


def load_weights(model, weights, *, file_name=None, origin=None, file_hash=None):
    """Give ``model`` its weights: download ``file_name`` from ``origin`` (checked against ``file_hash``) into
    ``~/.keras/models`` when ``weights='imagenet'``, load the file when ``weights`` is a path; ``None``: nothing.

    Example:
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> load_weights(model, None)
    """
    from kerasnb.utils.file_utils import get_file

    if weights is None:
        return
    if weights == "imagenet":
        path = get_file(file_name, globals()["origin"](origin), cache_subdir="models", file_hash=file_hash)
    else:
        path = os.fspath(weights)
    model.load_weights(path)


def _to_numpy(x):
    from kerasnb.engine.tensor import Tensor, Variable

    if isinstance(x, (Tensor, Variable)):
        from kerasnb.ops.core import convert_to_numpy

        return convert_to_numpy(x), True
    return np.asarray(x), False


def preprocess_input(x, data_format=None, mode="caffe"):
    """Scale a batch of RGB images (values 0-255) the way an ImageNet model was trained on them.

    ``mode='caffe'``: RGB to BGR, minus the ImageNet channel means; ``'tf'``: to [-1, 1]; ``'torch'``: to [0, 1],
    minus ``TORCH_MEAN``, divided by ``TORCH_STD``. NumPy in, NumPy out (float32, or float64 for float64 input);
    a kerasnb tensor in, a tensor out. channels_last only.

    Example:
        >>> preprocess_input(np.array([[255, 0, 51]], "uint8"), mode="tf")
        array([[ 1. , -1. , -0.6]], dtype=float32)
    """
    if mode not in ("caffe", "tf", "torch"):
        raise ValueError(f"Expected mode to be one of `caffe`, `tf` or `torch`. Received: mode={mode!r}")
    if data_format not in (None, "channels_last"):
        raise ValueError(f"kerasnb.applications supports channels_last only. Received: data_format={data_format!r}")
    array, was_tensor = _to_numpy(x)
    dtype = np.float64 if array.dtype == np.float64 else np.float32
    array = array.astype(dtype)  # a copy: the caller's array is left as it was
    if mode == "tf":
        array = array / 127.5 - 1.0
    elif mode == "torch":
        array = (array / 255.0 - np.asarray(TORCH_MEAN, dtype)) / np.asarray(TORCH_STD, dtype)
    else:
        array = array[..., ::-1] - np.asarray(IMAGENET_BGR_MEAN, dtype)
    array = array.astype(dtype)
    if was_tensor:
        from kerasnb.engine.tensor import convert_to_tensor

        return convert_to_tensor(array)
    return array


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each row of ``preds`` (shape ``(samples, 1000)``), best first, as
    ``(class_id, class_name, score)`` tuples. The class names are downloaded once (``imagenet_class_index.json``).

    Example:
        >>> decode_predictions(np.zeros((1, 10)))
        Traceback (most recent call last):
        ...
        ValueError: `decode_predictions` expects a batch of predictions (i.e. a 2D array of shape (samples, 1000)). \
Received array with shape: (1, 10)
    """
    from kerasnb.utils.file_utils import get_file

    preds, _ = _to_numpy(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array of shape "
                         f"(samples, 1000)). Received array with shape: {preds.shape}")
    url = origin(CLASS_INDEX_URL)
    if url not in _class_index:
        path = get_file("imagenet_class_index.json", url, cache_subdir="models", file_hash=CLASS_INDEX_HASH)
        with open(path) as f:
            _class_index[url] = json.load(f)
    index = _class_index[url]
    results = []
    for row in preds:
        best = np.argsort(row)[-top:][::-1]
        results.append([(*index[str(i)], row[i]) for i in best])
    return results


def classifier_activation_check(weights, classifier_activation):
    """ImageNet weights with the classifier need ``'softmax'`` or ``None`` (logits), as in Keras."""
    if weights == "imagenet" and classifier_activation not in {"softmax", None}:
        raise ValueError("Only `None` and `softmax` activations are allowed for the `classifier_activation` "
                         f"argument when using pretrained weights, with `include_top=True`; "
                         f"Received: classifier_activation={classifier_activation!r}")


def classifier_top(x, include_top, pooling, classes, classifier_activation, pool_names=("avg_pool", "max_pool")):
    """The common head: ``avg_pool`` + ``predictions`` with the top, else the optional global pooling.

    ``pool_names`` names the headless model's pooling layers; ``None`` leaves them Keras's default names, as
    Xception and the Inception models do.

    Example:
        >>> x = keras.Input((4, 4, 8))
        >>> classifier_top(x, True, None, 10, "softmax").shape
        (None, 10)
    """
    from kerasnb import layers

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    avg_name, max_name = pool_names or (None, None)
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=avg_name)(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=max_name)(x)
    return x
