"""The workloads written once against the Keras 3 API, as a Keras user writes them: ``Sequential``, ``compile``,
``fit``, ``predict``.

Every function takes the ``keras`` module as its first argument, so the same code runs on kerasnb
(``import kerasnb as keras``) and on real Keras with any backend (``import keras`` after setting
``KERAS_BACKEND``): kerasnb is import-compatible, and this module is the proof that the benchmark compares like
with like.
"""


def build_model(keras, workload, dropout=None):
    """The workload's model, built and compiled. ``dropout`` overrides W1's dropout rate (the correctness check
    sets it to 0 so that every framework computes the same function)."""
    layers = keras.layers
    rate = workload.dropout if dropout is None else dropout
    if workload.model == "mlp":
        model = keras.Sequential([
            keras.Input(shape=(784,)),
            layers.Dense(128, activation="sigmoid"),
            layers.Dropout(rate),
            layers.Dense(128, activation="sigmoid"),
            layers.Dropout(rate),
            layers.Dense(10, activation="softmax"),
        ])
    elif workload.model == "cnn":
        model = keras.Sequential([
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            layers.Dense(10),
        ])
    elif workload.model == "lstm":
        from benchmarks.workloads import SEQUENCE_LENGTH, VOCABULARY

        model = keras.Sequential([
            keras.Input(shape=(SEQUENCE_LENGTH,), dtype="int32"),
            layers.Embedding(VOCABULARY, 16),
            layers.LSTM(64),
            layers.Dense(16, activation="relu"),
            layers.Dense(1, activation="sigmoid"),
        ])
    elif workload.model == "small_mlp":
        model = keras.Sequential([
            keras.Input(shape=(32,)),
            layers.Dense(64, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ])
    else:
        raise ValueError(f"no Keras model for {workload.model!r}")
    if workload.kind == "fit":
        model.compile(optimizer=_optimizer(keras, workload), loss=_loss(keras, workload))
    return model


def _optimizer(keras, workload):
    optimizers = {"sgd": keras.optimizers.SGD, "adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop}
    return optimizers[workload.optimizer](learning_rate=workload.learning_rate)


def _loss(keras, workload):
    if workload.loss == "sparse_categorical_crossentropy_from_logits":
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    return workload.loss


class KerasJob:
    """One workload on one Keras implementation: ``warm_up()``, then ``run()`` timed by the caller."""

    def __init__(self, keras, workload, data, dropout=None):
        from benchmarks.workloads import keras_targets

        self.keras = keras
        self.workload = workload
        self.x = data["x"]
        self.y = keras_targets(workload, data["labels"]) if "labels" in data else None
        self.model = build_model(keras, workload, dropout=dropout)

    def warm_up(self):
        """One epoch (or one predict pass): builds, traces and compiles whatever the implementation caches."""
        return self._once(epochs=1)

    def run(self):
        """One timed unit: an epoch (W4: its ten epochs), or one predict pass. Returns the last epoch's loss."""
        return self._once(epochs=self.workload.epochs)

    def _once(self, epochs):
        w = self.workload
        if w.kind == "predict":
            out = self.model.predict(self.x, batch_size=w.batch_size, verbose=0)
            return float(out[:, 0].mean())
        history = self.model.fit(self.x, self.y, batch_size=w.batch_size, epochs=epochs, verbose=0)
        return float(history.history["loss"][-1])

    def get_weights(self):
        return list(self.model.get_weights())

    def set_weights(self, weights):
        self.model.set_weights(list(weights))

    def check_run(self, x, y_labels):
        """The correctness check: one epoch over ``x`` in order (no shuffling) from the current weights; the loss
        of each step. (Keras logs the running mean of the epoch's losses; equal batches let us undo the mean.)"""
        from benchmarks.stats import per_step_losses
        from benchmarks.workloads import keras_targets

        w = self.workload
        if w.kind == "predict":
            return self.model.predict(x, batch_size=w.batch_size, verbose=0)
        means = []

        class Record(self.keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                means.append(float(logs["loss"]))

        self.model.fit(x, keras_targets(w, y_labels), batch_size=w.batch_size, epochs=1, shuffle=False, verbose=0,
                       callbacks=[Record()])
        return per_step_losses(means)
