"""``LambdaCallback``: a callback made from plain functions, without writing a class."""

from kerasnb.callbacks.callback import HOOK_NAMES, Callback


class LambdaCallback(Callback):
    """A callback whose hooks are the functions you pass, e.g. ``LambdaCallback(on_epoch_end=lambda e, logs: ...)``.

    The functions take the hook's arguments: ``(epoch, logs)`` for epoch hooks, ``(batch, logs)`` for batch hooks
    and ``(logs)`` for the begin/end hooks. Any other hook can be given by name too (``on_test_end=...``,
    ``on_train_batch_end=...``); a misspelt name raises ``ValueError`` instead of silently never being called.

    Example:
        >>> cb = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: print("epoch", epoch, logs))
        >>> cb.on_epoch_end(0, {"loss": 0.25})
        epoch 0 {'loss': 0.25}
        >>> cb.on_epoch_begin(0)  # hooks you did not give do nothing
    """

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_batch_begin=None,
        on_batch_end=None,
        on_train_begin=None,
        on_train_end=None,
        **kwargs,
    ):
        super().__init__()
        unknown = sorted(set(kwargs) - set(HOOK_NAMES))
        if unknown:
            raise ValueError(
                f"LambdaCallback got unknown hook name(s) {unknown}. The hooks are: {', '.join(HOOK_NAMES)}."
            )
        hooks = dict(
            on_epoch_begin=on_epoch_begin,
            on_epoch_end=on_epoch_end,
            on_batch_begin=on_batch_begin,
            on_batch_end=on_batch_end,
            on_train_begin=on_train_begin,
            on_train_end=on_train_end,
            **kwargs,
        )
        for name, function in hooks.items():
            # Only the hooks given replace the defaults, so callback_overrides() still sees which are real.
            if function is not None:
                setattr(self, name, function)
