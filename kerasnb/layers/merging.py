"""Merging layers: combine a list of tensors into one — ``Add``, ``Subtract``, ``Multiply``, ``Average``,
``Maximum``, ``Minimum``, ``Concatenate`` and ``Dot``, with their functional forms (``add``, ``concatenate``, ...).

Each takes a *list* of tensors, real or symbolic, so they are how branches of a functional model join::

    a, b = keras.Input(shape=(4,)), keras.Input(shape=(4,))
    model = keras.Model([a, b], keras.layers.Concatenate()([a, b]))

Elementwise merges broadcast like NumPy over the non-batch axes; inputs of lower rank get size-1 axes inserted
after the batch axis first, as in Keras. Masks (from ``Embedding(mask_zero=True)`` or ``Masking``) are merged
as Keras 3 merges them: a timestep is kept when it is kept in *any* input.
"""


from kerasnb import config, ops
from kerasnb.layers.layer import Layer


def _as_mask_list(mask, n):
    """The inputs' masks as a list with one entry (a mask or ``None``) per input."""
    if mask is None:
        return [None] * n
    return list(mask) if isinstance(mask, (list, tuple)) else [mask] + [None] * (n - 1)


def _expand_mask(mask, x):
    """A ``(batch, steps)`` mask as a boolean array of ``x``'s shape (each step's mask over its features)."""
    return ops.broadcast_to(ops.expand_dims(ops.cast(mask, "bool"), -1), x.shape)


class Merge(Layer):
    """Base class of the elementwise merges: subclasses define ``_merge_function(inputs, masks)``.

    Example:
        >>> class Mean3(Merge):
        ...     def _merge_function(self, inputs, masks):
        ...         return (inputs[0] + inputs[1] + inputs[2]) / 3
        >>> Mean3()([np.ones((1, 2)), np.zeros((1, 2)), np.full((1, 2), 2.0)]).numpy()
        array([[1., 1.]], dtype=float32)
    """

    supports_masking = True

    def _merge_function(self, inputs, masks):
        """The merge itself: the elementwise merges define it (Concatenate and Dot override ``call``)."""
        raise TypeError(f"{type(self).__name__} must define `_merge_function(self, inputs, masks)`.")

    def _compute_elemwise_op_output_shape(self, shape1, shape2):
        """The broadcast shape of two (non-batch) shapes, or a ValueError when they cannot broadcast."""
        if len(shape1) < len(shape2):
            return self._compute_elemwise_op_output_shape(shape2, shape1)
        if not shape2:
            return tuple(shape1)
        output_shape = list(shape1[: len(shape1) - len(shape2)])
        for i, j in zip(shape1[len(shape1) - len(shape2):], shape2):
            if i is None or j is None:
                output_shape.append(None)
            elif i == 1 or j == 1:
                output_shape.append(j if i == 1 else i)
            elif i != j:
                raise ValueError(f"Inputs have incompatible shapes. Received shapes {tuple(shape1)} and "
                                 f"{tuple(shape2)}")
            else:
                output_shape.append(i)
        return tuple(output_shape)

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or not isinstance(input_shape[0],
                                                                                            (list, tuple)):
            raise ValueError("A merge layer should be called on a list of inputs. "
                             f"Received: input_shape={input_shape} (not a list of shapes)")
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(f"Cannot merge tensors with different batch sizes. Received tensors with shapes "
                             f"{list(input_shape)}")
        self.compute_output_shape(input_shape)  # raises for shapes that do not broadcast
        self.built = True

    def call(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"A merge layer should be called on a list of inputs. Received: inputs={inputs} "
                             "(not a list of tensors)")
        inputs = list(inputs)
        rank = max(x.ndim for x in inputs)
        for i, x in enumerate(inputs):  # lower-rank inputs get size-1 axes after the batch axis, as in Keras
            while x.ndim < rank:
                x = ops.expand_dims(x, 1)
            inputs[i] = x
        return self._merge_function(inputs, _as_mask_list(mask, len(inputs)))

    def compute_output_shape(self, input_shape):
        output_shape = tuple(input_shape[0][1:])
        for shape in input_shape[1:]:
            output_shape = self._compute_elemwise_op_output_shape(output_shape, tuple(shape[1:]))
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        return (batch_sizes.pop() if len(batch_sizes) == 1 else None, *output_shape)

    def compute_mask(self, inputs, mask=None):
        """A step is kept when any input keeps it; no mask when some input has none."""
        masks = _as_mask_list(mask, len(inputs))
        if mask is None or any(m is None for m in masks):
            return None
        output_mask = masks[0]
        for m in masks[1:]:
            output_mask = ops.logical_or(output_mask, m)
        return output_mask

    def _merge_with_masks(self, fn, inputs, masks):
        """Merge with ``fn`` (maximum, minimum) where a masked-out value of one input never wins: it is replaced
        by the other side's value (Keras's ``_apply_merge_op_and_or_mask``)."""
        output, output_mask = None, None
        for x, m in zip(inputs, masks):
            m = None if m is None else _expand_mask(m, x)
            if output is None:
                output, output_mask = x, m
                continue
            if m is not None:
                x = ops.where(m, x, output)
            if output_mask is not None:
                output = ops.where(output_mask, output, x)
            output_mask = ops.logical_or(output_mask, m) if m is not None and output_mask is not None else None
            output = fn(output, x)
        return output


class Add(Merge):
    """Adds a list of tensors elementwise.

    Example:
        >>> Add()([np.ones((2, 3)), np.full((2, 3), 2.0)]).numpy()
        array([[3., 3., 3.],
               [3., 3., 3.]], dtype=float32)
    """

    def _merge_function(self, inputs, masks):
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.add(output, x)
        return output


class Subtract(Merge):
    """Subtracts two tensors: ``inputs[0] - inputs[1]``.

    Example:
        >>> Subtract()([np.full((1, 2), 5.0), np.ones((1, 2))]).numpy()
        array([[4., 4.]], dtype=float32)
    """

    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs. Received: "
                             f"input_shape={input_shape}")

    def _merge_function(self, inputs, masks):
        if len(inputs) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs. Received: inputs={inputs}")
        return ops.subtract(inputs[0], inputs[1])


class Multiply(Merge):
    """Multiplies a list of tensors elementwise. Masked-out steps count as 1 in the product; a step masked out
    in every input gives 0.

    Example:
        >>> Multiply()([np.full((1, 2), 3.0), np.full((1, 2), 2.0)]).numpy()
        array([[6., 6.]], dtype=float32)
    """

    def _merge_function(self, inputs, masks):
        all_masked = all(m is not None for m in masks)
        output, output_mask = None, None
        for x, m in zip(inputs, masks):
            if m is not None:
                m = _expand_mask(m, x)
                x = ops.where(m, x, ops.ones((), x.dtype))
                output_mask = m if output_mask is None else ops.logical_or(output_mask, m)
            output = x if output is None else ops.multiply(output, x)
        if all_masked:
            output = ops.where(output_mask, output, ops.zeros((), output.dtype))
        return output


class Average(Merge):
    """Averages a list of tensors elementwise.

    Example:
        >>> Average()([np.ones((1, 2)), np.full((1, 2), 3.0)]).numpy()
        array([[2., 2.]], dtype=float32)
    """

    def _merge_function(self, inputs, masks):
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.add(output, x)
        return output / len(inputs)


class Maximum(Merge):
    """The elementwise maximum of a list of tensors.

    Example:
        >>> Maximum()([np.array([[1.0, 5.0]]), np.array([[3.0, 2.0]])]).numpy()
        array([[3., 5.]], dtype=float32)
    """

    def _merge_function(self, inputs, masks):
        return self._merge_with_masks(ops.maximum, inputs, masks)


class Minimum(Merge):
    """The elementwise minimum of a list of tensors.

    Example:
        >>> Minimum()([np.array([[1.0, 5.0]]), np.array([[3.0, 2.0]])]).numpy()
        array([[1., 2.]], dtype=float32)
    """

    def _merge_function(self, inputs, masks):
        return self._merge_with_masks(ops.minimum, inputs, masks)


class Concatenate(Merge):
    """Concatenates a list of tensors along ``axis``; their other axes must match.

    Args:
        axis: the axis to join along (default the last).

    Example:
        >>> a, b = keras.Input(shape=(4,)), keras.Input(shape=(2,))
        >>> Concatenate()([a, b]).shape
        (None, 6)
        >>> Concatenate(axis=1)([np.ones((2, 1, 3)), np.zeros((2, 2, 3))]).shape
        (2, 3, 3)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or not isinstance(input_shape[0],
                                                                                            (list, tuple)):
            raise ValueError(f"A `Concatenate` layer should be called on a list of at least 1 input. Received: "
                             f"input_shape={input_shape}")
        # Apart from the concatenation axis, the shapes must agree wherever both sizes are known.
        error = ("A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. "
                 f"Received: input_shape={list(input_shape)}")
        reduced = []
        for shape in input_shape:
            shape = list(shape)
            del shape[self.axis % len(shape)]
            reduced.append(shape)
        if len({len(s) for s in reduced}) != 1:
            raise ValueError(error)
        for sizes in zip(*reduced):
            if len({d for d in sizes if d is not None}) > 1:
                raise ValueError(error)
        self.built = True

    def call(self, inputs, mask=None):
        return ops.concatenate(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(f"A `Concatenate` layer should be called on a list of inputs. Received: "
                             f"input_shape={input_shape}")
        output_shape = list(input_shape[0])
        for shape in input_shape[1:]:
            if output_shape[self.axis] is None or shape[self.axis] is None:
                output_shape[self.axis] = None
                break
            output_shape[self.axis] += shape[self.axis]
        return tuple(output_shape)

    def compute_mask(self, inputs, mask=None):
        """The masks concatenated like the inputs (an input without a mask counts as all kept), then reduced
        over the last axis with ``any`` — what Keras 3 does."""
        masks = _as_mask_list(mask, len(inputs))
        if all(m is None for m in masks):
            return None
        full = []
        for x, m in zip(inputs, masks):
            if m is None:
                full.append(ops.ones(x.shape, dtype="bool"))
            elif m.ndim < x.ndim:
                full.append(_expand_mask(m, x))
            else:
                full.append(ops.cast(m, "bool"))
        return ops.any(ops.concatenate(full, axis=self.axis), axis=-1)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(Merge):
    """The dot product of two tensors along ``axes``, sample by sample (the batch axis is never summed).

    For inputs of shapes ``(batch, 3, 5)`` and ``(batch, 10, 3)`` and ``axes=(1, 2)`` the output has shape
    ``(batch, 5, 10)``: the remaining axes of the first input, then those of the second. A result with only the
    batch axis left gets a trailing axis of size 1.

    Args:
        axes: an int (the same axis of both inputs) or a pair ``(axis_of_first, axis_of_second)``.
        normalize: L2-normalise both inputs along those axes first, so the result is the cosine similarity.

    Example:
        >>> x, y = np.ones((2, 3, 5)), np.ones((2, 10, 3))
        >>> Dot(axes=(1, 2))([x, y]).shape
        (2, 5, 10)
        >>> Dot(axes=1, normalize=True)([np.array([[3.0, 4.0]]), np.array([[3.0, 4.0]])]).numpy()
        array([[1.]], dtype=float32)
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(f"Invalid type for argument `axes`: it should be a list or an int. Received: "
                                f"axes={axes}")
            if len(axes) != 2:
                raise ValueError(f"Invalid format for argument `axes`: it should contain two elements. Received: "
                                 f"axes={axes}")
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ValueError(f"Invalid format for argument `axes`: list elements should be integers. "
                                 f"Received: axes={axes}")
        self.axes = axes
        self.normalize = normalize

    def _axes_for(self, shape1, shape2):
        axes = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        return [axes[0] % len(shape1), axes[1] % len(shape2)]

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or not isinstance(
                input_shape[0], (list, tuple)):
            raise ValueError(f"A `Dot` layer should be called on a list of 2 inputs. Received: "
                             f"input_shape={input_shape}")
        shape1, shape2 = input_shape
        a1, a2 = self._axes_for(shape1, shape2)
        if shape1[a1] != shape2[a2]:
            raise ValueError(f"Incompatible input shapes: axis values {shape1[a1]} (at axis {a1}) != {shape2[a2]} "
                             f"(at axis {a2}). Full input shapes: {tuple(shape1)}, {tuple(shape2)}")
        self.built = True

    def call(self, inputs, mask=None):
        if len(inputs) != 2:
            raise ValueError(f"A `Dot` layer should be called on exactly 2 inputs. Received: inputs={inputs}")
        x, y = inputs
        a1, a2 = self._axes_for(x.shape, y.shape)
        if 0 in (a1, a2):
            raise ValueError("Cannot perform batch_dot over axis 0. If your inputs are not batched, add a dummy "
                             "batch dimension to your inputs using keras.ops.expand_dims(x, 0)")
        if self.normalize:
            x, y = _l2_normalize(x, a1), _l2_normalize(y, a2)
        # Bring the summed axes together: x to (batch, rest_x..., d), y to (batch, d, rest_y...), then one batched
        # matrix product of (batch, |rest_x|, d) by (batch, d, |rest_y|).
        x, y = ops.moveaxis(x, a1, -1), ops.moveaxis(y, a2, 1)
        batch, rest_x, rest_y = x.shape[0], x.shape[1:-1], y.shape[2:]
        out = ops.matmul(ops.reshape(x, (batch, -1, x.shape[-1])), ops.reshape(y, (batch, y.shape[1], -1)))
        return ops.reshape(out, (batch, *rest_x, *rest_y) if rest_x or rest_y else (batch, 1))

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2:
            raise ValueError(f"A `Dot` layer should be called on a list of 2 inputs. Received: "
                             f"input_shape={input_shape}")
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        a1, a2 = self._axes_for(shape1, shape2)
        shape1.pop(a1)
        shape2.pop(a2)
        output_shape = shape1 + shape2[1:]
        return tuple(output_shape + [1] if len(output_shape) == 1 else output_shape)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _l2_normalize(x, axis):
    """``x / ||x||`` along ``axis`` (Keras's ``ops.normalize``: ``x * min(rsqrt(sum(x²)), 1 / epsilon)``)."""
    inv_norm = ops.rsqrt(ops.sum(ops.square(x), axis=axis, keepdims=True))
    return x * ops.minimum(inv_norm, 1.0 / config.epsilon())


def add(inputs, **kwargs):
    """Functional form of :class:`Add`: ``add([a, b])``.

    Example:
        >>> add([np.ones((1, 2)), np.ones((1, 2))]).numpy()
        array([[2., 2.]], dtype=float32)
    """
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional form of :class:`Subtract`: ``subtract([a, b])`` is ``a - b``.

    Example:
        >>> subtract([np.ones((1, 2)), np.ones((1, 2))]).numpy()
        array([[0., 0.]], dtype=float32)
    """
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Functional form of :class:`Multiply`.

    Example:
        >>> multiply([np.full((1, 2), 2.0), np.full((1, 2), 2.0)]).numpy()
        array([[4., 4.]], dtype=float32)
    """
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional form of :class:`Average`.

    Example:
        >>> average([np.zeros((1, 2)), np.full((1, 2), 2.0)]).numpy()
        array([[1., 1.]], dtype=float32)
    """
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Functional form of :class:`Maximum`.

    Example:
        >>> maximum([np.zeros((1, 2)), np.ones((1, 2))]).numpy()
        array([[1., 1.]], dtype=float32)
    """
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional form of :class:`Minimum`.

    Example:
        >>> minimum([np.zeros((1, 2)), np.ones((1, 2))]).numpy()
        array([[0., 0.]], dtype=float32)
    """
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of :class:`Concatenate`.

    Example:
        >>> concatenate([np.zeros((1, 2)), np.ones((1, 3))]).shape
        (1, 5)
    """
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, **kwargs):
    """Functional form of :class:`Dot` (``normalize=True`` goes in ``kwargs``).

    Example:
        >>> dot([np.ones((2, 3)), np.ones((2, 3))], axes=1).numpy()
        array([[3.],
               [3.]], dtype=float32)
    """
    return Dot(axes=axes, **kwargs)(inputs)
