"""The engine: arrays (NumPy or CuPy), tensors and variables, the autograd graph, randomness.

Read in this order: :mod:`~kerasnb.engine.arrays` (where numbers live), :mod:`~kerasnb.engine.tensor`
(Tensor and Variable), :mod:`~kerasnb.engine.autograd` (Op and GradientTape), :mod:`~kerasnb.engine.random`.
"""

from kerasnb.engine.autograd import GradientTape, Op
from kerasnb.engine.tensor import Tensor, Variable, convert_to_tensor

__all__ = ["GradientTape", "Op", "Tensor", "Variable", "convert_to_tensor"]
