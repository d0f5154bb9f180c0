"""``kerasnb.optimizers``: the Keras optimizers — turning gradients into weight updates.

* :class:`Optimizer` (:mod:`~kerasnb.optimizers.optimizer`) — the shared machinery: slots, clipping, weight
  decay, learning-rate schedules, the moving average of the weights (EMA), ``apply_gradients``/``apply``/
  ``minimize``, and saving/restoring the state (``variables``, ``save_own_variables``/``load_own_variables``);
* :class:`SGD`, :class:`Adam`, :class:`AdamW`, :class:`RMSprop`, :class:`Adagrad`, :class:`Adadelta`,
  :class:`Adamax`, :class:`Nadam`, :class:`Ftrl`, :class:`Lion` — one module each (``kerasnb/optimizers/sgd.py``,
  ...), each just its slots and its ``update_step``, written as the paper writes the rule;
* :mod:`~kerasnb.optimizers.schedules` — learning rates that change with the step (``ExponentialDecay``,
  ``CosineDecay``, ...).

``model.compile(optimizer="adam")`` goes through :func:`get`.

Example:
    >>> w = kerasnb.Variable([2.0])
    >>> opt = kerasnb.optimizers.get("sgd")
    >>> opt.minimize(lambda: (w - 1.0) ** 2, [w])
    <Variable path=iteration, shape=(), dtype=int64, value=1>
    >>> w   # 2 - 0.01 * 2 * (2 - 1)
    <Variable path=variable, shape=(1,), dtype=float32, value=[1.98]>
"""

import inspect

from kerasnb import _lookup
from kerasnb.optimizers import schedules
from kerasnb.optimizers.adadelta import Adadelta
from kerasnb.optimizers.adagrad import Adagrad
from kerasnb.optimizers.adam import Adam
from kerasnb.optimizers.adamax import Adamax
from kerasnb.optimizers.adamw import AdamW
from kerasnb.optimizers.ftrl import Ftrl
from kerasnb.optimizers.lion import Lion
from kerasnb.optimizers.nadam import Nadam
from kerasnb.optimizers.optimizer import Optimizer
from kerasnb.optimizers.rmsprop import RMSprop
from kerasnb.optimizers.sgd import SGD

# Keras looks optimizers up by lowercased class name ('adam', 'adamw', 'rmsprop', 'sgd', ...).
ALL_OBJECTS_DICT = {
    cls.__name__.lower(): cls for cls in (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam, Ftrl, Lion)
}


def serialize(optimizer):
    """The Keras config dict of an optimizer: ``{'module', 'class_name', 'config', 'registered_name'}``.

    Example:
        >>> kerasnb.optimizers.serialize(kerasnb.optimizers.Adam(name="adam"))["class_name"]
        'Adam'
    """
    if optimizer is None:
        return None
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"Only Optimizer instances can be serialized; received {optimizer!r}.")
    return {
        "module": "keras.optimizers",
        "class_name": type(optimizer).__name__,
        "config": optimizer.get_config(),
        "registered_name": None,
    }


def deserialize(config, custom_objects=None):
    """Make an optimizer (with fresh state) from a config dict, the output of :func:`serialize`.

    Example:
        >>> opt = kerasnb.optimizers.deserialize({"class_name": "SGD", "config": {"learning_rate": 0.5}})
        >>> float(opt.learning_rate)
        0.5
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"An optimizer config is a dict with 'class_name' and 'config'. Received: {config!r}")
    name = config["class_name"]
    cls = _lookup.custom_object(name, custom_objects, config.get("registered_name"))
    if cls is None and isinstance(name, str):
        # tf-keras (2.11+) registered its optimizers as "Custom>Adam", "Custom>SGD", ...
        cls = _lookup.find(name[len("Custom>"):] if name.startswith("Custom>") else name, ALL_OBJECTS_DICT)
    if cls is None:
        raise _lookup.unknown_identifier("optimizer", name, ALL_OBJECTS_DICT)
    inner = config.get("config") or {}
    if not isinstance(inner, dict):
        raise ValueError(f"The config of the optimizer {name!r} must be a dict. Received: {inner!r}")
    if cls in ALL_OBJECTS_DICT.values():
        inner = _without_tf_keras_keys(dict(inner), name)
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        return cls.from_config(dict(inner), custom_objects=custom_objects)
    return cls.from_config(dict(inner))


def _without_tf_keras_keys(config, name):
    """tf-keras's optimizer configs carry ``jit_compile`` and ``is_legacy_optimizer`` (and, for its legacy
    optimizers, ``decay``): meaningless here, dropped; a learning-rate ``decay`` that is not 0 is refused."""
    config.pop("jit_compile", None)
    config.pop("is_legacy_optimizer", None)
    decay = config.pop("decay", 0.0)
    if decay:
        raise ValueError(
            f"The optimizer config {name!r} uses tf-keras's legacy `decay={decay}`, which kerasnb's optimizers do not "
            "have: use a learning-rate schedule (keras.optimizers.schedules.InverseTimeDecay) instead."
        )
    return config


def get(identifier):
    """Return an optimizer from a name (``'sgd'``, ``'adam'``, ``'AdamW'``, ... — any case), a config dict, a
    class, or an instance (returned as is). A name gives a new optimizer with Keras's default arguments.

    Example:
        >>> kerasnb.optimizers.get("Adam").learning_rate
        <Variable path=learning_rate, shape=(), dtype=float32, value=0.001>
        >>> kerasnb.optimizers.get("adamm")
        Traceback (most recent call last):
        ...
        ValueError: Could not interpret optimizer identifier: 'adamm'. Did you mean 'adam'?
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _lookup.find(identifier, ALL_OBJECTS_DICT)
        if cls is None:
            raise _lookup.unknown_identifier("optimizer", identifier, ALL_OBJECTS_DICT)
        return cls()
    if inspect.isclass(identifier) and issubclass(identifier, Optimizer):
        return identifier()
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r}. Pass a name ('sgd', 'adam', 'rmsprop', ...), "
        "an Optimizer instance, or a config dict."
    )


__all__ = [
    "Optimizer",
    "SGD",
    "Adam",
    "AdamW",
    "RMSprop",
    "Adagrad",
    "Adadelta",
    "Adamax",
    "Nadam",
    "Ftrl",
    "Lion",
    "schedules",
    "get",
    "serialize",
    "deserialize",
]
