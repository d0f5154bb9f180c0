"""``kerasnb.models``: ``Model``, ``Sequential`` and the functional API, as in ``keras.models``, and models from
their architecture (``model_from_json``, ``model_from_yaml``, ``model_from_config``).

Example:
    >>> model = keras.models.Sequential([keras.layers.Dense(2, input_shape=(3,))])
    >>> model.count_params()
    8
"""

from kerasnb.models.functional import Functional
from kerasnb.models.model import Model
from kerasnb.models.sequential import Sequential
from kerasnb.saving.model_config import model_from_config, model_from_json, model_from_yaml
from kerasnb.saving.saving_api import load_model, save_model

# The names tf.keras's guides used for the same two functions.
from_json = model_from_json
from_yaml = model_from_yaml

__all__ = ["Functional", "Model", "Sequential", "from_json", "from_yaml", "load_model", "model_from_config",
           "model_from_json", "model_from_yaml", "save_model"]
