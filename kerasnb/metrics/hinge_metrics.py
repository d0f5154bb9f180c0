"""Hinge metrics: the running mean of the hinge losses (maximum-margin classification with scores, not
probabilities)."""

from kerasnb.losses import categorical_hinge, hinge, squared_hinge
from kerasnb.metrics.reduction_metrics import _LossMetric


class Hinge(_LossMetric):
    """The mean hinge loss over all samples seen (:func:`~kerasnb.losses.hinge`; labels -1/1, or 0/1 which are
    converted).

    Example:
        >>> m = keras.metrics.Hinge()
        >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> float(m.result())
        1.2999999523162842
    """

    _loss_fn = staticmethod(hinge)

    def __init__(self, name="hinge", dtype=None):
        super().__init__(name=name, dtype=dtype)


class SquaredHinge(_LossMetric):
    """The mean squared hinge loss over all samples seen (:func:`~kerasnb.losses.squared_hinge`).

    Example:
        >>> m = keras.metrics.SquaredHinge()
        >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> round(float(m.result()), 4)
        1.86
    """

    _loss_fn = staticmethod(squared_hinge)

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(name=name, dtype=dtype)


class CategoricalHinge(_LossMetric):
    """The mean categorical hinge loss over all samples seen (:func:`~kerasnb.losses.categorical_hinge`;
    one-hot labels).

    Example:
        >>> m = keras.metrics.CategoricalHinge()
        >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> round(float(m.result()), 4)
        1.4
    """

    _loss_fn = staticmethod(categorical_hinge)

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(name=name, dtype=dtype)
