"""What MobileNet and MobileNetV2 share: the image size their ImageNet weights were trained at."""

from kerasnb.applications import imagenet_utils


def mobile_input_shape(input_shape, input_tensor, weights, include_top, alpha, alphas, sizes, model):
    """``(input_shape, rows)``: the checked image shape, and the size that picks the weight file (as in Keras:
    the given square size, else 224; with ImageNet weights ``alpha`` and the size must be ones trained)."""
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape[1:])
    rows = input_shape[0] if input_shape is not None and len(input_shape) == 3 else None
    cols = input_shape[1] if input_shape is not None and len(input_shape) == 3 else None
    default_size = rows if rows is not None and rows == cols and rows in sizes else 224
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=default_size, min_size=32,
                                                    data_format="channels_last", require_flatten=include_top,
                                                    weights=weights)
    rows = input_shape[0] if input_shape[0] is not None else 224
    if weights == "imagenet":
        if alpha not in alphas:
            raise ValueError(f"If imagenet weights are being loaded, alpha must be one of {alphas}. "
                             f"Received: alpha={alpha}")
        if input_shape[0] != input_shape[1] or rows not in sizes:
            rows = 224
            import warnings

            warnings.warn(f"`input_shape` is undefined or non-square, or `rows` is not in {sizes}. Weights for "
                          f"input shape (224, 224) will be loaded as the default for {model}.", stacklevel=3)
    return input_shape, rows
