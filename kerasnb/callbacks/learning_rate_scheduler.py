"""``LearningRateScheduler``: set the optimizer's learning rate at the start of every epoch from a function."""

import numpy as np

from kerasnb.callbacks.callback import Callback


def current_learning_rate(optimizer):
    """The optimizer's learning rate now, as a Python float (a fixed rate, or its schedule's value).

    Example:
        >>> current_learning_rate(keras.optimizers.SGD(learning_rate=0.5))
        0.5
    """
    from kerasnb import ops

    return float(ops.convert_to_numpy(optimizer.learning_rate))


class LearningRateScheduler(Callback):
    """At the start of every epoch, set the learning rate to ``schedule(epoch, lr)``.

    Args:
        schedule: a function of the epoch index (from 0) and the current learning rate (a float) that returns
            the new learning rate as a float (a Python ``float``, ``np.float32`` or ``np.float64``; anything else
            raises ``ValueError``). A function of the epoch alone works too (Keras's older form): it is called
            that way when calling it with two arguments raises ``TypeError``.
        verbose: 1 prints ``Epoch N: LearningRateScheduler setting learning rate to ...`` each epoch.

    The rate in force is added to the epoch's logs as ``learning_rate`` (so ``History`` records it).
    The optimizer must have been created with a number as its learning rate, not a schedule object.

    Example:
        >>> def scheduler(epoch, lr):
        ...     return lr if epoch < 2 else lr * 0.5
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> model.compile(keras.optimizers.SGD(learning_rate=0.1), loss="mse")
        >>> history = model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=4, verbose=0,
        ...                     callbacks=[keras.callbacks.LearningRateScheduler(scheduler)])
        >>> [round(lr, 4) for lr in history.history["learning_rate"]]
        [0.1, 0.1, 0.05, 0.025]
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(
                "Argument `schedule` should be a function schedule(epoch, lr) -> new learning rate. "
                f"Received: schedule={schedule!r}"
            )
        self.schedule = schedule
        self.verbose = verbose

    def _update_optimizer_lr(self, optimizer, epoch):
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:
            learning_rate = self.schedule(epoch, current_learning_rate(optimizer))
        except TypeError:  # the older form: schedule(epoch)
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, np.float32, np.float64)):
            raise ValueError(f"The output of the `schedule` function should be a float. Got: {learning_rate}")
        optimizer.learning_rate = learning_rate
        return learning_rate

    def on_epoch_begin(self, epoch, logs=None):
        learning_rate = self._update_optimizer_lr(self.model.optimizer, epoch)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {learning_rate}.", flush=True)

    def on_epoch_end(self, epoch, logs=None):
        if logs:  # as Keras: an empty logs dict is replaced, not filled, so nothing reaches the next callbacks
            logs["learning_rate"] = current_learning_rate(self.model.optimizer)
