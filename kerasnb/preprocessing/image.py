"""``kerasnb.preprocessing.image``: image file helpers (the same functions as in ``kerasnb.utils``).

Example:
    >>> img = keras.preprocessing.image.array_to_img(np.zeros((2, 2, 3)))
    >>> keras.preprocessing.image.img_to_array(img).shape
    (2, 2, 3)
"""

from kerasnb.utils.image_utils import array_to_img, img_to_array, load_img, save_img

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img"]
