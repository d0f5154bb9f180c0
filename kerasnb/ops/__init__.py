"""``kerasnb.ops``: the differentiable, NumPy-like op namespace, modeled on ``keras.ops``.

Every function takes tensors, variables, NumPy arrays or Python numbers and returns a
:class:`~kerasnb.engine.tensor.Tensor`. Inside a :class:`~kerasnb.GradientTape` they are recorded and can be
differentiated. The ops live in a few readable modules — open any of them to see the op's forward and
backward side by side:

* :mod:`kerasnb.ops.math` — elementwise arithmetic, exponentials, trigonometry, comparisons, where, clip, cast
* :mod:`kerasnb.ops.reduce` — sum, mean, max, min, prod, var, std, logsumexp, argmax, argmin, any, all
* :mod:`kerasnb.ops.shaping` — reshape, transpose, indexing, concatenate, stack, split, tile, pad, take, sort, ...
* :mod:`kerasnb.ops.linalg` — matmul, dot, tensordot, einsum
* :mod:`kerasnb.ops.nn` — activations, softmax, log_softmax
* :mod:`kerasnb.ops.crossentropy` — binary, categorical and sparse categorical cross-entropy
* :mod:`kerasnb.ops.convolution` — convolution (1D/2D/3D, depthwise, separable, transposed) and pooling
* :mod:`kerasnb.ops.core` — convert_to_tensor, stop_gradient, zeros, ones, arange, ...

Example:
    >>> from kerasnb import ops
    >>> ops.softmax(ops.convert_to_tensor([1.0, 2.0, 3.0]))
    <Tensor shape=(3,) dtype=float32 numpy=[0.09003057 0.244728... 0.66524094]>
"""

from kerasnb.engine.tensor import convert_to_tensor
from kerasnb.ops.convolution import (
    average_pool,
    conv,
    conv_transpose,
    depthwise_conv,
    max_pool,
    separable_conv,
)
from kerasnb.ops.core import (
    arange,
    convert_to_numpy,
    eye,
    full,
    full_like,
    identity,
    is_tensor,
    linspace,
    ones,
    ones_like,
    shape,
    stop_gradient,
    zeros,
    zeros_like,
)
from kerasnb.ops.crossentropy import (
    binary_crossentropy,
    categorical_crossentropy,
    sparse_categorical_crossentropy,
)
from kerasnb.ops.linalg import dot, einsum, matmul, outer, tensordot, vdot
from kerasnb.ops.math import (
    abs,
    absolute,
    add,
    arccos,
    arcsin,
    arctan,
    cast,
    ceil,
    clip,
    cos,
    cosh,
    divide,
    equal,
    erf,
    exp,
    expm1,
    floor,
    floor_divide,
    greater,
    greater_equal,
    isfinite,
    isinf,
    isnan,
    less,
    less_equal,
    log,
    log1p,
    log2,
    log10,
    logical_and,
    logical_not,
    logical_or,
    maximum,
    minimum,
    mod,
    multiply,
    negative,
    not_equal,
    power,
    reciprocal,
    round,
    rsqrt,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    subtract,
    tan,
    tanh,
    true_divide,
    where,
)
from kerasnb.ops.nn import (
    elu,
    exponential,
    gelu,
    hard_sigmoid,
    hard_silu,
    hard_swish,
    leaky_relu,
    log_softmax,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softplus,
    softsign,
    swish,
)
from kerasnb.ops.reduce import (
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    logsumexp,
    max,
    mean,
    min,
    prod,
    std,
    sum,
    var,
)
from kerasnb.ops.shaping import (
    argsort,
    broadcast_to,
    concatenate,
    cumsum,
    expand_dims,
    flip,
    getitem,
    moveaxis,
    one_hot,
    pad,
    ravel,
    repeat,
    reshape,
    roll,
    sort,
    split,
    squeeze,
    stack,
    swapaxes,
    take,
    take_along_axis,
    tile,
    top_k,
    transpose,
)

gather = take
