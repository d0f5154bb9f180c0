"""Loading never runs code from the file: one test per known Keras loading vulnerability
(../shared/keras-formats.md section 3), and fuzzing over damaged files and generated configs.

The attacks run in a child process with an audit hook (PEP 578) installed after a warm-up load, so a test sees
every module imported, every file opened by Python, every exec/compile, every ``marshal.loads``,
``os.system`` and ``subprocess.Popen`` the loader caused — proof that no code ran, nothing was imported and no
file outside the archive was touched — and a crash of the interpreter shows up as a failed test, not a dead
test run.
"""

import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest

import kerasnb as keras

h5py = pytest.importorskip("h5py")

# Python snippets the child runs, each returning nothing on refusal and raising on success; `P` is the folder
# holding the crafted files, `MARK` a file an attack would create if its code ran.
ATTACKS = {
    "keras_lambda_bytecode": "keras.models.load_model(P + '/lambda.keras')",
    "keras_lambda_bytecode_no_compile": "keras.models.load_model(P + '/lambda.keras', compile=False)",
    "h5_lambda_bytecode": "keras.models.load_model(P + '/lambda.h5')",
    "json_lambda_bytecode": "keras.models.model_from_json(open(P + '/lambda.json').read())",
    "lambda_from_config_directly": "keras.layers.Lambda.from_config(json.load(open(P + '/lambda_layer.json')))",
    "os_system": "keras.models.load_model(P + '/os_system.keras')",
    "builtins_eval": "keras.models.load_model(P + '/builtins_eval.keras')",
    "subprocess_popen": "keras.models.load_model(P + '/subprocess_popen.keras')",
    "importlib_import_module": "keras.models.load_model(P + '/import_module.keras')",
    "gadget_load_model": "keras.models.load_model(P + '/gadget_load_model.keras')",
    "gadget_get_file": "keras.models.load_model(P + '/gadget_get_file.keras')",
    "gadget_unsafe_switch": "keras.models.load_model(P + '/gadget_unsafe.keras')",
    "registered_name_mismatch": "keras.models.load_model(P + '/registered_name.keras', "
                                "custom_objects={'Custom>Evil': keras.layers.Dropout})",
    "vocabulary_file_path": "keras.models.load_model(P + '/vocabulary_path.keras')",
    "yaml_python_tag": "keras.models.model_from_yaml(open(P + '/evil.yaml').read())",
    "h5_external_link": "m = keras.models.model_from_json(open(P + '/small.json').read()); "
                        "m.load_weights(P + '/external_link.weights.h5')",
    "h5_soft_link": "m = keras.models.model_from_json(open(P + '/small.json').read()); "
                    "m.load_weights(P + '/soft_link.weights.h5')",
    "h5_external_storage": "m = keras.models.model_from_json(open(P + '/small.json').read()); "
                           "m.load_weights(P + '/external_storage.weights.h5')",
    "h5_virtual_dataset": "m = keras.models.model_from_json(open(P + '/small.json').read()); "
                          "m.load_weights(P + '/virtual.weights.h5')",
    "h5_declared_huge": "m = keras.models.model_from_json(open(P + '/small.json').read()); "
                        "m.load_weights(P + '/huge.weights.h5')",
    "keras_weights_declared_huge": "keras.models.load_model(P + '/huge_weights.keras')",
    "zip_member_declared_huge": "keras.models.load_model(P + '/zip_bomb.keras')",
}

CHILD = textwrap.dedent("""
    import json, os, sys, resource
    import numpy as np
    import kerasnb as keras
    P, MARK = sys.argv[1], sys.argv[2]
    # Warm-up: a good load of each format, and a refused one, so the lazy imports of the loaders happen here.
    keras.models.load_model(P + '/good.keras').predict(np.zeros((1, 3), 'float32'), verbose=0)
    keras.models.load_model(P + '/good.h5')
    try:
        keras.models.model_from_json('{"module": "nowhere", "class_name": "Nothing", "config": {}}')
    except ValueError:
        pass
    try:
        keras.models.model_from_yaml('a: 1')
    except ValueError:
        pass
    events = []
    WATCH = ("import", "open", "exec", "compile", "marshal.loads", "marshal.load", "pickle.find_class",
             "os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "socket.connect",
             "urllib.Request", "os.remove", "os.rename", "os.mkdir", "shutil", "ctypes")
    own_code = set()  # the attack statements themselves, which the child compiles and runs
    def hook(event, args):
        if event == "exec" and id(args[0]) in own_code:
            return
        if event.startswith(WATCH):
            events.append([event, repr(args)[:200]])
    attacks = json.loads(sys.argv[3])
    modules_before = set(sys.modules)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # The attack statements are this test's own code: compile them before the hook starts recording.
    compiled = {name: compile(code, name, "exec") for name, code in attacks.items()}
    own_code.update(id(code) for code in compiled.values())
    sys.addaudithook(hook)
    results = {}
    for name, code in compiled.items():
        events.clear()
        before = set(sys.modules)
        try:
            exec(code, {"keras": keras, "json": json, "P": P})
            outcome, message = "loaded", ""
        except Exception as e:
            outcome, message = type(e).__name__, str(e)
        results[name] = {"outcome": outcome, "message": message, "events": list(events),
                         "new_modules": sorted(set(sys.modules) - before), "marker": os.path.exists(MARK)}
    results["__rss_growth_kb__"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    results["__new_modules_total__"] = sorted(set(sys.modules) - modules_before)
    print("RESULTS " + json.dumps(results))
""")


def _small_model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="d")])
    model.compile(optimizer="adam", loss="mse")
    return model


def _write_archive(path, config, weights=b"", extra=()):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.15.1", "date_saved": "2026-01-01@00:00:00"}))
        z.writestr("config.json", json.dumps(config))
        if weights is not None:
            z.writestr("model.weights.h5", weights)
        for name, data in extra:
            z.writestr(name, data)


def _lambda_bytecode_config(mark):
    """A Lambda config as real Keras writes it, whose bytecode would create ``mark`` if it ever ran."""
    import base64
    import marshal

    # The code object is built here only to be written into the file; the loader must never turn it back.
    source = f"lambda x: (open({mark!r}, 'w').close(), x)[1]"
    code = compile(source, "<attack>", "eval").co_consts[0]
    return {
        "module": "keras.layers", "class_name": "Lambda", "registered_name": None,
        "config": {"name": "lambda", "trainable": True, "dtype": "float32",
                   "function": {"class_name": "__lambda__",
                                "config": {"code": base64.b64encode(marshal.dumps(code)).decode("ascii"),
                                           "defaults": None, "closure": None}},
                   "arguments": {}},
        "build_config": {"input_shape": [None, 3]},
    }


def _sequential_config(layers):
    return {
        "module": "keras", "class_name": "Sequential", "registered_name": None,
        "config": {"name": "sequential", "trainable": True, "dtype": "float32",
                   "layers": [{"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                               "config": {"batch_shape": [None, 3], "dtype": "float32", "name": "input_layer"}},
                              *layers]},
        "build_config": {"input_shape": [None, 3]},
    }


def _craft_files(folder, mark):
    """Every crafted file the attacks load, in ``folder``."""
    model = _small_model()
    model.save(os.path.join(folder, "good.keras"))
    model.save(os.path.join(folder, "good.h5"))
    with open(os.path.join(folder, "small.json"), "w") as f:
        f.write(model.to_json())
    with zipfile.ZipFile(os.path.join(folder, "good.keras")) as z:
        weights = z.read("model.weights.h5")
    good_config = json.loads(zipfile.ZipFile(os.path.join(folder, "good.keras")).read("config.json"))

    lam = _lambda_bytecode_config(mark)
    seq = _sequential_config([lam])
    _write_archive(os.path.join(folder, "lambda.keras"), seq, weights=None)
    with open(os.path.join(folder, "lambda.json"), "w") as f:
        json.dump(seq, f)
    with open(os.path.join(folder, "lambda_layer.json"), "w") as f:
        json.dump(lam["config"], f)
    with h5py.File(os.path.join(folder, "lambda.h5"), "w") as f:
        f.attrs["backend"] = "tensorflow"
        f.attrs["keras_version"] = "3.15.1"
        legacy = {"class_name": "Sequential", "config": {
            "name": "sequential", "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [None, 3]}},
                                             {"class_name": "Lambda", "config": lam["config"]}]}}
        f.attrs["model_config"] = json.dumps(legacy)
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([], dtype="S1")

    def named(module, class_name, config):
        return _sequential_config([{"module": module, "class_name": class_name, "registered_name": None,
                                    "config": config}])

    for filename, module, class_name, config in [
        ("os_system.keras", "os", "system", {"command": f"touch {mark}"}),
        ("builtins_eval.keras", "builtins", "eval", {"source": f"open({mark!r}, 'w')"}),
        ("subprocess_popen.keras", "subprocess", "Popen", {"args": ["touch", mark]}),
        ("import_module.keras", "importlib", "import_module", {"name": "antigravity"}),
        ("gadget_load_model.keras", "keras.models", "load_model",
         {"filepath": os.path.join(folder, "lambda.keras"), "safe_mode": False}),
        ("gadget_get_file.keras", "keras.utils", "get_file", {"origin": "http://127.0.0.1:9/x", "fname": mark}),
        ("gadget_unsafe.keras", "keras.config", "enable_unsafe_deserialization", {}),
    ]:
        _write_archive(os.path.join(folder, filename), named(module, class_name, config), weights=None)
    # Also as the top-level object, with no Sequential around it.
    mismatch = _sequential_config([{"module": "keras.layers", "class_name": "Dense", "registered_name": "Custom>Evil",
                                    "config": {"units": 2, "name": "d"}}])
    _write_archive(os.path.join(folder, "registered_name.keras"), mismatch, weights=None)
    secret = os.path.join(folder, "secret.txt")
    with open(secret, "w") as f:
        f.write("not a vocabulary\n")
    vocab = _sequential_config([{"module": "keras.layers", "class_name": "StringLookup", "registered_name": None,
                                 "config": {"name": "lookup", "vocabulary": secret}}])
    _write_archive(os.path.join(folder, "vocabulary_path.keras"), vocab, weights=None)
    with open(os.path.join(folder, "evil.yaml"), "w") as f:
        f.write(f"!!python/object/apply:os.system [\"touch {mark}\"]\n")

    # HDF5 weight files, each with one forbidden construct where a weight should be.
    outside = os.path.join(folder, "outside.h5")
    with h5py.File(outside, "w") as f:
        f["kernel"] = np.ones((3, 2), "float32")
    raw = os.path.join(folder, "outside.bin")
    np.ones((3, 2), "float32").tofile(raw)

    def weights_file(name, put_kernel):
        with h5py.File(os.path.join(folder, name), "w") as f:
            f.create_group("vars")
            v = f.create_group("layers/dense/vars")
            put_kernel(f, v)
            v["1"] = np.zeros(2, "float32")

    weights_file("external_link.weights.h5", lambda f, v: v.__setitem__("0", h5py.ExternalLink(outside, "kernel")))
    weights_file("soft_link.weights.h5", lambda f, v: (f.__setitem__("real", np.ones((3, 2), "float32")),
                                                       v.__setitem__("0", h5py.SoftLink("/real"))))
    weights_file("external_storage.weights.h5",
                 lambda f, v: v.create_dataset("0", shape=(3, 2), dtype="float32", external=[(raw, 0, 24)]))

    def virtual(f, v):
        layout = h5py.VirtualLayout(shape=(3, 2), dtype="float32")
        layout[:] = h5py.VirtualSource(outside, "kernel", shape=(3, 2))
        v.create_virtual_dataset("0", layout)

    weights_file("virtual.weights.h5", virtual)
    weights_file("huge.weights.h5",
                 lambda f, v: v.create_dataset("0", shape=(2**20, 2**20), dtype="float32", chunks=(64, 64)))
    huge = io.BytesIO()
    with h5py.File(huge, "w") as f:
        f.create_group("vars")
        v = f.create_group("layers/dense/vars")
        v.create_dataset("0", shape=(2**20, 2**20), dtype="float32", chunks=(64, 64))
        v["1"] = np.zeros(2, "float32")
    _write_archive(os.path.join(folder, "huge_weights.keras"), good_config, weights=huge.getvalue())
    # A config.json declaring 100 MB that deflates to ~100 kB: refused before it is inflated.
    with zipfile.ZipFile(os.path.join(folder, "zip_bomb.keras"), "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("config.json", b" " * (100 * 2**20))
        z.writestr("model.weights.h5", weights)


@pytest.fixture(scope="module")
def attack_results(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("attacks"))
    mark = os.path.join(folder, "PWNED")
    _craft_files(folder, mark)
    proc = subprocess.run([sys.executable, "-c", CHILD, folder, mark, json.dumps(ATTACKS)],
                          capture_output=True, text=True, timeout=300)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULTS ")]
    assert proc.returncode == 0 and lines, f"the child process failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    results = json.loads(lines[-1][len("RESULTS "):])
    results["__folder__"] = folder
    return results


EXPECTED_WORDS = {
    "keras_lambda_bytecode": "safe_mode",
    "keras_lambda_bytecode_no_compile": "safe_mode",
    "h5_lambda_bytecode": "safe_mode",
    "json_lambda_bytecode": "safe_mode",
    "lambda_from_config_directly": "safe_mode",
    "os_system": "system",
    "builtins_eval": "eval",
    "subprocess_popen": "Popen",
    "importlib_import_module": "import_module",
    "gadget_load_model": "load_model",
    "gadget_get_file": "get_file",
    "gadget_unsafe_switch": "enable_unsafe_deserialization",
    "registered_name_mismatch": "Custom>Evil",
    "vocabulary_file_path": "vocabulary",
    "yaml_python_tag": "YAML",
    "h5_external_link": "external link",
    "h5_soft_link": "soft link",
    "h5_external_storage": "external",
    "h5_virtual_dataset": "virtual",
    "h5_declared_huge": "declares",
    "keras_weights_declared_huge": "declares",
    "zip_member_declared_huge": "config.json",
}


@pytest.mark.needs_subprocess
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_is_refused_without_running_importing_or_touching_anything(attack, attack_results):
    result = attack_results[attack]
    assert result["outcome"] == "ValueError", result
    assert EXPECTED_WORDS[attack].lower() in result["message"].lower(), result["message"]
    assert not result["marker"], "the attack's code ran"
    assert result["new_modules"] == [], f"loading imported {result['new_modules']}"
    folder = attack_results["__folder__"]
    for event, args in result["events"]:
        assert event not in ("exec", "compile", "marshal.loads", "marshal.load", "pickle.find_class", "os.system",
                             "subprocess.Popen", "socket.connect", "os.remove", "os.rename", "os.mkdir"), (event, args)
        assert not event.startswith(("os.exec", "os.spawn", "os.posix_spawn", "ctypes")), (event, args)
        if event == "open":
            # Only the file being loaded (and nothing outside the folder of crafted files) may be opened.
            assert folder in args, (event, args)
            assert "secret.txt" not in args and "outside" not in args, (event, args)


@pytest.mark.needs_subprocess
def test_attacks_never_allocated_what_files_declared(attack_results):
    # Two files declare a 4 TiB dataset and one a 100 MB config: none of it may be allocated.
    assert attack_results["__rss_growth_kb__"] < 200 * 1024


def test_safe_mode_false_given_explicitly_loads_a_lambda(tmp_path):
    mark = str(tmp_path / "ran")
    _write_archive(tmp_path / "lambda.keras", _sequential_config([_lambda_bytecode_config(mark)]), weights=None)
    model = keras.models.load_model(tmp_path / "lambda.keras", safe_mode=False)
    out = model.predict(np.ones((2, 3), "float32"), verbose=0)
    np.testing.assert_array_equal(out, np.ones((2, 3), "float32"))
    assert os.path.exists(mark)  # the file's code ran, as the user asked


def test_safe_mode_must_be_a_bool(tmp_path):
    _small_model().save(tmp_path / "m.keras")
    with pytest.raises(TypeError, match="safe_mode"):
        keras.models.load_model(tmp_path / "m.keras", safe_mode="no")


def test_zip_members_are_never_extracted_or_followed(tmp_path):
    model = _small_model()
    model.save(tmp_path / "good.keras")
    with zipfile.ZipFile(tmp_path / "good.keras") as z:
        members = {n: z.read(n) for n in z.namelist()}
    escaped = tmp_path / "escaped.txt"
    with zipfile.ZipFile(tmp_path / "slip.keras", "w") as z:
        for n, data in members.items():
            z.writestr(n, data)
        z.writestr("../escaped.txt", b"x")
        z.writestr("/tmp/absolute_escape.txt", b"x")
        z.writestr("assets/..\\..\\escaped.txt", b"x")
        link = zipfile.ZipInfo("assets/link")
        link.external_attr = 0o120777 << 16  # a symbolic link to a file outside
        z.writestr(link, str(escaped))
    restored = keras.models.load_model(tmp_path / "slip.keras")
    x = np.ones((2, 3), "float32")
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0))
    assert not escaped.exists()
    assert not os.path.exists("/tmp/absolute_escape.txt")
    assert sorted(os.listdir(tmp_path)) == ["good.keras", "slip.keras"]


def test_no_pickle_or_eval_in_the_loaders():
    import kerasnb.saving

    folder = os.path.dirname(kerasnb.saving.__file__)
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".py"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            source = f.read()
        assert "import pickle" not in source and "allow_pickle=True" not in source, name
        assert "eval(" not in source.replace("literal_eval(", ""), name
        assert "import_module" not in source and "__import__" not in source, name


# -- fuzzing: damaged files ----------------------------------------------------------------------------------------

FUZZ_CHILD = textwrap.dedent("""
    import json, random, sys, os
    import numpy as np
    import kerasnb as keras
    path, out_dir, seed, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    data = open(path, "rb").read()
    ext = os.path.splitext(path)[1]
    rng = random.Random(seed)
    x = np.ones((2, 3), "float32")
    bad = []
    outcomes = {}
    cases = [("truncate", n) for n in sorted({0, 1, 7, 30, len(data) // 3, len(data) // 2, len(data) - 1,
                                              *(rng.randrange(len(data)) for _ in range(count // 4))})]
    cases += [("flip", [(rng.randrange(len(data)), rng.randrange(1, 256)) for _ in range(rng.randint(1, 8))])
              for _ in range(count)]
    for i, (kind, arg) in enumerate(cases):
        if kind == "truncate":
            mutated = data[:arg]
        else:
            buf = bytearray(data)
            for pos, xor in arg:
                buf[pos] ^= xor
            mutated = bytes(buf)
        target = os.path.join(out_dir, f"case{ext}")
        with open(target, "wb") as f:
            f.write(mutated)
        try:
            model = keras.models.load_model(target)
            y = model.predict(x, verbose=0)
            outcome = "loaded"
        except (ValueError, OSError) as e:
            outcome = type(e).__name__
            if not str(e).strip():
                bad.append([kind, repr(arg)[:100], outcome, "empty message"])
        except Exception as e:
            outcome = type(e).__name__
            bad.append([kind, repr(arg)[:100], outcome, str(e)[:300]])
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    print("FUZZ " + json.dumps({"bad": bad, "outcomes": outcomes, "cases": len(cases)}))
""")


@pytest.mark.needs_subprocess
@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_damaged_files_load_or_raise_a_clear_error(ext, tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.BatchNormalization(), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((8, 3), "float32"), np.ones((8, 2), "float32"), verbose=0)
    path = tmp_path / f"model{ext}"
    model.save(path)
    proc = subprocess.run([sys.executable, "-c", FUZZ_CHILD, str(path), str(tmp_path), "1234", "160"],
                          capture_output=True, text=True, timeout=400)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("FUZZ ")]
    assert proc.returncode == 0 and lines, f"the fuzzing child died:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    report = json.loads(lines[-1][len("FUZZ "):])
    assert report["bad"] == [], report
    # Most damage must be noticed: a file that loads after a byte flip only changed a value or padding.
    assert report["outcomes"].get("ValueError", 0) + report["outcomes"].get("OSError", 0) > report["cases"] // 4


# -- fuzzing: generated configs --------------------------------------------------------------------------------

def test_generated_configs_load_or_raise_value_error():
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    names = st.sampled_from(["Dense", "Sequential", "Functional", "Conv2D", "LSTM", "InputLayer", "Lambda", "Adam",
                             "GlorotUniform", "DTypePolicy", "system", "eval", "__lambda__", "__keras_tensor__",
                             "Model", "function", "", "Bidirectional", "TimeDistributed", "MeanSquaredError"])
    modules = st.sampled_from(["keras", "keras.layers", "keras.models", "keras.src.models.functional",
                               "keras.initializers", "keras.optimizers", "os", "builtins", "", None])
    leaves = st.none() | st.booleans() | st.integers(-3, 2**40) | st.floats(allow_nan=True) | st.text(max_size=8)
    values = st.recursive(
        leaves | names,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
            st.sampled_from(["units", "layers", "name", "config", "class_name", "module", "inbound_nodes",
                             "batch_shape", "activation", "dtype", "input_layers", "output_layers", "cell",
                             "layer", "keras_history", "args", "kwargs", "shared_object_id", "registered_name"]),
            inner, max_size=5),
        max_leaves=25)
    objects = st.fixed_dictionaries({"module": modules, "class_name": names, "config": values},
                                    optional={"registered_name": st.none() | st.text(max_size=6),
                                              "build_config": values})

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(objects)
    def check(config):
        try:
            keras.models.model_from_json(json.dumps(config))
        except ValueError as e:
            assert str(e).strip()

    check()
