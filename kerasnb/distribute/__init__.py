"""``kerasnb.distribute``: ``tf.distribute``'s strategies for Keras models — data parallelism in lockstep.

* :class:`MirroredStrategy`: the devices of one machine (GPUs through CuPy and NCCL; logical CPU replicas);
* :class:`MultiWorkerMirroredStrategy`: several processes over MPI (mpi4py, started with ``mpirun``).

Build and compile the model inside ``strategy.scope()``; ``fit`` then splits each global batch among the
replicas. Neither mpi4py nor CuPy is imported until a strategy needs it. (``model_to_estimator`` does not
exist: TensorFlow removed Estimators; use a strategy with ``model.fit``.)

Example:
    >>> strategy = keras.distribute.MirroredStrategy(devices=["/cpu:0", "/cpu:1"])
    >>> with strategy.scope():
    ...     model = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
    ...     model.compile(optimizer="sgd", loss="mse")
    >>> history = model.fit(np.ones((10, 3)), np.ones((10, 1)), batch_size=4, verbose=0)
    >>> strategy.num_replicas_in_sync, len(history.history["loss"])
    (2, 1)
"""

from kerasnb.distribute.mirrored import MirroredStrategy
from kerasnb.distribute.multi_worker import MultiWorkerMirroredStrategy
from kerasnb.distribute.strategy import Strategy, get_strategy, has_strategy

__all__ = ["MirroredStrategy", "MultiWorkerMirroredStrategy", "Strategy", "get_strategy", "has_strategy"]
