"""``DTypePolicy``: the dtype a layer computes and keeps its weights in, as ``keras.dtype_policies`` names it.

kerasnb layers compute in one dtype (``float32`` by default), so a policy here is just that dtype's name. It
exists so that configs written by Keras 3 — which store each layer's ``dtype`` as
``{"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}}`` — load, and so that kerasnb
writes the same. Mixed precision (``"mixed_float16"``) and quantized policies are refused with an explanation.

Example:
    >>> from kerasnb.dtype_policies import DTypePolicy
    >>> DTypePolicy("float32")
    <DTypePolicy "float32">
    >>> keras.layers.Dense(2, dtype=DTypePolicy("float64")).dtype
    'float64'
"""

import numpy as np

_QUANTIZED = ("QuantizedDTypePolicy", "QuantizedFloat8DTypePolicy", "GPTQDTypePolicy", "AWQDTypePolicy")


class DTypePolicy:
    """The dtype policy of a layer: ``name`` is a dtype (``"float32"``, ``"float64"``, ...); its
    ``compute_dtype`` and ``variable_dtype`` are that dtype.

    Example:
        >>> from kerasnb.dtype_policies import DTypePolicy
        >>> policy = DTypePolicy("float64")
        >>> policy.compute_dtype, policy.variable_dtype, policy.get_config()
        ('float64', 'float64', {'name': 'float64'})
    """

    def __init__(self, name=None):
        from kerasnb import config

        if name is None:
            name = config.floatx()
        if not isinstance(name, str):
            raise ValueError(f"A DTypePolicy's `name` must be a string such as 'float32'. Received: name={name!r}")
        if name.startswith("mixed_"):
            raise ValueError(
                f"The dtype policy {name!r} (mixed precision) is not supported by kerasnb: layers compute in one "
                "dtype. Use 'float32'."
            )
        try:
            self._name = np.dtype("object" if name in ("string", "str") else name).name
        except TypeError as e:
            raise ValueError(
                f"The dtype policy {name!r} names no dtype kerasnb supports (e.g. 'float32', 'float64', "
                f"'float16', 'int32'). Received: name={name!r}"
            ) from e
        if name in ("string", "str"):
            self._name = "string"

    @property
    def name(self):
        return self._name

    @property
    def compute_dtype(self):
        return self._name

    @property
    def variable_dtype(self):
        return self._name

    @property
    def quantization_mode(self):
        return None

    def get_config(self):
        return {"name": self._name}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        name = config.pop("name", None)
        if config:
            raise ValueError(f"Unknown keys in a DTypePolicy config: {sorted(config)}. Expected only 'name'.")
        return cls(name)

    def __eq__(self, other):
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self):
        return hash(("DTypePolicy", self._name))

    def __repr__(self):
        return f'<DTypePolicy "{self._name}">'


FloatDTypePolicy = DTypePolicy  # Keras 3.0-3.2 wrote this name for the same policy


def serialize(policy):
    """The Keras config dict of a policy (``{'module': 'keras', 'class_name': 'DTypePolicy', ...}``).

    Example:
        >>> from kerasnb import dtype_policies
        >>> dtype_policies.serialize(dtype_policies.DTypePolicy("float32"))["config"]
        {'name': 'float32'}
    """
    if isinstance(policy, str):
        policy = DTypePolicy(policy)
    return {"module": "keras", "class_name": "DTypePolicy", "config": policy.get_config(), "registered_name": None}


def deserialize(config):
    """A :class:`DTypePolicy` from its config dict (as Keras writes it) or from a dtype name.

    Example:
        >>> from kerasnb import dtype_policies
        >>> dtype_policies.deserialize({"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float64"}})
        <DTypePolicy "float64">
    """
    if isinstance(config, DTypePolicy):
        return config
    if isinstance(config, str):
        return DTypePolicy(config)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"A dtype policy is a dtype name or a DTypePolicy config dict. Received: {config!r}")
    class_name = config["class_name"]
    inner = config.get("config") or {}
    if class_name in _QUANTIZED or (isinstance(inner, dict) and inner.get("quantization_mode")):
        raise ValueError(
            f"The dtype policy {class_name} asks for a quantized layer, which kerasnb does not support. "
            f"Received: {config!r}"
        )
    if class_name not in ("DTypePolicy", "FloatDTypePolicy"):
        raise ValueError(f"Unknown dtype policy class {class_name!r}; expected 'DTypePolicy'. Received: {config!r}")
    if not isinstance(inner, dict):
        raise ValueError(f"A DTypePolicy's config is a dict like {{'name': 'float32'}}. Received: {inner!r}")
    return DTypePolicy.from_config(inner)


def get(identifier):
    """A :class:`DTypePolicy` from ``None`` (the default ``floatx()``), a dtype name, a config dict or a policy.

    Example:
        >>> from kerasnb import dtype_policies
        >>> dtype_policies.get("float16").name
        'float16'
    """
    if identifier is None:
        return DTypePolicy()
    return deserialize(identifier)


__all__ = ["DTypePolicy", "FloatDTypePolicy", "deserialize", "get", "serialize"]
