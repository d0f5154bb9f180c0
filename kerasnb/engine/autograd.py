"""Reverse-mode automatic differentiation: the :class:`Op` base class and :class:`GradientTape`.

How it works, in three steps:

1. **Forward.** Every op in :mod:`kerasnb.ops` is a small :class:`Op` subclass. Calling it runs ``forward`` on
   raw arrays. If a tape is recording and an input is watched by it (or was itself made by a recorded op),
   the result tensor remembers the op in ``tensor.node`` and the op remembers its input tensors. Nothing else
   is ever recorded: outside a tape no graph is built and nothing is kept alive.
2. **Order.** ``tape.gradient(target, sources)`` sorts the recorded tensors reachable from ``target`` so that
   every tensor comes after the tensors it was computed from (a depth-first topological sort).
3. **Backward.** Walking that order in reverse, each op turns the gradient of its output into one gradient
   per input (a vector-Jacobian product, hand-written in its ``backward``); gradients reaching the same tensor
   along several paths are summed.

Higher-order gradients (differentiating a gradient) are deliberately not supported: a backward pass works
on raw arrays and records nothing. That keeps every op's backward a few lines of plain array code.
"""

import abc

from kerasnb.engine import arrays
from kerasnb.engine.tensor import Tensor, Variable, convert_to_tensor, is_float_dtype

# Tapes currently inside their ``with`` block, innermost last.
_active_tapes = []


class Op(abc.ABC):
    """Base class of every differentiable op: a forward and a backward on raw arrays, side by side.

    A subclass takes its static settings (axis, strides, ...) in ``__init__`` and implements:

    * ``forward(*arrays)`` -> array: compute the output, saving on ``self`` what ``backward`` needs;
    * ``backward(grad)`` -> one array per input (a single array for one input, a tuple otherwise; ``None``
      for an input that needs no gradient). ``self.needs_input_grad[i]`` says which inputs need one.

    The base class does the bookkeeping once, so each op stays small: it picks the array module (``self.xp``,
    NumPy or CuPy), records the op only when a tape needs it, sums gradients back over broadcast axes, casts
    each gradient to its input's dtype, and names the op in an error when a gradient has the wrong shape.

    Example (an op a learner could write):
        >>> class Cube(Op):
        ...     '''y = x**3;  dx = 3 x**2 dy'''
        ...     def forward(self, x):
        ...         self.x = x
        ...         return x**3
        ...     def backward(self, dy):
        ...         return 3 * self.x**2 * dy
        >>> x = kerasnb.Variable(2.0)
        >>> with kerasnb.GradientTape() as tape:
        ...     y = Cube()(x)
        >>> float(tape.gradient(y, x))
        12.0
    """

    inputs = ()
    needs_input_grad = ()
    tapes = ()

    @property
    def name(self):
        return type(self).__name__

    @abc.abstractmethod
    def forward(self, *xs):
        """Compute the output array from the input arrays."""

    @abc.abstractmethod
    def backward(self, grad):
        """Return the gradient for each input, given the gradient of the output."""

    def __call__(self, *inputs):
        tensors = [convert_to_tensor(x) for x in inputs]
        datas = [t.data for t in tensors]
        self.xp = arrays.array_module(*datas)
        tapes = _recording_tapes(tensors) if _active_tapes else ()
        if tapes:
            self.needs_input_grad = tuple(_tracked(t, tapes) for t in tensors)
        out = self.forward(*datas)
        if not arrays.is_array(out):  # reductions may give NumPy scalars; keep everything an array
            out = self.xp.asarray(out)
        if not tapes or not is_float_dtype(out.dtype):
            return Tensor(out)
        self.inputs = tensors
        self.tapes = tapes
        return Tensor(out, node=self)

    def _input_grads(self, grad):
        """Run ``backward`` and return one checked gradient (or ``None``) per input."""
        grads = self.backward(grad)
        if len(self.inputs) == 1 and not isinstance(grads, (tuple, list)):
            grads = (grads,)
        if len(grads) != len(self.inputs):
            raise RuntimeError(
                f"Op {self.name} has a bug: backward returned {len(grads)} gradients for "
                f"{len(self.inputs)} inputs."
            )
        checked = []
        for i, (x, g) in enumerate(zip(self.inputs, grads)):
            if g is None or not self.needs_input_grad[i]:
                checked.append(None)
                continue
            if not arrays.is_array(g):
                g = self.xp.asarray(g)
            if g.shape != x.data.shape:
                g = unbroadcast(g, x.data.shape)
                if g.shape != x.data.shape:
                    raise RuntimeError(
                        f"Op {self.name} has a bug: the gradient for input {i} has shape {g.shape}, "
                        f"but that input has shape {x.data.shape}."
                    )
            if g.dtype != x.data.dtype:
                g = g.astype(x.data.dtype)
            checked.append(g)
        return checked


def unbroadcast(grad, shape):
    """Sum ``grad`` over the axes that broadcasting added or stretched, so that it has ``shape``."""
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    elif extra < 0:
        return grad  # cannot be a broadcast of ``shape``; the caller reports it
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def _tracked(t, tapes):
    """Does any of ``tapes`` need gradients flowing into ``t``?"""
    if not is_float_dtype(t.data.dtype):
        return False
    if t.node is not None and any(tape in t.node.tapes for tape in tapes):
        return True
    return any(id(t) in tape._watched for tape in tapes)


def _recording_tapes(tensors):
    """The active tapes that must record an op on ``tensors``: those watching one of them (auto-watching
    trainable variables as they are read) or that recorded the op which made one of them."""
    found = []
    for tape in _active_tapes:
        if not tape._recording:
            continue
        needed = False
        for t in tensors:
            if not is_float_dtype(t.data.dtype):
                continue
            if isinstance(t, Variable) and t.trainable and tape._watch_accessed_variables:
                tape._watched.setdefault(id(t), t)
            needed = needed or id(t) in tape._watched or (t.node is not None and tape in t.node.tapes)
        if needed:
            found.append(tape)
    return tuple(found)


class GradientTape:
    """Records differentiable ops so that gradients can be computed — the ``tf.GradientTape`` interface.

    Inside ``with GradientTape() as tape:`` ops on watched tensors are recorded; trainable variables are
    watched as soon as they are read, and ``tape.watch(x)`` watches anything else. ``tape.gradient`` then
    returns d(target)/d(source) for each source, in the same structure as ``sources``.

    Args:
        persistent: allow several ``gradient`` calls (otherwise the graph is freed after the first).
        watch_accessed_variables: watch trainable variables automatically when they are read.

    Example:
        >>> x = kerasnb.ops.convert_to_tensor(3.0)
        >>> with kerasnb.GradientTape() as tape:
        ...     tape.watch(x)
        ...     y = x * x
        >>> float(tape.gradient(y, x))
        6.0
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = persistent
        self._watch_accessed_variables = watch_accessed_variables
        self._watched = {}  # id(tensor) -> tensor
        self._recording = False
        self._used = False

    def __enter__(self):
        _active_tapes.append(self)
        self._recording = True
        return self

    def __exit__(self, *exc):
        self._recording = False
        if self in _active_tapes:
            _active_tapes.remove(self)
        return False

    def watch(self, tensor):
        """Watch a tensor, a variable, or a (nested) list/tuple/dict of them."""
        for t in _flatten(tensor):
            if not isinstance(t, Tensor):
                raise ValueError(
                    "GradientTape.watch takes tensors or variables (or nested lists/dicts of them); "
                    f"received {type(t).__name__}. Convert it first with kerasnb.ops.convert_to_tensor."
                )
            self._watched[id(t)] = t

    def watched_variables(self):
        """The variables this tape watches, in the order they were first read or watched."""
        return tuple(t for t in self._watched.values() if isinstance(t, Variable))

    def stop_recording(self):
        """A context manager that pauses recording on this tape::

            with tape.stop_recording():
                loss_value = float(loss)   # not part of the graph
        """
        return _Paused(self)

    def reset(self):
        """Forget everything recorded and watched so far."""
        self._watched = {}
        self._used = False

    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """Return the gradient of ``target`` with respect to ``sources``.

        Args:
            target: a tensor, or a list of tensors (their gradients are summed).
            sources: a tensor or variable, or a nested list/tuple/dict of them; the result has this
                structure.
            output_gradients: the gradient flowing into ``target`` (default: ones, i.e. of ``sum(target)``).
            unconnected_gradients: ``'none'`` gives ``None`` for a source ``target`` does not depend on,
                ``'zero'`` gives zeros.

        Raises:
            RuntimeError: on a second call to a non-persistent tape.
        """
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(
                "unconnected_gradients must be 'none' or 'zero'. "
                f"Received: unconnected_gradients={unconnected_gradients!r}"
            )
        if self._used and not self._persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can only compute one set of gradients. "
                "Use GradientTape(persistent=True) to call gradient() several times."
            )
        self._used = True
        targets = [convert_to_tensor(t) for t in _flatten(target)]
        flat_sources = _flatten(sources)
        for s in flat_sources:
            if not isinstance(s, Tensor):
                raise ValueError(
                    f"GradientTape.gradient sources must be tensors or variables; received {type(s).__name__}."
                )
        if output_gradients is None:
            seeds = [arrays.array_module(t.data).ones_like(t.data) for t in targets]
        else:
            given = [output_gradients] if isinstance(target, Tensor) else list(output_gradients)
            if len(given) != len(targets):
                raise ValueError(
                    f"output_gradients must match target: {len(targets)} target tensors but "
                    f"{len(given)} output gradients were given."
                )
            seeds = [convert_to_tensor(g, t.dtype).data for g, t in zip(given, targets)]

        grads = self._backward(targets, seeds, {id(s) for s in flat_sources})
        results = []
        for s in flat_sources:
            g = grads.get(id(s))
            if g is None and unconnected_gradients == "zero":
                g = arrays.array_module(s.data).zeros_like(s.data)
            results.append(None if g is None else Tensor(g))
        return _pack_like(sources, results)

    def _backward(self, targets, seeds, source_ids):
        order = self._topological_order(targets)
        # Only walk into tensors that lead to a source: the rest of the graph needs no gradient.
        leads = {}
        for t in order:
            reaches = id(t) in source_ids
            if not reaches and self._owns(t):
                reaches = any(leads.get(id(x), False) for x in t.node.inputs)
            leads[id(t)] = reaches

        grads = {}
        for t, g in zip(targets, seeds):
            _accumulate(grads, t, g)
        for t in reversed(order):
            g = grads.get(id(t))
            if g is None or not self._owns(t) or not leads[id(t)]:
                continue
            op = t.node
            recorded = op.needs_input_grad
            op.needs_input_grad = tuple(r and leads.get(id(x), False) for r, x in zip(recorded, op.inputs))
            try:
                in_grads = op._input_grads(g)
            finally:
                op.needs_input_grad = recorded
            for x, gx in zip(op.inputs, in_grads):
                if gx is not None:
                    _accumulate(grads, x, gx)
            if id(t) not in source_ids:
                del grads[id(t)]  # done with it: free the memory early
        if not self._persistent:
            self._release(order)
        return grads

    def _owns(self, t):
        return t.node is not None and self in t.node.tapes

    def _topological_order(self, targets):
        """Tensors reachable from ``targets`` through ops this tape recorded, inputs before outputs."""
        order, seen = [], set()
        for root in targets:
            if id(root) in seen:
                continue
            stack = [(root, False)]
            while stack:
                t, expanded = stack.pop()
                if expanded:
                    order.append(t)
                    continue
                if id(t) in seen:
                    continue
                seen.add(id(t))
                stack.append((t, True))
                if self._owns(t):
                    for x in t.node.inputs:
                        if id(x) not in seen:
                            stack.append((x, False))
        return order

    def _release(self, order):
        """After a non-persistent tape's gradient, drop the graph links only this tape used."""
        for t in order:
            if t.node is not None and t.node.tapes == (self,):
                t.node = None


class no_recording:
    """A context manager in which no tape records anything (used to trace shapes and to run inference).

    Example:
        >>> x = kerasnb.Variable(1.0)
        >>> with kerasnb.GradientTape() as tape:
        ...     with no_recording():
        ...         y = x * 2
        >>> y.node is None
        True
    """

    def __enter__(self):
        self.saved = _active_tapes[:]
        _active_tapes.clear()

    def __exit__(self, *exc):
        _active_tapes[:] = self.saved
        return False


class _Paused:
    def __init__(self, tape):
        self.tape = tape

    def __enter__(self):
        self.was = self.tape._recording
        self.tape._recording = False

    def __exit__(self, *exc):
        self.tape._recording = self.was
        return False


def _accumulate(grads, t, g):
    prev = grads.get(id(t))
    grads[id(t)] = g if prev is None else prev + g


def _flatten(structure):
    if isinstance(structure, dict):
        return [x for k in structure for x in _flatten(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [x for item in structure for x in _flatten(item)]
    return [structure]


def _pack_like(structure, flat):
    return _build_like(structure, iter(flat))


def _build_like(structure, flat):
    # A plain recursive function, not a closure calling itself: such a closure is a reference cycle, which would
    # keep every gradient of a step alive until the cyclic garbage collector runs.
    if isinstance(structure, dict):
        return {k: _build_like(structure[k], flat) for k in structure}
    if isinstance(structure, (list, tuple)):
        items = [_build_like(item, flat) for item in structure]
        return tuple(items) if isinstance(structure, tuple) else items
    return next(flat)
