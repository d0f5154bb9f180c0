"""Without h5py (as in a JupyterLite page that did not `%pip install h5py`), every HDF5 file operation fails at
once with an ImportError that names h5py, says how to install it and what to do in the browser instead;
nothing is written, and everything that does not need HDF5 (configs, JSON, in-memory weights) still works.

h5py is hidden with ``sys.modules["h5py"] = None``, so these tests run the same here and in Pyodide.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

import kerasnb as keras

REFERENCE = Path(__file__).parent / "reference" / "saving"  # files real Keras wrote
MESSAGE = r"needs the h5py package.*pip install h5py.*JupyterLite"


@pytest.fixture
def no_h5py(monkeypatch):
    monkeypatch.setitem(sys.modules, "h5py", None)  # `import h5py` now raises ImportError, as if not installed


def _model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    return model


def _files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.mark.parametrize("name", ["model.keras", "model.h5", "model.hdf5"])
def test_saving_a_model_file_names_h5py_and_writes_nothing(tmp_path, no_h5py, name):
    with pytest.raises(ImportError, match=MESSAGE):
        _model().save(tmp_path / name)
    with pytest.raises(ImportError, match=MESSAGE):
        keras.saving.save_model(_model(), tmp_path / name)
    assert _files(tmp_path) == []


@pytest.mark.parametrize("name", ["w.weights.h5", "w.h5"])
def test_saving_weights_names_h5py_and_writes_nothing(tmp_path, no_h5py, name):
    with pytest.raises(ImportError, match=MESSAGE):
        _model().save_weights(tmp_path / name)
    assert _files(tmp_path) == []


@pytest.mark.parametrize("name", ["mlp.keras", "mlp.h5"])
def test_loading_a_model_file_names_h5py(no_h5py, name):
    with pytest.raises(ImportError, match=MESSAGE):
        keras.models.load_model(REFERENCE / name)


def test_loading_weights_names_h5py(no_h5py):
    model = keras.models.model_from_json((REFERENCE / "mlp.json").read_text())  # JSON needs no h5py
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ImportError, match=MESSAGE):
        model.load_weights(REFERENCE / "mlp.weights.h5")
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)  # untouched


@pytest.mark.parametrize("callback", ["checkpoint", "backup"])
def test_checkpoint_callbacks_stop_fit_with_the_same_message(tmp_path, no_h5py, callback):
    cb = (keras.callbacks.ModelCheckpoint(tmp_path / "ck.keras") if callback == "checkpoint"
          else keras.callbacks.BackupAndRestore(tmp_path / "backup"))
    with pytest.raises(ImportError, match=MESSAGE):
        _model().fit(np.ones((4, 3)), np.ones((4, 2)), epochs=1, verbose=0, callbacks=[cb])
    assert [f for f in _files(tmp_path) if "." in f.rsplit("/", 1)[-1]] == []  # no checkpoint file


def test_what_needs_no_hdf5_still_works(no_h5py):
    model = _model()
    model.fit(np.ones((4, 3)), np.ones((4, 2)), epochs=1, verbose=0)
    clone = keras.models.model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_array_equal(clone.predict(x, verbose=0), model.predict(x, verbose=0))
