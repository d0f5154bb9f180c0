"""``kerasnb.preprocessing``: the data helpers under the names ``tf.keras.preprocessing`` gave them.

Keras 3 keeps these names for old code: ``keras.preprocessing.sequence.pad_sequences``,
``keras.preprocessing.image.load_img`` (and friends) and ``keras.preprocessing.image_dataset_from_directory``,
``text_dataset_from_directory`` and ``timeseries_dataset_from_array`` are the functions of
:mod:`kerasnb.utils`.

Example:
    >>> from kerasnb.preprocessing.sequence import pad_sequences
    >>> padded = pad_sequences([[1, 2], [3]], padding="post")
    >>> padded.tolist(), padded.dtype
    ([[1, 2], [3, 0]], dtype('int32'))
    >>> keras.preprocessing.image.img_to_array is keras.utils.img_to_array
    True
"""

from kerasnb.preprocessing import image, sequence
from kerasnb.utils.dataset_utils import timeseries_dataset_from_array
from kerasnb.utils.directory_datasets import image_dataset_from_directory, text_dataset_from_directory

__all__ = [
    "image",
    "image_dataset_from_directory",
    "sequence",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
]
