"""Preprocessing layers: turn raw data (numbers, images, strings) into model inputs, inside the model.

* :mod:`~kerasnb.layers.preprocessing.numeric` — ``Rescaling``, ``Normalization``, ``Discretization``,
  ``CategoryEncoding``
* :mod:`~kerasnb.layers.preprocessing.image` — ``Resizing``, ``CenterCrop``, and the augmentations
  ``RandomFlip``, ``RandomRotation``, ``RandomZoom``, ``RandomTranslation``, ``RandomContrast``
* :mod:`~kerasnb.layers.preprocessing.text` — ``StringLookup``, ``IntegerLookup``, ``TextVectorization``

Layers with state learned from data (``Normalization``, ``Discretization``, the lookups) have ``adapt(data)``,
called once before training.
"""

from kerasnb.layers.preprocessing.image import (
    CenterCrop,
    RandomContrast,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Resizing,
)
from kerasnb.layers.preprocessing.numeric import CategoryEncoding, Discretization, Normalization, Rescaling
from kerasnb.layers.preprocessing.text import IntegerLookup, StringLookup, TextVectorization

__all__ = [
    "CategoryEncoding", "CenterCrop", "Discretization", "IntegerLookup", "Normalization", "RandomContrast",
    "RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom", "Rescaling", "Resizing", "StringLookup",
    "TextVectorization",
]
