"""``TerminateOnNaN``: stop training as soon as the loss becomes NaN or infinite."""

import numpy as np

from kerasnb.callbacks.callback import Callback


class TerminateOnNaN(Callback):
    """Stop ``fit`` after the first training batch whose loss is NaN or infinite.

    Args:
        raise_error: ``False`` (default) stops gracefully: prints ``Batch N: Invalid loss, terminating training``
            and sets ``model.stop_training``, so the epoch ends and every callback's ``on_train_end`` still runs.
            ``True`` raises ``RuntimeError`` at once instead, skipping ``on_train_end`` (useful to keep a backup
            from being overwritten by a broken model).

    Example:
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> history = model.fit(np.ones((1, 1)), np.array([[np.nan]]), epochs=3, verbose=0,
        ...                     callbacks=[keras.callbacks.TerminateOnNaN()])
        Batch 0: Invalid loss, terminating training
        >>> len(history.epoch)
        1
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        """Check the batch's loss (``on_train_batch_end`` calls this)."""
        loss = (logs or {}).get("loss")
        if loss is None or not (np.isnan(loss) or np.isinf(loss)):
            return
        if self.raise_error:
            raise RuntimeError(
                f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. Terminating training immediately."
            )
        print(f"Batch {batch}: Invalid loss, terminating training", flush=True)
        self.model.stop_training = True
