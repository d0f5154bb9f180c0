"""Every layer through the file formats: each entry of ``tests/layer_catalogue.py`` saved as a whole model to
``.keras`` and to legacy ``.h5`` and loaded back, and its weights alone through ``.weights.h5``, predicts exactly
what it did before (issue 9: every layer type round-trips with identical predictions)."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

import kerasnb as keras

pytest.importorskip("h5py")


def _load_catalogue():
    # pytest runs with --import-mode=importlib: the tests folder is not on sys.path, so load the helper by path.
    path = Path(__file__).with_name("layer_catalogue.py")
    spec = importlib.util.spec_from_file_location("layer_catalogue", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("layer_catalogue", module)
    spec.loader.exec_module(module)
    return module


catalogue = _load_catalogue()
ENTRIES = catalogue.CATALOGUE
IDS = [entry_id for entry_id, _, _ in ENTRIES]


def _is_float(array):
    return np.issubdtype(array.dtype, np.floating)


def _compile_for(model, outputs):
    """Compile with Adam and MSE on every float output, and say whether the model was compiled.

    Integer and string outputs (a lookup's indices, a discretized bin) have no gradient, so no loss fits them: in a
    multi-output model they get ``None`` (the output is predicted but not trained), and a model with no float output
    stays uncompiled, which the file must then record too."""
    floats = [_is_float(a) for a in outputs]
    if not any(floats):
        return False
    loss = "mse" if len(outputs) == 1 else ["mse" if f else None for f in floats]
    model.compile(optimizer="adam", loss=loss)
    return True


def _targets(outputs):
    # Any target gives a loss to compare and a gradient step; zeros of each output's shape and dtype are the simplest.
    targets = [np.zeros_like(a) for a in outputs]
    return targets[0] if len(targets) == 1 else targets


def _assert_identical(expected, got):
    assert len(got) == len(expected)
    for a, b in zip(expected, got):
        assert (b.dtype, b.shape) == (a.dtype, a.shape)
        np.testing.assert_array_equal(b, a)


@pytest.mark.parametrize("ext", [".keras", ".h5"])
@pytest.mark.parametrize("entry_id, factory, spec", ENTRIES, ids=IDS)
def test_every_layer_round_trips_through_keras_and_h5_files(tmp_path, entry_id, factory, spec, ext):
    model = catalogue.build_model(factory, spec)
    catalogue.perturb_weights(model, seed=1)
    x = catalogue.sample_inputs(spec)
    y = _targets(catalogue.predictions(model, x))
    compiled = _compile_for(model, catalogue.predictions(model, x))
    if compiled:
        # One step, so that the file holds optimizer state (Adam's moments) beside weights moved by training:
        # what a user saving mid-training has.
        model.train_on_batch(x, y)
    expected = catalogue.predictions(model, x)
    path = tmp_path / f"model{ext}"
    model.save(path)

    restored = keras.models.load_model(path)

    assert type(restored) is type(model)
    assert [type(layer) for layer in restored._flatten_layers()] == [type(layer) for layer in model._flatten_layers()]
    _assert_identical(expected, catalogue.predictions(restored, x))
    assert restored.compiled == compiled
    if compiled:
        assert type(restored.optimizer) is type(model.optimizer)
        # As in Keras, a model without trainable weights takes no optimizer step.
        steps = 1 if model.trainable_weights else 0
        assert int(restored.optimizer.iterations) == int(model.optimizer.iterations) == steps
        saved_state = [np.asarray(v) for v in model.optimizer.variables]
        _assert_identical(saved_state, [np.asarray(v) for v in restored.optimizer.variables])
        # The same loss, regularizers and activity losses included: the compile configuration came back whole.
        assert restored.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)


@pytest.mark.parametrize("entry_id, factory, spec", ENTRIES, ids=IDS)
def test_every_layer_round_trips_through_a_weights_file(tmp_path, entry_id, factory, spec):
    model = catalogue.build_model(factory, spec)
    catalogue.perturb_weights(model, seed=1)
    x = catalogue.sample_inputs(spec)
    expected = catalogue.predictions(model, x)
    path = tmp_path / "model.weights.h5"
    model.save_weights(path)

    fresh = catalogue.build_model(factory, spec)
    catalogue.perturb_weights(fresh, seed=2)
    if any(_is_float(w) for w in model.get_weights()):
        # Otherwise loading nothing at all would pass.
        assert any(not np.array_equal(a, b) for a, b in zip(fresh.get_weights(), model.get_weights()))
    fresh.load_weights(path)

    _assert_identical(model.get_weights(), fresh.get_weights())
    _assert_identical(expected, catalogue.predictions(fresh, x))
