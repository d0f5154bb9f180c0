"""Weight files in the layouts real Keras writes and reads, both ways.

**Keras 3** (``model.save_weights("m.weights.h5")``, and ``model.weights.h5`` inside a ``.keras`` archive). Keras
walks the model object by object and gives each one a group ``<path>/vars`` holding datasets ``"0"``, ``"1"``, ...
(its own variables: those created trainable first, then the others), with the attribute ``name`` (the object's
name). The path is built as Keras builds it:

- the model's own group is ``vars`` at the root;
- a ``Sequential`` or functional model lists its layers under ``layers/<key>``, where ``<key>`` is the layer's
  *class* name in snake case, numbered in ``model.layers`` order (``dense``, ``dense_1``, ``batch_normalization``;
  not the layer's ``name``); a functional model's ``model.layers`` is in Keras's order (by depth from the
  inputs, not by call order: this module computes it);
- then, for every object, its attributes holding layers, sorted by name with private (``_x``) names last: a
  layer under its attribute name (``enc/vars``; an LSTM's cell is ``lstm/cell/vars``; Bidirectional has
  ``forward_layer`` and ``backward_layer``; MultiHeadAttention ``query_dense``, ``key_dense``, ...), a list or
  dict of layers under ``<attr>/<class key>`` numbered as above (``blocks/dense``, ``blocks/dense_1``); a
  subclassed model also walks its ``layers`` list this way, in that sorted position. An object reached twice is
  saved at the first path only;
- a compiled model's optimizer is ``optimizer/vars``: ``iterations``, ``learning_rate`` (absent for a schedule),
  then the slots in the order of the model's trainable variables (Keras's order).

**Legacy** (tf-keras ``save_weights("w.h5")``; ``model_weights/`` of a full-model ``.h5``): attributes
``layer_names``, ``backend``, ``keras_version``; one group per layer (sorted by name) with the attribute
``weight_names`` and one dataset per weight at ``<layer>/<weight name>`` (Keras 3 names weights by path,
``seq/dense/kernel``; tf-keras ``dense/kernel:0``), then ``top_level_model_weights``. Loading is by order (the
layers that have weights, matched to the names whose ``weight_names`` are not empty) or by name.

Every read goes through :func:`kerasnb.saving.h5io.open_for_reading` (links, external storage and size lies are
refused before anything is read); every write goes to a temporary file renamed over the target when complete
(:mod:`kerasnb.saving.atomic`). Loading is all or nothing: every array is read and checked before the first
variable changes, and a mismatch names every failing layer with the expected and received shapes.
"""

import functools
import io
import os
import re
import types
import warnings

import numpy as np

from kerasnb.saving import h5io
from kerasnb.saving.atomic import atomic_path

__all__ = [
    "load_weights",
    "read_keras3_weights",
    "read_legacy_optimizer_weights",
    "read_legacy_weights",
    "save_weights",
    "write_keras3_weights",
    "write_legacy_optimizer_weights",
    "write_legacy_weights",
]

KERAS3_WEIGHTS_SUFFIX = ".weights.h5"
LEGACY_SUFFIXES = (".h5", ".hdf5")
VALID_WEIGHTS_EXTENSIONS = (
    "`.weights.h5` (Keras 3's weights file), `.h5` or `.hdf5` (the legacy HDF5 weights file), or no extension "
    "(tf.keras's checkpoint path, e.g. './weights/my_model', written here in Keras 3's layout)"
)

# Attributes of kerasnb's own base classes that hold layers for bookkeeping, not as children (Keras skips its
# base Layer's attributes the same way).
_SKIP_ATTRIBUTES = frozenset({
    "_layers", "_input_layer", "_layer_outputs", "_nodes", "_input_structure", "_output_structure",
    "_children_cache", "_inbound_nodes", "_losses", "_fit_structure", "_own_variables", "optimizer",
    "_compile_loss", "_compile_metrics", "_loss_tracker", "history", "_gradient_observers",
})


@functools.cache
def _kinds():
    """kerasnb's classes, imported on first use (``import kerasnb`` does not import this module's users)."""
    from kerasnb.engine.tensor import Variable
    from kerasnb.layers.attention import MultiHeadAttention
    from kerasnb.layers.input_layer import InputLayer
    from kerasnb.layers.layer import Layer, SymbolicOp
    from kerasnb.models.functional import Functional
    from kerasnb.models.model import Model
    from kerasnb.models.sequential import Sequential
    from kerasnb.models.trainer import Trainer
    from kerasnb.optimizers.optimizer import Optimizer

    return types.SimpleNamespace(
        Variable=Variable, Layer=Layer, SymbolicOp=SymbolicOp, InputLayer=InputLayer, Model=Model,
        Sequential=Sequential, Functional=Functional, Optimizer=Optimizer, MultiHeadAttention=MultiHeadAttention,
        bases=(Layer, Model, Trainer, Sequential, Functional, object),
    )


def keras_snake_case(name):
    """A class name as Keras turns it into a key: ``ConvLSTM2D`` -> ``conv_lstm2d``, ``PReLU`` -> ``p_re_lu``.

    Example:
        >>> [keras_snake_case(n) for n in ("Dense", "BatchNormalization", "ConvLSTM2D", "SimpleRNNCell")]
        ['dense', 'batch_normalization', 'conv_lstm2d', 'simple_rnn_cell']
    """
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


# ---------------------------------------------------------------------------------------------------------
# The model as Keras sees it: children, own variables (``model.layers`` is already in Keras's order)
# ---------------------------------------------------------------------------------------------------------


def _name_key(name):
    """Keras visits attributes sorted by name, private ones (``_x``) last."""
    return f"~{name}" if name.startswith("_") else name


def _layers_in(value):
    """The layers inside a list, tuple or dict (nested ones too), in order."""
    k = _kinds()
    found = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed(list(item)))
        elif isinstance(item, k.Layer):
            found.append(item)
    return found


class _Placeholder:
    """An object Keras has and kerasnb does not (MultiHeadAttention's softmax): an empty ``vars`` group."""

    def __init__(self, name):
        self.name = name


def _children(obj):
    """``(key, child)`` pairs in the order Keras visits them: a child is a layer, a list of layers (a container,
    whose items are keyed by class name) or a :class:`_Placeholder`."""
    k = _kinds()
    first, named = [], {}
    if isinstance(obj, (k.Sequential, k.Functional)):
        first.append(("layers", obj.layers))
    elif isinstance(obj, k.Model):
        named["layers"] = obj.layers
    candidates = [key for key in vars(obj) if key not in _SKIP_ATTRIBUTES and not key.startswith("__")]
    for cls in type(obj).__mro__:
        if cls in k.bases:
            continue
        for key, value in vars(cls).items():
            if isinstance(value, property) and key not in candidates and not key.startswith("__"):
                candidates.append(key)
    for key in candidates:
        if key in named:
            continue
        try:
            value = vars(obj)[key] if key in vars(obj) else getattr(obj, key)
        except Exception:  # noqa: BLE001 - Keras skips attributes it cannot read, so do we
            continue
        if isinstance(value, k.Layer):
            if value is not obj:
                named[key] = value
        elif isinstance(value, (list, tuple, dict)):
            layers = [layer for layer in _layers_in(value) if layer is not obj]
            if layers:
                named[key] = layers
    if isinstance(obj, k.MultiHeadAttention) and obj.built and "_softmax" not in named:
        named["_softmax"] = _Placeholder("softmax")
    return first + sorted(named.items(), key=lambda item: _name_key(item[0]))


def _child_layers(obj):
    """The layers among :func:`_children`, containers flattened, in visiting order."""
    result = []
    for _, child in _children(obj):
        if isinstance(child, list):
            result.extend(child)
        elif not isinstance(child, _Placeholder):
            result.append(child)
    return result


def _own_variables(layer):
    """The variables a layer holds itself (not through a sublayer), in Keras's order: those created trainable
    first, then the others, each in creation order."""
    own, seen = [], set()
    attribute_variables = []
    children = getattr(layer, "_attribute_children", None)
    if children is not None:
        attribute_variables = children()[1]
    owned_below = set()
    if attribute_variables:
        for sub in layer._flatten_layers(include_self=False):
            owned_below.update(id(v) for v in sub._own_variables)
    for v in list(layer._own_variables) + list(attribute_variables):
        if id(v) not in seen and id(v) not in owned_below:
            seen.add(id(v))
            own.append(v)
    return [v for v in own if v.trainable] + [v for v in own if not v.trainable]


class _Entry:
    """One ``<path>/vars`` group: the object saved there (``None`` for a placeholder), its name, its variables."""

    __slots__ = ("path", "owner", "name", "variables")

    def __init__(self, path, owner, name, variables):
        self.path, self.owner, self.name, self.variables = path, owner, name, variables


def _join(path, key):
    return f"{path}/{key}" if path else key


def _keras3_entries(model, objects_to_skip=None):
    """Every object Keras saves for ``model``, in Keras's walk order, each at its path (see the module
    docstring). Objects in ``objects_to_skip`` are left out, with what only they lead to (as Keras does)."""
    entries, visited = [], {id(obj) for obj in objects_to_skip or ()}

    def visit(obj, path):
        if id(obj) in visited:
            return
        visited.add(id(obj))
        if isinstance(obj, _Placeholder):
            entries.append(_Entry(path, None, obj.name, []))
            return
        entries.append(_Entry(path, obj, obj.name, _own_variables(obj)))
        for key, child in _children(obj):
            if isinstance(child, list):
                used = {}
                for item in child:
                    base = keras_snake_case(type(item).__name__)
                    if base in used:
                        used[base] += 1
                        item_key = f"{base}_{used[base]}"
                    else:
                        used[base] = 0
                        item_key = base
                    visit(item, _join(_join(path, key), item_key))
            else:
                visit(child, _join(path, key))

    visit(model, "")
    return entries


def _keras_trainable_variables(model):
    """``model.trainable_variables`` in Keras's order (the order Keras's optimizer keeps its slots in)."""
    k = _kinds()
    result, seen_variables, seen_layers = [], set(), set()

    def tracked(layer):
        if isinstance(layer, (k.Functional, k.Sequential)):
            return layer.layers
        return list(layer._attribute_children()[0])

    def visit(layer):
        if id(layer) in seen_layers or not layer.trainable:
            return
        seen_layers.add(id(layer))
        for v in _own_variables(layer):
            if v.trainable and id(v) not in seen_variables:
                seen_variables.add(id(v))
                result.append(v)
        for child in tracked(layer):
            visit(child)

    visit(model)
    return result


def _legacy_weights(layer):
    """A layer's weights in the legacy files' order: trainable, then non-trainable."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _legacy_weight_names(model):
    """``id(variable) -> name`` as Keras 3 names weights in ``.h5`` files: the path of layer names from the
    model down to the variable's layer (prefixed by the model's name, except in a functional model)."""
    k = _kinds()
    names, seen = {}, set()
    prefix = [] if isinstance(model, k.Functional) else [model.name]

    def visit(layer, chain):
        if id(layer) in seen:
            return
        seen.add(id(layer))
        for v in _own_variables(layer):
            names.setdefault(id(v), "/".join([*chain, v.name]))
        for child in _child_layers(layer):
            visit(child, [*chain, child.name])

    seen.add(id(model))
    for v in _own_variables(model):
        names[id(v)] = f"{model.name}/{v.name}"
    for layer in model.layers:
        visit(layer, [*prefix, layer.name])
    return names


def _user_hook(obj, method):
    """A ``save_own_variables``/``load_own_variables`` written by the user (on a custom layer or optimizer), which
    Keras calls instead of its default; kerasnb's own classes use the default layout."""
    if obj is None:
        return None
    for cls in type(obj).__mro__:
        if method in vars(cls):
            if cls.__module__.split(".")[0] == "kerasnb":
                return None
            return getattr(obj, method)
    return None


# ---------------------------------------------------------------------------------------------------------
# Optimizer state in Keras's order
# ---------------------------------------------------------------------------------------------------------


def _optimizer_order(optimizer, model):
    """Positions of ``optimizer.variables`` in Keras's order: ``order[i]`` is the index, in
    ``optimizer.variables``, of the variable Keras keeps at position ``i``.

    Keras keeps the slots in the order of the model's trainable variables; kerasnb's optimizer keeps them in the
    order it was built with (kerasnb's ``trainable_weights``), which for functional models with branches can
    differ. The slots of each kind are found as the optimizer's lists with one variable per trained variable
    (``_momentums``, ``_velocities``, ...) and moved within their block."""
    k = _kinds()
    variables = list(optimizer.variables)
    identity = list(range(len(variables)))
    trained = list(getattr(optimizer, "_trainable_variables", []) or [])
    if model is None or len(trained) < 2:
        return identity
    keras_order = _keras_trainable_variables(model)
    if len(keras_order) != len(trained) or {id(v) for v in keras_order} != {id(v) for v in trained}:
        return identity
    keras_position = {id(v): i for i, v in enumerate(keras_order)}
    if all(keras_position[id(v)] == i for i, v in enumerate(trained)):
        return identity
    index = {id(v): i for i, v in enumerate(variables)}
    owner = {}
    for value in vars(optimizer).values():
        if not (isinstance(value, (list, tuple)) and len(value) == len(trained)):
            continue
        if not all(isinstance(s, k.Variable) and id(s) in index for s in value):
            continue
        positions = [index[id(s)] for s in value]
        stride = positions[1] - positions[0]
        if stride <= 0 or any(b - a != stride for a, b in zip(positions, positions[1:])):
            return identity
        for i, q in enumerate(positions):
            owner[q] = (i, stride)
    order = [None] * len(variables)
    for q in range(len(variables)):
        if q in owner:
            i, stride = owner[q]
            target = q + (keras_position[id(trained[i])] - i) * stride
        else:
            target = q
        if not 0 <= target < len(variables) or order[target] is not None:
            return identity
        order[target] = q
    return order


def _optimizer_values(optimizer, model):
    """``{"0": array, ...}``: the optimizer's state in Keras's order (or what a custom ``save_own_variables``
    writes)."""
    hook = _user_hook(optimizer, "save_own_variables")
    if hook is not None:
        store = {}
        hook(store)
        return store
    variables = optimizer.variables
    return {str(i): variables[q].numpy() for i, q in enumerate(_optimizer_order(optimizer, model))}


def _plan_optimizer(optimizer, model, arrays, source, where):
    """The ``(variable, value)`` pairs that restore the optimizer from ``arrays`` (Keras's order), or ``[]`` with
    a warning when the saved state does not fit this optimizer (as Keras: the model's weights still load)."""
    k = _kinds()
    if not optimizer.built and len(optimizer.variables) != len(arrays) and model is not None:
        optimizer.build(model.trainable_weights)
    variables = optimizer.variables
    targets = [variables[q] for q in _optimizer_order(optimizer, model)]
    if len(arrays) == len(targets) - 1 and len(targets) > 1 and isinstance(optimizer._learning_rate, k.Variable) \
            and targets[1] is optimizer._learning_rate:
        arrays = [arrays[0], None, *arrays[1:]]  # tf-keras saved no learning rate: keep the current one
    if len(arrays) != len(targets):
        warnings.warn(
            f"{source}: skipping the optimizer state at {where}: optimizer '{optimizer.name}' has {len(targets)} "
            f"variables but the file holds {len(arrays)}. The model's weights are loaded; the optimizer starts "
            "afresh.", stacklevel=4)
        return []
    bad = [f"{v.name}: expected {tuple(v.shape)}, received {tuple(a.shape)}"
           for v, a in zip(targets, arrays) if a is not None and tuple(v.shape) != tuple(a.shape)]
    if bad:
        warnings.warn(
            f"{source}: skipping the optimizer state at {where}: its shapes do not match optimizer "
            f"'{optimizer.name}' ({'; '.join(bad[:5])}). The model's weights are loaded; the optimizer starts "
            "afresh.", stacklevel=4)
        return []
    return [(v, a) for v, a in zip(targets, arrays) if a is not None]


# ---------------------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------------------


def _shapes(pairs):
    return "[" + ", ".join(f"{name} {shape}" for name, shape in pairs) + "]"


def _mismatch(label, variables, received, missing_note=None, never_built=False):
    """One line of a loading error: the layer, what it expects and what the file holds."""
    expected = _shapes([(v.name, tuple(v.shape)) for v in variables])
    line = f"{label}: expected {len(variables)} variable(s) {expected}, "
    if missing_note is not None:
        line += f"received none ({missing_note})"
    else:
        line += f"received {len(received)} {_shapes(received)}"
    if never_built:
        line += (" - the layer was never built, so it has no variables yet: build the model (call it on data, or "
                 "`model.build(input_shape)`) before loading")
    return line


def _raise_or_warn(failures, skip_mismatch, source, model, hint):
    if not failures:
        return
    lines = "\n".join(f"  - {line}" for line in failures)
    count = f"{len(failures)} layer{'s' if len(failures) != 1 else ''}"
    if skip_mismatch:
        warnings.warn(f"{source}: skipped loading {count} of model '{model.name}' whose weights do not match the "
                      f"file:\n{lines}", stacklevel=4)
        return
    verb = "does" if len(failures) == 1 else "do"
    raise ValueError(f"{source}: cannot load the weights into model '{model.name}': {count} {verb} not match the "
                     f"file (nothing was loaded).\n{lines}\n{hint}")


class _Hook:
    """A user's ``load_own_variables``, called with its store once everything else has been checked."""

    def __init__(self, method):
        self.method = method


def _assign(plan):
    for target, value in plan:
        if isinstance(target, _Hook):
            target.method(value)
        else:
            target.assign(value)


def _check_model(model):
    k = _kinds()
    if not isinstance(model, k.Layer):
        raise ValueError(f"Expected a kerasnb model (or layer) to save or load weights; received {model!r:.80} of "
                         f"type {type(model).__name__}.")


def _ensure_built(model, for_saving):
    """Build an unbuilt model whose input shape is known; otherwise explain what to do."""
    _check_model(model)
    if getattr(model, "built", False):
        return
    k = _kinds()
    shape = None
    if not for_saving:
        if isinstance(model, k.Sequential):
            shape = model._input_batch_shape()
        elif getattr(model, "_batch_input_shape", None) is not None:
            shape = model._batch_input_shape
    if shape is not None:
        model.build(shape)
        return
    action = "saving" if for_saving else "loading weights into"
    raise ValueError(
        f"You are {action} model '{model.name}', which has not been built yet: its weights do not exist. Build it "
        "first by calling it on a batch of data (`model(x)`) or with `model.build(input_shape)`"
        + (", or give it an input shape (`keras.Input(shape)` first)." if not for_saving else ".")
    )


def _names(mapping):
    """Keys of an HDF5 group or attribute set for a message (h5py gives undecodable names as bytes)."""
    return sorted(str(key) for key in mapping)[:10]


def _source(obj):
    return h5io.source_name(obj)


# ---------------------------------------------------------------------------------------------------------
# Keras 3 layout
# ---------------------------------------------------------------------------------------------------------


def write_keras3_weights(model, h5file_or_group, optimizer=None):
    """Write ``model``'s weights into an open HDF5 file or group in Keras 3's layout (module docstring), and
    ``optimizer``'s state under ``optimizer/vars`` when one is given. The model is only read.

    Example:
        >>> import io, h5py
        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(2)])
        >>> buffer = io.BytesIO()
        >>> with h5py.File(buffer, "w") as f:
        ...     write_keras3_weights(model, f)
        ...     names = []
        ...     f.visit(names.append)
        >>> names
        ['layers', 'layers/dense', 'layers/dense/vars', 'layers/dense/vars/0', 'layers/dense/vars/1', \
'layers/dense_1', 'layers/dense_1/vars', 'layers/dense_1/vars/0', 'layers/dense_1/vars/1', 'vars']
    """
    _check_model(model)
    h5io.require_h5py()
    entries = _keras3_entries(model)
    covered = set()
    for entry in entries:
        group = h5file_or_group.require_group(entry.path) if entry.path else h5file_or_group
        vars_group = group.create_group("vars")
        vars_group.attrs["name"] = str(entry.name)
        hook = _user_hook(entry.owner, "save_own_variables")
        if hook is not None:
            store = {}
            hook(store)
            values = store
        else:
            values = {str(i): v.numpy() for i, v in enumerate(entry.variables)}
        covered.update(id(v) for v in entry.variables)
        for key, value in values.items():
            value = value.numpy() if hasattr(value, "numpy") else value
            vars_group.create_dataset(str(key), data=np.asarray(value))
    missed = [v.path for v in model.weights if id(v) not in covered]
    if missed:
        warnings.warn(
            f"Model '{model.name}': these variables are held in a way Keras does not save (a layer inside a nested "
            f"list of a layer that is not a model?) and were not written: {missed[:10]}", stacklevel=2)
    if optimizer is not None:
        vars_group = h5file_or_group.require_group("optimizer").create_group("vars")
        vars_group.attrs["name"] = str(optimizer.name)
        for key, value in _optimizer_values(optimizer, model).items():
            value = value.numpy() if hasattr(value, "numpy") else value
            vars_group.create_dataset(str(key), data=np.asarray(value))


def _vars_group(h5, path):
    """The ``vars`` group at ``path`` (``""``: the root's), or ``None``; tries Keras 2.13's
    ``_layer_checkpoint_dependencies`` spelling of ``layers`` too, as Keras does."""
    h5py = h5io.require_h5py()
    candidates = [path]
    if "_layer_checkpoint_dependencies" in h5 and "layers" in path.split("/"):
        candidates.append("/".join("_layer_checkpoint_dependencies" if p == "layers" else p for p in path.split("/")))
    for candidate in candidates:
        node = h5
        for part in candidate.split("/") if candidate else []:
            child = node.get(part) if isinstance(node, h5py.Group) else None
            if not isinstance(child, h5py.Group):
                node = None
                break
            node = child
        if node is not None:
            group = node.get("vars")
            if isinstance(group, h5py.Group):
                return group
    return None


def _read_vars(group):
    """``{key: array}`` for the datasets of a ``vars`` group (checked and read through :mod:`h5io`)."""
    h5py = h5io.require_h5py()
    if group is None:
        return {}
    values = {}
    for key in group:
        item = group[key]
        if isinstance(item, h5py.Dataset):
            values[key if isinstance(key, str) else bytes(key).decode("utf-8", "replace")] = h5io.read_dataset(item)
    return values


def _numeric_keys(store):
    return sorted(store, key=lambda key: (0, int(key)) if key.isascii() and key.isdigit() else (1, key))


def _weight_groups(h5):
    """``(absolute name, path below h5)`` of every ``vars`` group holding at least one dataset (to report weights
    nothing loaded). Each object is visited once, even if hard links make the file a graph."""
    h5py = h5io.require_h5py()
    found, stack, seen = [], [(h5, "")], {h5.id}
    while stack:
        group, path = stack.pop()
        for key in group:
            child = group[key]
            if isinstance(child, h5py.Group) and child.id not in seen:
                seen.add(child.id)
                child_path = f"{path}/{key}" if path else str(key)
                if key == "vars" and any(isinstance(child[name], h5py.Dataset) for name in child):
                    found.append((child.name, child_path))
                stack.append((child, child_path))
    return found


def read_keras3_weights(model, h5file_or_group, skip_mismatch=False, optimizer=None, objects_to_skip=None):
    """Load ``model``'s weights (and ``optimizer``'s state, when given and saved) from an HDF5 file or group in
    Keras 3's layout, written by kerasnb or by real Keras.

    An unbuilt model with a known input shape is built first. Every array is read and checked before any
    variable changes; a mismatch (a layer missing from the file, a different number of variables, a different
    shape) raises a ``ValueError`` listing every failing layer with the expected and received shapes, unless
    ``skip_mismatch=True`` (then those layers are skipped, with a warning, and the rest load). Optimizer state
    that does not fit the optimizer is skipped with a warning, as Keras does; an unbuilt optimizer is built for
    the model's trainable variables first. Layers in ``objects_to_skip`` keep their weights.

    Example:
        >>> import io, h5py
        >>> def make():
        ...     return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(2)])
        >>> source, target = make(), make()
        >>> buffer = io.BytesIO()
        >>> with h5py.File(buffer, "w") as f:
        ...     write_keras3_weights(source, f)
        >>> with h5io.open_for_reading(buffer) as f:
        ...     read_keras3_weights(target, f)
        >>> all(np.array_equal(a, b) for a, b in zip(source.get_weights(), target.get_weights()))
        True
    """
    _ensure_built(model, for_saving=False)
    source = _source(h5file_or_group)
    plan, failures, consumed = [], [], set()
    entries = _keras3_entries(model, objects_to_skip)
    if objects_to_skip:  # what was skipped on purpose is not 'weights nothing took'
        loading = {entry.path for entry in entries}
        for entry in _keras3_entries(model):
            group = _vars_group(h5file_or_group, entry.path) if entry.path not in loading else None
            if group is not None:
                consumed.add(group.name)
    for entry in entries:
        group = _vars_group(h5file_or_group, entry.path)
        if group is not None:
            consumed.add(group.name)
        stored = _read_vars(group)
        hook = _user_hook(entry.owner, "load_own_variables")
        if hook is not None:
            plan.append((_Hook(hook), stored))
            continue
        variables = entry.variables
        keys = _numeric_keys(stored)
        received = [(key, tuple(stored[key].shape)) for key in keys]
        label = f"layer '{entry.name}' (at {entry.path + '/vars' if entry.path else 'vars'})"
        if entry.owner is not None and entry.owner is model:
            label = f"model '{entry.name}' itself (at vars)"
        matches = keys == [str(i) for i in range(len(variables))] and all(
            tuple(v.shape) == tuple(stored[str(i)].shape) for i, v in enumerate(variables))
        if matches:
            plan.extend((v, stored[str(i)]) for i, v in enumerate(variables))
            continue
        never_built = bool(stored) and not variables and entry.owner is not None and not getattr(
            entry.owner, "built", True)
        missing = "the file has no weights at this path" if group is None and variables else None
        failures.append(_mismatch(label, variables, received, missing, never_built))
    optimizer_plan = []
    optimizer_group = _vars_group(h5file_or_group, "optimizer")
    if optimizer is not None and optimizer_group is not None:
        consumed.add(optimizer_group.name)
        stored = _read_vars(optimizer_group)
        hook = _user_hook(optimizer, "load_own_variables")
        keys = _numeric_keys(stored)
        if hook is not None:
            optimizer_plan.append((_Hook(hook), stored))
        elif keys != [str(i) for i in range(len(keys))]:
            warnings.warn(f"{source}: skipping the optimizer state at optimizer/vars: expected datasets named "
                          f"'0', '1', ...; received {keys[:10]}.", stacklevel=2)
        else:
            optimizer_plan = _plan_optimizer(optimizer, model, [stored[key] for key in keys], source,
                                             "optimizer/vars")
    unused = [path for name, path in _weight_groups(h5file_or_group)
              if name not in consumed and not path.startswith("optimizer/")]
    _raise_or_warn(failures, skip_mismatch, source, model,
                   "Check that the model is built exactly as the one that was saved, or pass skip_mismatch=True to "
                   "load the layers that match.")
    if unused:
        warnings.warn(f"{source}: the file holds weights that no layer of model '{model.name}' took: {unused[:10]}",
                      stacklevel=2)
    _assign(plan)
    _assign(optimizer_plan)


# ---------------------------------------------------------------------------------------------------------
# Legacy layout
# ---------------------------------------------------------------------------------------------------------


def _write_weight_subset(group, variables, names, fallback_prefix):
    used, weight_names = set(), []
    for v in variables:
        name = names.get(id(v)) or f"{fallback_prefix}/{v.name}"
        base, n = name, 1
        while name in used:
            name = f"{base}_{n}"
            n += 1
        used.add(name)
        weight_names.append(name)
    h5io.write_string_list_attribute(group, "weight_names", weight_names)
    for name, v in zip(weight_names, variables):
        group.create_dataset(name, data=v.numpy())


def write_legacy_weights(model, group):
    """Write ``model``'s weights into ``group`` in the legacy layout, as Keras 3 writes ``model_weights/`` (and
    tf-keras ``save_weights("w.h5")`` at a file's root): attributes ``layer_names``, ``backend``,
    ``keras_version``; a group per layer with ``weight_names`` (Keras 3's names: ``seq/dense/kernel``); then
    ``top_level_model_weights``.

    Example:
        >>> import io, h5py
        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="out")], name="seq")
        >>> buffer = io.BytesIO()
        >>> with h5py.File(buffer, "w") as f:
        ...     write_legacy_weights(model, f)
        ...     h5io.read_string_list_attribute(f, "layer_names"), h5io.read_string_list_attribute(
        ...         f["out"], "weight_names")
        (['out'], ['seq/out/kernel', 'seq/out/bias'])
    """
    _check_model(model)
    h5io.require_h5py()
    from kerasnb.saving.keras_file import KERAS_FORMAT_VERSION
    from kerasnb.saving.legacy_h5 import BACKEND_NAME

    layers = model.layers
    names = [layer.name for layer in layers]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"Model '{model.name}' has several layers named {duplicates}; the legacy HDF5 layout needs "
                         "unique layer names. Give each layer its own `name=`.")
    weight_names = _legacy_weight_names(model)
    h5io.write_string_list_attribute(group, "layer_names", names)
    h5io.write_string_attribute(group, "backend", BACKEND_NAME, encoding="ascii")
    h5io.write_string_attribute(group, "keras_version", KERAS_FORMAT_VERSION, encoding="ascii")
    for layer in sorted(layers, key=lambda x: x.name):
        _write_weight_subset(group.create_group(layer.name), _legacy_weights(layer), weight_names, layer.name)
    _write_weight_subset(group.create_group("top_level_model_weights"), _own_variables(model), weight_names,
                         model.name)


def _legacy_group(group, source):
    if "layer_names" in group.attrs or "layer_names0" in group.attrs:
        return group
    h5py = h5io.require_h5py()
    inner = group.get("model_weights")
    if isinstance(inner, h5py.Group) and ("layer_names" in inner.attrs or "layer_names0" in inner.attrs):
        return inner
    raise ValueError(
        f"{source}: no weights in the legacy HDF5 layout here: expected an attribute 'layer_names' (at the root or "
        f"in 'model_weights'); found attributes {_names(group.attrs)} and keys {_names(group)}."
    )


def _read_subset(group, source):
    """(weight names, arrays) of one legacy layer group."""
    h5py = h5io.require_h5py()
    names = h5io.read_string_list_attribute(group, "weight_names", [])
    arrays = []
    for name in names:
        item = group.get(name)
        if not isinstance(item, h5py.Dataset):
            raise ValueError(f"{source}: '{group.name}' lists weight {name!r} in weight_names but holds no dataset "
                             "of that name (corrupted?).")
        arrays.append(h5io.read_dataset(item))
    return names, arrays


def _match_subset(label, variables, names, arrays, plan, failures):
    if len(variables) == len(arrays) and all(tuple(v.shape) == tuple(a.shape) for v, a in zip(variables, arrays)):
        plan.extend(zip(variables, arrays))
        return
    received = [(name, tuple(a.shape)) for name, a in zip(names, arrays)]
    failures.append(_mismatch(label, variables, received))


def read_legacy_weights(model, group, by_name=False, skip_mismatch=False):
    """Load ``model``'s weights from a legacy-layout HDF5 group: the root of a tf-keras ``save_weights("w.h5")``
    file, or the ``model_weights`` group of a full-model ``.h5`` (given the file, that group is found).

    By order (default), the model's layers that have weights take the file's layers whose ``weight_names`` are
    not empty, in order; ``by_name=True`` matches layers by name instead (layers with no match keep their
    weights). Keras 3's (``seq/dense/kernel``) and tf-keras's (``dense/kernel:0``) weight names are both read.
    Nothing changes unless everything matches; with ``skip_mismatch=True`` mismatching layers are skipped with
    a warning.

    Example:
        >>> import io, h5py
        >>> def make():
        ...     return keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        >>> source, target = make(), make()
        >>> buffer = io.BytesIO()
        >>> with h5py.File(buffer, "w") as f:
        ...     write_legacy_weights(source, f)
        >>> with h5io.open_for_reading(buffer) as f:
        ...     read_legacy_weights(target, f)
        >>> np.array_equal(source.layers[0].kernel.numpy(), target.layers[0].kernel.numpy())
        True
    """
    source = _source(group)
    group = _legacy_group(group, source)
    _ensure_built(model, for_saving=False)
    h5py = h5io.require_h5py()
    saved = []
    for name in h5io.read_string_list_attribute(group, "layer_names", []):
        layer_group = group.get(name)
        if not isinstance(layer_group, h5py.Group):
            raise ValueError(f"{source}: the file lists layer {name!r} in layer_names but has no group for it "
                             "(corrupted?).")
        saved.append((name, *_read_subset(layer_group, source)))
    layers = model.layers
    plan, failures = [], []
    if by_name:
        index = {}
        for layer in layers:
            index.setdefault(layer.name, []).append(layer)
        for position, (name, weight_names, arrays) in enumerate(saved):
            for layer in index.get(name, []):
                _match_subset(f"layer #{position} (named '{layer.name}')", _legacy_weights(layer), weight_names,
                              arrays, plan, failures)
    else:
        with_weights = [layer for layer in layers if _legacy_weights(layer)]
        saved_with_weights = [item for item in saved if item[1]]
        if len(with_weights) != len(saved_with_weights):
            raise ValueError(
                f"{source}: layer count mismatch when loading weights from file. Model '{model.name}' expected "
                f"{len(with_weights)} layers with weights, found {len(saved_with_weights)} saved layers.\n"
                f"  the model's: {[layer.name for layer in with_weights]}\n"
                f"  the file's:  {[item[0] for item in saved_with_weights]}\n"
                "Loading is by order; pass by_name=True to match layers by name instead."
            )
        for position, (layer, (name, weight_names, arrays)) in enumerate(zip(with_weights, saved_with_weights)):
            label = f"layer #{position} (named '{layer.name}' in the model, '{name}' in the file)"
            _match_subset(label, _legacy_weights(layer), weight_names, arrays, plan, failures)
    top = group.get("top_level_model_weights")
    if isinstance(top, h5py.Group):
        weight_names, arrays = _read_subset(top, source)
        own = _own_variables(model)
        if arrays or own:
            _match_subset(f"model '{model.name}' top-level weights", own, weight_names, arrays, plan, failures)
    _raise_or_warn(failures, skip_mismatch, source, model,
                   "Check that the model is built exactly as the one that was saved, or pass skip_mismatch=True "
                   "to load the layers that match.")
    _assign(plan)


def write_legacy_optimizer_weights(optimizer, group, model=None):
    """Write ``optimizer``'s state into ``group`` (a full-model ``.h5``'s ``optimizer_weights``), as Keras 3
    does: the attribute ``weight_names`` (``adam/iteration``, ``adam/learning_rate``, then the slots) and one
    dataset per name. With ``model``, the slots follow Keras's order of the model's trainable variables.

    Example:
        >>> import io, h5py
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.Adam(name="adam"), loss="mse")
        >>> _ = model.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0)
        >>> buffer = io.BytesIO()
        >>> with h5py.File(buffer, "w") as f:
        ...     write_legacy_optimizer_weights(model.optimizer, f.create_group("optimizer_weights"), model)
        ...     h5io.read_string_list_attribute(f["optimizer_weights"], "weight_names")[:2]
        ['adam/iteration', 'adam/learning_rate']
    """
    h5io.require_h5py()
    variables = optimizer.variables
    ordered = [variables[q] for q in _optimizer_order(optimizer, model)]
    used, names = set(), []
    for v in ordered:
        name = base = f"{optimizer.name}/{v.name}"
        n = 1
        while name in used:
            name = f"{base}_{n}"
            n += 1
        used.add(name)
        names.append(name)
    h5io.write_string_list_attribute(group, "weight_names", names)
    for name, v in zip(names, ordered):
        group.create_dataset(name, data=v.numpy())


def read_legacy_optimizer_weights(optimizer, group, model=None):
    """Restore ``optimizer``'s state from a full-model ``.h5``'s ``optimizer_weights`` group (or the file that
    holds it), written by kerasnb, Keras 3 or tf-keras (whose files have no learning rate: the optimizer keeps
    its own). An unbuilt optimizer is built for ``model``'s trainable variables first. State that does not fit
    is skipped with a warning, as Keras does. Returns whether the state was loaded.

    Example:
        >>> import io, h5py
        >>> def make():
        ...     model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        ...     model.compile(optimizer=keras.optimizers.SGD(momentum=0.9), loss="mse")
        ...     return model
        >>> source, target = make(), make()
        >>> _ = source.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0)
        >>> buffer = io.BytesIO()
        >>> with h5py.File(buffer, "w") as f:
        ...     write_legacy_optimizer_weights(source.optimizer, f.create_group("optimizer_weights"), source)
        >>> with h5io.open_for_reading(buffer) as f:
        ...     read_legacy_optimizer_weights(target.optimizer, f, target)
        True
        >>> int(target.optimizer.iterations)
        1
    """
    h5py = h5io.require_h5py()
    source = _source(group)
    if "weight_names" not in group.attrs and "weight_names0" not in group.attrs:
        inner = group.get("optimizer_weights")
        if not isinstance(inner, h5py.Group):
            raise ValueError(f"{source}: no optimizer state here: expected an 'optimizer_weights' group or an "
                             f"attribute 'weight_names'; found keys {_names(group)}.")
        group = inner
    names, arrays = _read_subset(group, source)
    if _slots_grouped_by_kind(names):
        warnings.warn(
            f"{source}: skipping the optimizer state at {group.name}: it was saved by a tf.keras optimizer older "
            f"than 2.11 (weights named like {names[1]!r}), which keeps its slots grouped by kind (all 'm', then all "
            "'v'); that order cannot be matched to the variables safely. The model's weights are loaded; the "
            "optimizer starts afresh.", stacklevel=2)
        return False
    plan = _plan_optimizer(optimizer, model, arrays, source, group.name)
    if not plan:
        return False
    _assign(plan)
    return True


# The slot names of tf.keras's optimizers before 2.11 (OptimizerV2), last in their weights' names.
_OLD_SLOT_KINDS = frozenset({"m", "v", "vhat", "momentum", "rms", "mg", "accumulator", "linear", "accum_grad",
                             "accum_var", "delta_accumulator"})


def _slots_grouped_by_kind(names):
    """Whether optimizer weight names are tf.keras's pre-2.11 ones, ``Adam/dense/kernel/m:0`` (slot kind last),
    with several kinds: those optimizers list the slots kind by kind, not variable by variable. (tf.keras 2.11+
    writes ``Adam/m/dense/kernel:0`` and Keras 3 ``adam/dense_kernel_momentum``, both variable by variable.)"""
    parts = [name.split(":")[0].split("/") for name in names]
    slots = [p for p in parts if len(p) >= 3]
    if len(slots) < 2 or not all(p[-1] in _OLD_SLOT_KINDS for p in slots):
        return False
    return len({p[-1] for p in slots}) > 1


# ---------------------------------------------------------------------------------------------------------
# Files: model.save_weights / model.load_weights
# ---------------------------------------------------------------------------------------------------------


def _weights_format(path, save_format=None):
    """``"keras3"`` or ``"legacy"`` for a path given to ``save_weights``."""
    lower = path.lower()
    if save_format is not None:
        fmt = str(save_format).lower()
        if fmt in ("h5", "hdf5"):
            return "legacy"
        if fmt == "tf":
            return "keras3"
        raise ValueError(f"Unknown save_format {save_format!r} for save_weights: use 'h5' (the legacy HDF5 layout) "
                         "or leave it out (the format follows the file name).")
    if lower.endswith(KERAS3_WEIGHTS_SUFFIX):
        return "keras3"
    if lower.endswith(".keras"):
        raise ValueError(
            f"The filename must end in {VALID_WEIGHTS_EXTENSIONS}. A `.keras` file holds a whole model: save it "
            f"with `model.save(filepath)`. Received: filepath={path}"
        )
    if lower.endswith(".weights.json"):
        raise ValueError(
            "Sharded weights (`.weights.json` with `max_shard_size`) are not supported by kerasnb; save to one "
            f"file ending in `.weights.h5`. Received: filepath={path}"
        )
    if lower.endswith(LEGACY_SUFFIXES):
        return "legacy"
    return "keras3"  # no extension (or a TF checkpoint name such as 'cp.ckpt'): Keras 3's layout at that path


def save_weights(model, filepath, overwrite=True, save_format=None, max_shard_size=None, options=None):
    """Save ``model``'s weights to ``filepath`` (what ``model.save_weights`` does).

    - ``*.weights.h5``: Keras 3's layout, readable by ``keras.Model.load_weights``; a compiled model's optimizer
      state is included (``optimizer/vars``), as Keras includes it.
    - ``*.h5`` / ``*.hdf5`` (or ``save_format="h5"``): the legacy layout of tf-keras's ``save_weights``.
    - no extension (``'./weights/my_model'``, where tf.keras wrote a TensorFlow checkpoint): Keras 3's layout,
      written at exactly that path (its folder is created); ``load_weights`` reads it back from the same path.
    - ``*.keras``: refused (that is a whole-model file: use ``model.save``).

    The file is written to a temporary file in the same folder and renamed over ``filepath`` when complete, so an
    interruption never destroys the previous file; the model is not changed. ``overwrite=False`` raises
    ``FileExistsError`` if the file exists (Keras asks in a terminal; a notebook cannot be asked). ``options``
    (tf.keras's TensorFlow checkpoint options) is accepted and ignored; sharding (``max_shard_size``) is not
    supported.

    Example:
        >>> import os, tempfile
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> path = os.path.join(tempfile.mkdtemp(), "weights", "my_model")
        >>> save_weights(model, path)
        >>> other = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> load_weights(other, path)
        >>> np.array_equal(model.get_weights()[0], other.get_weights()[0])
        True
    """
    path = os.fspath(filepath)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if max_shard_size is not None:
        raise ValueError("Sharded weights (`max_shard_size`) are not supported by kerasnb; save to one file ending in "
                         f"`.weights.h5`. Received: max_shard_size={max_shard_size!r}")
    fmt = _weights_format(path, save_format)
    _ensure_built(model, for_saving=True)
    if os.path.isdir(path):
        raise IsADirectoryError(f"Cannot save weights to {path}: it is a folder. Give a file path, such as "
                                f"{os.path.join(path, 'model.weights.h5')}.")
    if not overwrite and os.path.exists(path):
        raise FileExistsError(
            f"{path} already exists and overwrite=False. Pass overwrite=True to replace it (Keras asks for "
            "confirmation in a terminal; kerasnb runs in notebooks, which cannot be asked)."
        )
    h5py = h5io.require_h5py()
    optimizer = getattr(model, "optimizer", None) if getattr(model, "compiled", False) else None
    with atomic_path(path) as tmp:
        with h5py.File(tmp, "w") as f:
            if fmt == "legacy":
                write_legacy_weights(model, f)
            else:
                write_keras3_weights(model, f, optimizer=optimizer)


def _layout(f):
    if "layer_names" in f.attrs or "layer_names0" in f.attrs:
        return "legacy"
    if "model_weights" in f and ("layer_names" in f["model_weights"].attrs or "layer_names0" in f[
            "model_weights"].attrs):
        return "legacy"
    if "vars" in f or "layers" in f or "_layer_checkpoint_dependencies" in f:
        return "keras3"
    return None


def load_weights(model, filepath, skip_mismatch=False, by_name=False, objects_to_skip=None, options=None):
    """Load weights saved by ``model.save_weights`` (kerasnb, Keras 3 or tf-keras) into ``model`` (what
    ``model.load_weights`` does).

    The layout is recognised from the file's content, whatever its name: Keras 3's (``.weights.h5``, or a path
    without extension written by :func:`save_weights`) or the legacy one (``.h5``: weights at the root, or a
    full-model file's ``model_weights``). A ``.keras`` archive's weights are read too. ``by_name=True`` works
    for legacy files only, as in Keras. Every read is checked by
    :func:`kerasnb.saving.h5io.open_for_reading`; nothing changes unless everything matches (see
    ``skip_mismatch``). A compiled model's optimizer state is restored when the file has it. ``objects_to_skip``
    (layers that keep their weights) works for Keras 3's layout, as in Keras; ``options`` (tf.keras's checkpoint
    options) is ignored.

    Example:
        >>> import os, tempfile
        >>> def make():
        ...     return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> path = os.path.join(tempfile.mkdtemp(), "model.weights.h5")
        >>> save_weights(make(), path)
        >>> load_weights(keras.Sequential([keras.Input((3,)), keras.layers.Dense(5)]), path)
        Traceback (most recent call last):
        ...
        ValueError: model.weights.h5: cannot load the weights into model '...': 1 layer does not match the file \
(nothing was loaded).
          - layer '...' (at layers/dense/vars): expected 2 variable(s) [kernel (3, 5), bias (5,)], received 2 \
[0 (3, 2), 1 (2,)]
        ...
    """
    path = os.fspath(filepath)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    lower = path.lower()
    optimizer = getattr(model, "optimizer", None) if getattr(model, "compiled", False) else None
    if lower.endswith(".keras") and os.path.isfile(path):
        if by_name:
            raise ValueError("`by_name` only supports loading legacy '.h5' or '.hdf5' files. Received: "
                             f"filepath={path}")
        from kerasnb.saving.keras_file import WEIGHTS_MEMBER, read_keras_archive

        _, weights_bytes = read_keras_archive(path)
        if weights_bytes is None:
            raise ValueError(f"{path} holds no weights: it has no {WEIGHTS_MEMBER!r} member.")
        with h5io.open_for_reading(io.BytesIO(weights_bytes), name=f"{path}: {WEIGHTS_MEMBER}") as f:
            read_keras3_weights(model, f, skip_mismatch=skip_mismatch, optimizer=optimizer,
                                objects_to_skip=objects_to_skip)
        return
    if not os.path.exists(path):
        if os.path.exists(path + ".index"):
            raise ValueError(
                f"{path} is a TensorFlow checkpoint ({os.path.basename(path)}.index and data files), written by "
                "tf.keras's save_weights without `.h5`. kerasnb cannot read TensorFlow checkpoints: in tf.keras, "
                "load the model and save its weights again to a `.weights.h5` (or `.h5`) file."
            )
        raise FileNotFoundError(2, f"No such file: '{path}'. Weights are saved with model.save_weights(path)", path)
    with h5io.open_for_reading(path) as f:
        layout = _layout(f)
        if layout == "legacy":
            if objects_to_skip is not None:
                raise ValueError("`objects_to_skip` only supports loading weights in Keras 3's layout ('.weights.h5' "
                                 f"files); this file is in the legacy layout. Received: filepath={path}")
            read_legacy_weights(model, f, by_name=by_name, skip_mismatch=skip_mismatch)
        elif layout == "keras3":
            if by_name:
                raise ValueError(
                    "`by_name` only supports loading legacy '.h5' or '.hdf5' files; this file is in Keras 3's "
                    f"layout, which is always loaded by structure. Received: filepath={path}"
                )
            read_keras3_weights(model, f, skip_mismatch=skip_mismatch, optimizer=optimizer,
                                objects_to_skip=objects_to_skip)
        else:
            raise ValueError(
                f"{path} holds no Keras weights: expected Keras 3's layout (a 'vars' group, 'layers/...') or the "
                f"legacy one (an attribute 'layer_names'). Found keys {_names(f)} and attributes "
                f"{_names(f.attrs)}."
            )
