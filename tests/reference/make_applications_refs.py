"""Write what real Keras builds for ``keras.applications``, for ``tests/test_applications*.py`` to compare with.

Real Keras is never a dependency of kerasnb or of its tests: this script runs in its own virtual environment::

    python -m venv .venv-keras && .venv-keras/bin/pip install keras tensorflow-cpu h5py
    .venv-keras/bin/python tests/reference/make_applications_refs.py            # the JSONs and small fixtures

(the committed files were written with Keras 3.15.1 and TensorFlow 2.21). It writes, under
``tests/reference/applications/``:

* ``<Model>.json`` for every model of ``MODELS`` (built with ``weights=None``): the Keras version, the total,
  trainable and non-trainable parameter counts and the layer list ``[class, name, output shape, params]`` of
  ``include_top=True`` at the default size, plus the parameter counts of ``include_top=False, pooling='avg'``;
* ``<fixture>.h5`` and ``<fixture>.npz`` for every small configuration of ``FIXTURES``: the weights of a model
  with seeded random weights (batch-norm statistics included) in the legacy Keras 2 HDF5 layout of Keras's
  published imagenet files, and an input ``x`` with real Keras's ``predict`` output ``y``.

``--fixture NAME --out DIR`` writes only that fixture into ``DIR`` (any name of ``FIXTURES`` or ``BIG_FIXTURES``):
the tests use it, through ``KERASNB_KERAS_PYTHON``, for fixtures too large to commit. ``--only A,B`` limits the
JSONs to those models.
"""

import argparse
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "applications")

# (name, module attribute of keras.applications, kwargs for the default-size model)
MODELS = [
    "VGG16", "VGG19", "ResNet50", "ResNet101", "ResNet152", "MobileNet", "MobileNetV2", "DenseNet121",
    "DenseNet169", "DenseNet201", "Xception", "InceptionV3", "InceptionResNetV2", "EfficientNetB0",
]

# name -> (model function, kwargs): small enough to commit (well under 1.5 MB of weights each).
FIXTURES = {
    "mobilenet_a025_32": ("MobileNet", dict(alpha=0.25, include_top=False, input_shape=(32, 32, 3))),
    "mobilenet_v2_a035_32": ("MobileNetV2", dict(alpha=0.35, include_top=False, input_shape=(32, 32, 3))),
}
# Too large to commit: generated at test time when KERASNB_KERAS_PYTHON names a Python with Keras.
BIG_FIXTURES = {
    "vgg16_top_32": ("VGG16", dict(include_top=True, input_shape=(32, 32, 3), classes=10)),
    "resnet50_32": ("ResNet50", dict(include_top=False, input_shape=(32, 32, 3))),
    "densenet121_32_pool": ("DenseNet121", dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")),
    "mobilenet_v2_a035_top_96": ("MobileNetV2", dict(alpha=0.35, include_top=True, input_shape=(96, 96, 3),
                                                     classes=10)),
    "efficientnetb0_32": ("EfficientNetB0", dict(include_top=False, input_shape=(32, 32, 3))),  # 16.7 MB
    "xception_71": ("Xception", dict(include_top=False, input_shape=(71, 71, 3))),
    "inception_v3_75": ("InceptionV3", dict(include_top=False, input_shape=(75, 75, 3))),
}


def layer_rows(model):
    rows = []
    for layer in model.layers:
        shape = layer.output.shape if not isinstance(layer.output, (list, tuple)) else layer.output[0].shape
        rows.append([type(layer).__name__, layer.name, list(shape), int(layer.count_params())])
    return rows


def counts(model):
    import numpy as np

    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    non_trainable = int(sum(np.prod(w.shape) for w in model.non_trainable_weights))
    return {"total": trainable + non_trainable, "trainable": trainable, "non_trainable": non_trainable}


def write_json(name):
    import keras

    fn = getattr(keras.applications, name)
    model = fn(weights=None)
    record = {"keras_version": keras.__version__, "params": counts(model), "input_shape": list(model.input.shape),
              "layers": layer_rows(model)}
    del model
    keras.backend.clear_session()
    notop = fn(weights=None, include_top=False, pooling="avg")
    record["notop_avg"] = {"params": counts(notop), "output_shape": list(notop.output.shape),
                           "n_layers": len(notop.layers)}
    keras.backend.clear_session()
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(record, f, indent=0)
    print(name, record["params"], flush=True)


def write_fixture(key, out_dir):
    import h5py
    import keras
    import numpy as np
    from keras.src.legacy.saving.legacy_h5_format import save_weights_to_hdf5_group

    fn_name, kwargs = {**FIXTURES, **BIG_FIXTURES}[key]
    keras.utils.set_random_seed(0)
    model = getattr(keras.applications, fn_name)(weights=None, **kwargs)
    rng = np.random.default_rng(0)
    # Random batch-norm statistics, so that loading them is tested too (a fresh model has zeros and ones).
    for layer in model.layers:
        if type(layer).__name__ == "BatchNormalization":
            gamma, beta, mean, var = layer.get_weights()
            layer.set_weights([rng.uniform(0.5, 1.5, gamma.shape).astype("float32"),
                               rng.normal(0, 0.1, beta.shape).astype("float32"),
                               rng.normal(0, 0.1, mean.shape).astype("float32"),
                               rng.uniform(0.5, 1.5, var.shape).astype("float32")])
    shape = kwargs["input_shape"]
    x = rng.uniform(0, 255, (2, *shape)).astype("float32")
    x = getattr(keras.applications, module_of(fn_name)).preprocess_input(x.copy())
    y = model.predict(x, verbose=0)
    os.makedirs(out_dir, exist_ok=True)
    with h5py.File(os.path.join(out_dir, f"{key}.h5"), "w") as f:
        save_weights_to_hdf5_group(f, model)
    np.savez(os.path.join(out_dir, f"{key}.npz"), x=np.asarray(x, "float32"), y=np.asarray(y, "float32"))
    print(key, os.path.getsize(os.path.join(out_dir, f"{key}.h5")), flush=True)


def module_of(fn_name):
    return {"VGG16": "vgg16", "VGG19": "vgg19", "ResNet50": "resnet50", "MobileNet": "mobilenet",
            "MobileNetV2": "mobilenet_v2", "DenseNet121": "densenet", "EfficientNetB0": "efficientnet",
            "Xception": "xception", "InceptionV3": "inception_v3",
            "InceptionResNetV2": "inception_resnet_v2"}[fn_name]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixture")
    parser.add_argument("--out", default=OUT)
    parser.add_argument("--only")
    parser.add_argument("--no-fixtures", action="store_true")
    args = parser.parse_args(argv)
    if args.fixture:
        write_fixture(args.fixture, args.out)
        return 0
    os.makedirs(OUT, exist_ok=True)
    for name in (args.only.split(",") if args.only else MODELS):
        write_json(name)
    if not args.no_fixtures and not args.only:
        for key in FIXTURES:
            write_fixture(key, OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
