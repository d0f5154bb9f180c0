"""``kerasnb.layers``: the building blocks of models, as in ``keras.layers``.

Example:
    >>> import kerasnb as keras
    >>> layer = keras.layers.Dense(3)
    >>> layer(np.ones((2, 4))).shape
    (2, 3)
"""

from kerasnb.layers.activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from kerasnb.layers.attention import AdditiveAttention, Attention, MultiHeadAttention
from kerasnb.layers.convolutional import (
    Conv1D,
    Conv1DTranspose,
    Conv2D,
    Conv2DTranspose,
    Conv3D,
    Conv3DTranspose,
    Convolution1D,
    Convolution1DTranspose,
    Convolution2D,
    Convolution2DTranspose,
    Convolution3D,
    Convolution3DTranspose,
    DepthwiseConv1D,
    DepthwiseConv2D,
    SeparableConv1D,
    SeparableConv2D,
    SeparableConvolution1D,
    SeparableConvolution2D,
)
from kerasnb.layers.core import Activation, Dense
from kerasnb.layers.core_extra import ActivityRegularization, Identity, Lambda
from kerasnb.layers.embedding import Embedding, Masking
from kerasnb.layers.input_layer import Input, InputLayer
from kerasnb.layers.layer import InputSpec, Layer
from kerasnb.layers.locally_connected import LocallyConnected1D, LocallyConnected2D
from kerasnb.layers.merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from kerasnb.layers.noise import (
    AlphaDropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)
from kerasnb.layers.normalization import BatchNormalization, GroupNormalization, LayerNormalization, UnitNormalization
from kerasnb.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    AvgPool1D,
    AvgPool2D,
    AvgPool3D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
    GlobalAvgPool1D,
    GlobalAvgPool2D,
    GlobalAvgPool3D,
    GlobalMaxPool1D,
    GlobalMaxPool2D,
    GlobalMaxPool3D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalMaxPooling3D,
    MaxPool1D,
    MaxPool2D,
    MaxPool3D,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
)
from kerasnb.layers.preprocessing import (
    CategoryEncoding,
    CenterCrop,
    Discretization,
    IntegerLookup,
    Normalization,
    RandomContrast,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Rescaling,
    Resizing,
    StringLookup,
    TextVectorization,
)
from kerasnb.layers.recurrent import (
    GRU,
    LSTM,
    RNN,
    ConvLSTM1D,
    ConvLSTM2D,
    ConvLSTM3D,
    GRUCell,
    LSTMCell,
    SimpleRNN,
    SimpleRNNCell,
    StackedRNNCells,
)
from kerasnb.layers.regularization import Dropout
from kerasnb.layers.reshape_layers import (
    Cropping1D,
    Cropping2D,
    Cropping3D,
    Permute,
    RepeatVector,
    Reshape,
    UpSampling1D,
    UpSampling2D,
    UpSampling3D,
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)
from kerasnb.layers.reshaping import Flatten
from kerasnb.layers.rnn_wrappers import Bidirectional, TimeDistributed

# Every class imported above, plus Input and the functional merge forms (add, concatenate, ...).
__all__ = sorted(
    name for name in dir()
    if name[0].isupper() or name in ("add", "average", "concatenate", "dot", "maximum", "minimum", "multiply",
                                     "subtract")
)
