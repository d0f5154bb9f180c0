"""Real-Keras forward passes of Xception, InceptionV3, InceptionResNetV2 and EfficientNetB0 at their minimum
sizes, for ``tests/test_applications_b.py``.

Their weights are far too large to commit (20-55 million parameters), so both sides fill every weight with the
same deterministic values instead: :func:`fill_value` depends only on the layer's class and name, the weight's
index in ``layer.get_weights()`` and its shape. Only the input and Keras's output are committed
(``tests/reference/applications/<key>_filled.npz``). Run in a virtual environment with Keras::

    .venv-keras/bin/python tests/reference/make_applications_b_refs.py

(the committed files were written with Keras 3.15.1 and TensorFlow 2.21).
"""

import os
import sys
import zlib

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "applications")

# key -> (module, model function, kwargs)
CASES = {
    "xception_71": ("xception", "Xception", dict(include_top=False, input_shape=(71, 71, 3))),
    "inception_v3_75": ("inception_v3", "InceptionV3", dict(include_top=False, input_shape=(75, 75, 3),
                                                            pooling="avg")),
    "inception_resnet_v2_75": ("inception_resnet_v2", "InceptionResNetV2",
                               dict(include_top=False, input_shape=(75, 75, 3), pooling="max")),
    "efficientnetb0_32": ("efficientnet", "EfficientNetB0", dict(include_top=False, input_shape=(32, 32, 3),
                                                                  pooling="avg")),
}


def fill_value(class_name, layer_name, index, shape, n_weights):
    """A weight's deterministic value: batch-norm gammas/variances in [0.5, 1.5], betas/means/biases small,
    kernels uniform with variance ~1/fan_in (so the activations stay of order one through the network)."""
    rng = np.random.default_rng(zlib.crc32(f"{layer_name}/{index}".encode()))
    shape = tuple(shape)
    if class_name == "BatchNormalization":  # [gamma,] beta, moving mean, moving variance (no gamma: scale=False)
        role = ["gamma", "beta", "mean", "variance"][4 - n_weights + index]
        if role in ("gamma", "variance"):
            return rng.uniform(0.5, 1.5, shape).astype("float32")
        return rng.normal(0.0, 0.1, shape).astype("float32")
    if class_name == "Normalization":  # mean, variance (the count is left alone)
        return (rng.uniform(0.05, 0.3, shape) if index == 1 else rng.uniform(0.3, 0.6, shape)).astype("float32")
    if len(shape) <= 1:
        return rng.normal(0.0, 0.05, shape).astype("float32")
    fan_in = int(np.prod(shape[:-1]))
    if class_name == "DepthwiseConv2D" or (class_name == "SeparableConv2D" and index == 0):
        fan_in = int(np.prod(shape[:2]))  # one channel at a time
    limit = np.sqrt(3.0 / fan_in)
    return rng.uniform(-limit, limit, shape).astype("float32")


def fill_model(model):
    """Sets every weight of ``model`` (kerasnb or Keras) to :func:`fill_value`; Normalization's count stays."""
    for layer in model.layers:
        weights = layer.get_weights()
        if not weights:
            continue
        cls = type(layer).__name__
        new = [w if (cls == "Normalization" and i == 2) else fill_value(cls, layer.name, i, np.shape(w), len(weights))
               for i, w in enumerate(weights)]
        layer.set_weights(new)


def write_case(key, out_dir, legacy_h5=False):
    """``<key>_filled.npz`` (input and Keras's output); with ``legacy_h5`` also ``<key>_filled.h5``, the filled
    weights in the legacy Keras 2 HDF5 layout of the published imagenet files (too large to commit: the tests
    write it at run time when ``KERASNB_KERAS_PYTHON`` names a Python with Keras)."""
    import keras

    module, fn, kwargs = CASES[key]
    keras.backend.clear_session()
    model = getattr(keras.applications, fn)(weights=None, **kwargs)
    fill_model(model)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (2, *kwargs["input_shape"])).astype("float32")
    x = np.asarray(getattr(keras.applications, module).preprocess_input(x.copy()), "float32")
    y = model.predict(x, verbose=0)
    os.makedirs(out_dir, exist_ok=True)
    np.savez(os.path.join(out_dir, f"{key}_filled.npz"), x=x, y=np.asarray(y, "float32"))
    if legacy_h5:
        import h5py
        from keras.src.legacy.saving.legacy_h5_format import save_weights_to_hdf5_group

        with h5py.File(os.path.join(out_dir, f"{key}_filled.h5"), "w") as f:
            save_weights_to_hdf5_group(f, model)
    print(key, y.shape, float(np.abs(y).mean()), flush=True)


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--legacy-h5", metavar="KEY", help="write only KEY's npz and legacy .h5 into --out")
    parser.add_argument("--out", default=OUT)
    args = parser.parse_args(argv)
    if args.legacy_h5:
        write_case(args.legacy_h5, args.out, legacy_h5=True)
        return 0
    for key in CASES:
        write_case(key, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
