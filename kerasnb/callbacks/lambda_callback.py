"""``LambdaCallback``: a callback made from plain functions, without writing a class."""

from kerasnb.callbacks.callback import HOOK_NAMES, Callback


class LambdaCallback(Callback):
    """A callback whose hooks are the functions you pass, e.g. ``LambdaCallback(on_epoch_end=lambda e, logs: ...)``.

    The functions take the hook's arguments, as Keras passes them: ``(epoch, logs)`` for ``on_epoch_begin`` /
    ``on_epoch_end``, ``(logs)`` for the begin/end hooks (``on_train_begin``, ``on_test_end``, ...), and
    ``(batch, logs)`` for the batch hooks (``logs`` passed by keyword). Every hook can be given by name:
    ``on_train_batch_begin``/``on_train_batch_end`` (or their older names ``on_batch_begin``/``on_batch_end``),
    ``on_test_begin``, ``on_test_end``, ``on_test_batch_begin``, ``on_test_batch_end``, ``on_predict_begin``,
    ``on_predict_end``, ``on_predict_batch_begin`` and ``on_predict_batch_end``. A misspelt name raises
    ``ValueError`` instead of silently never being called.

    Positional arguments follow Keras 3's order: ``on_epoch_begin, on_epoch_end, on_train_begin, on_train_end,
    on_train_batch_begin, on_train_batch_end``.

    Example:
        >>> cb = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: print("epoch", epoch, logs))
        >>> cb.on_epoch_end(0, {"loss": 0.25})
        epoch 0 {'loss': 0.25}
        >>> cb.on_epoch_begin(0)  # hooks you did not give do nothing

        Print the logs after every batch, as the Keras guides do:

        >>> batch_printer = keras.callbacks.LambdaCallback(on_batch_end=lambda batch, logs: print(batch, logs))
        >>> batch_printer.on_train_batch_end(3, logs={"loss": 0.5})
        3 {'loss': 0.5}
    """

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_train_begin=None,
        on_train_end=None,
        on_train_batch_begin=None,
        on_train_batch_end=None,
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
            on_train_begin=on_train_begin,
            on_train_end=on_train_end,
            on_train_batch_begin=on_train_batch_begin,
            on_train_batch_end=on_train_batch_end,
            **kwargs,
        )
        for name, function in hooks.items():
            if function is None:
                continue  # only the hooks given replace the defaults, so callback_overrides() sees which are real
            if not callable(function):
                raise TypeError(f"LambdaCallback: `{name}` must be a function. Received: {name}={function!r}")
            setattr(self, name, function)
