"""``kerasnb.utils``: helpers that are not layers or ops.

Example:
    >>> import kerasnb as keras
    >>> keras.utils.set_random_seed(0)
    >>> keras.utils.to_categorical([1, 0])
    array([[0., 1.],
           [1., 0.]], dtype=float32)
"""

from kerasnb.backend import clear_session
from kerasnb.engine.random import set_random_seed
from kerasnb.utils.dataset_utils import split_dataset, timeseries_dataset_from_array
from kerasnb.utils.directory_datasets import image_dataset_from_directory, text_dataset_from_directory
from kerasnb.utils.file_utils import get_file
from kerasnb.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from kerasnb.utils.numerical_utils import normalize, to_categorical
from kerasnb.utils.progbar import Progbar
from kerasnb.utils.sequence import PyDataset, Sequence
from kerasnb.utils.sequence_utils import pad_sequences


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """Make a batch as ``fit`` hands it to ``train_step``: ``x`` (``(x,)`` for a list), ``(x, y)`` or ``(x, y, sw)``.

    Example:
        >>> keras.utils.pack_x_y_sample_weight(1, 2)
        (1, 2)
    """
    from kerasnb.models.data_adapter import pack_x_y_sample_weight as pack

    return pack(x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """Split a batch into ``(x, y, sample_weight)`` (missing parts ``None``), for custom ``train_step`` code.

    Example:
        >>> keras.utils.unpack_x_y_sample_weight((1, 2))
        (1, 2, None)
    """
    # Imported here: the models package imports kerasnb.utils, so a top-level import would be circular.
    from kerasnb.models.data_adapter import unpack_x_y_sample_weight as unpack

    return unpack(data)


def plot_model(model, to_file=None, show_shapes=True, show_layer_names=True, rankdir="TB", **kwargs):
    """Draw ``model`` as an SVG graph (no graphviz needed); see :func:`kerasnb.widgets.plot_model`.

    Example:
        >>> model = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])
        >>> keras.utils.plot_model(model).startswith("<svg")
        True
    """
    from kerasnb.widgets.graph import plot_model as draw

    return draw(model, to_file=to_file, show_shapes=show_shapes, show_layer_names=show_layer_names,
                rankdir=rankdir, **kwargs)


__all__ = [
    "Progbar",
    "PyDataset",
    "Sequence",
    "array_to_img",
    "clear_session",
    "get_file",
    "image_dataset_from_directory",
    "img_to_array",
    "load_img",
    "normalize",
    "pack_x_y_sample_weight",
    "pad_sequences",
    "plot_model",
    "save_img",
    "set_random_seed",
    "split_dataset",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
    "to_categorical",
    "unpack_x_y_sample_weight",
]
