"""VGG16 and VGG19 (Simonyan & Zisserman, 2014): stacks of 3x3 convolutions, each block halved by max pooling,
then two 4096-unit dense layers. The two differ only in how many convolutions each block has."""

from kerasnb.applications import imagenet_utils

BASE_WEIGHTS_URL = imagenet_utils.KERAS_APPLICATIONS_URL


def build_vgg(convs_per_block, model_name, include_top, weights, input_tensor, input_shape, pooling, classes,
              classifier_activation, weight_files, name=None):
    """A VGG network with ``convs_per_block[i]`` convolutions in block ``i + 1`` (64, 128, 256, 512, 512 filters)."""
    from kerasnb import layers
    from kerasnb.models import Model

    imagenet_utils.validate_weights_argument(weights, include_top, classes, model_name)
    imagenet_utils.classifier_activation_check(weights if include_top else None, classifier_activation)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                                    data_format="channels_last", require_flatten=include_top,
                                                    weights=weights)
    inputs, x = imagenet_utils.input_tensor_and_image(input_tensor, input_shape)
    for block, (n_convs, filters) in enumerate(zip(convs_per_block, (64, 128, 256, 512, 512)), start=1):
        for i in range(1, n_convs + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same", name=f"block{block}_conv{i}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = Model(inputs, x, name=name or model_name)
    file_name, file_hash = weight_files[bool(include_top)]
    imagenet_utils.load_weights(model, weights, file_name=file_name,
                                origin=f"{BASE_WEIGHTS_URL}{model_name}/{file_name}", file_hash=file_hash)
    return model
