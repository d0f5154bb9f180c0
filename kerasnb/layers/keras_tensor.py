"""Symbolic tensors and nodes: how the functional API records a graph of layers.

``keras.Input(shape=(32,))`` returns a :class:`KerasTensor`: a shape (with ``None`` for the batch), a dtype and
a name, but no values. Calling a layer on KerasTensors does not compute anything; it records a :class:`Node`
(this layer, called on these tensors, gave those tensors) and returns new KerasTensors whose
``_keras_history`` points back at the node. ``keras.Model(inputs, outputs)`` later walks these links from the
outputs back to the inputs to find the layers to run, in order.
"""

import numpy as np


class KerasTensor:
    """A symbolic tensor: shape, dtype and the layer call that produced it — no values.

    Python operators on KerasTensors (``x + y``, ``x * 2``, ``x[:, 0]``) add small op layers to the graph, so
    residual connections can be written as ``x = x + block(x)``.

    Example:
        >>> x = keras.Input(shape=(32,))
        >>> x
        <KerasTensor shape=(None, 32), dtype=float32, name=input_layer...>
        >>> keras.layers.Dense(4)(x).shape
        (None, 4)
    """

    def __init__(self, shape, dtype="float32", name=None, history=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = np.dtype(dtype)
        self.name = name
        self._keras_history = history  # (layer, node_index, tensor_index)

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __array__(self, *args, **kwargs):
        raise TypeError(
            f"A KerasTensor is symbolic (it has a shape, {self.shape}, but no values): it cannot become a NumPy "
            "array. It only describes the model's graph; call the model on real data to get values."
        )

    def __bool__(self):
        raise TypeError("A symbolic KerasTensor has no truth value: it holds no data.")

    __hash__ = object.__hash__

    def _op(self, fn, *args):
        from kerasnb.layers.layer import SymbolicOp

        return SymbolicOp(fn)(*args)

    def __add__(self, other):
        return self._op(_ops().add, self, other)

    def __radd__(self, other):
        return self._op(_ops().add, other, self)

    def __sub__(self, other):
        return self._op(_ops().subtract, self, other)

    def __rsub__(self, other):
        return self._op(_ops().subtract, other, self)

    def __mul__(self, other):
        return self._op(_ops().multiply, self, other)

    def __rmul__(self, other):
        return self._op(_ops().multiply, other, self)

    def __truediv__(self, other):
        return self._op(_ops().divide, self, other)

    def __rtruediv__(self, other):
        return self._op(_ops().divide, other, self)

    def __matmul__(self, other):
        return self._op(_ops().matmul, self, other)

    def __pow__(self, other):
        return self._op(_ops().power, self, other)

    def __neg__(self):
        return self._op(_ops().negative, self)

    def __getitem__(self, index):
        from kerasnb.layers.layer import _getitem

        return self._op(_getitem, self, index)


def _ops():
    from kerasnb import ops

    return ops


class Node:
    """One call of a layer in a functional graph: its input KerasTensors (in the call's structure), its output
    KerasTensors, and the non-tensor keyword arguments it was called with."""

    def __init__(self, layer, args, kwargs, outputs):
        self.layer = layer
        self.args, self.kwargs = args, kwargs
        self.input_tensors = [t for t in flatten(args) if isinstance(t, KerasTensor)]
        self.input_tensors += [t for t in flatten(list(kwargs.values())) if isinstance(t, KerasTensor)]
        self.outputs = outputs
        self.output_tensors = flatten(outputs)
        node_index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for i, t in enumerate(self.output_tensors):
            t._keras_history = (layer, node_index, i)

    @property
    def parent_nodes(self):
        """The nodes that produced this node's inputs."""
        nodes = []
        for t in self.input_tensors:
            layer, index, _ = t._keras_history
            nodes.append(layer._inbound_nodes[index])
        return nodes


class ShapeLeaf(tuple):
    """A shape tuple that structure helpers treat as one leaf, not as a list of ints."""


def _is_structure(s):
    return isinstance(s, (list, tuple)) and not isinstance(s, ShapeLeaf)


def flatten(structure):
    """The leaves of a nested list/tuple/dict structure, in order (dicts in insertion order)."""
    if isinstance(structure, dict):
        return [leaf for key in structure for leaf in flatten(structure[key])]
    if _is_structure(structure):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def pack_like(structure, leaves):
    """Rebuild ``structure``'s nesting around ``leaves`` (the inverse of :func:`flatten`)."""
    return _build(structure, iter(leaves))


def _build(s, leaves):
    # A module-level function, not a closure referring to itself: that closure would be a reference cycle holding
    # every leaf (each layer's activations) until the cyclic garbage collector ran — 300 MB more in predict.
    if isinstance(s, dict):
        return {k: _build(v, leaves) for k, v in s.items()}
    if _is_structure(s):
        items = [_build(item, leaves) for item in s]
        return tuple(items) if isinstance(s, tuple) else items
    return next(leaves)


def map_structure(fn, structure):
    """Apply ``fn`` to every leaf of ``structure``, keeping its nesting."""
    return pack_like(structure, [fn(leaf) for leaf in flatten(structure)])


def any_symbolic(structure):
    return any(isinstance(t, KerasTensor) for t in flatten(structure))
