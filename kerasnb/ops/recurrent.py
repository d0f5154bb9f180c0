"""Fused recurrent steps: the gate arithmetic of one LSTM or GRU step as a single op.

Written with separate ops, an LSTM step after its matrix product is about a dozen ops (split into four gates,
three sigmoids, two tanhs, the products and the sum), each recorded on the tape and each run backward on its
own. These ops do the same arithmetic in one forward and one hand-written backward, which makes a recurrent
layer about twice as fast. The cells use them for the default activations (tanh and sigmoid) and fall back to
the separate ops otherwise; both give the same values.

The backward passes are the chain rule through the gate formulas, with σ' = σ(1 − σ) and tanh' = 1 − tanh².
"""

from kerasnb.engine.autograd import Op
from kerasnb.engine.tensor import convert_to_tensor


def _sigmoid(xp, x):
    """σ(x) = (1 + tanh(x/2)) / 2: never overflows, and is several times faster than the exp form. (Its relative
    accuracy for very negative x is poor, which a gate — multiplied by O(1) values — does not notice.)"""
    return 0.5 + 0.5 * xp.tanh(0.5 * x)


class LSTMGates(Op):
    """An LSTM step after its matrix product. With ``z = x W + h U + b`` split into ``z_i, z_f, z_c, z_o``::

        i, f, o = σ(z_i), σ(z_f), σ(z_o);   g = tanh(z_c)
        c = f * c_prev + i * g;             h = o * tanh(c)

    Returns ``h`` and ``c`` stacked, shape ``(2, batch, units)``.
    """

    def forward(self, z, c_prev):
        xp, u = self.xp, z.shape[-1] // 4
        gates = _sigmoid(xp, z)  # one call for the three sigmoid gates (the c block is not used)
        self.i, self.f, self.o = gates[..., :u], gates[..., u:2 * u], gates[..., 3 * u:]
        self.g = xp.tanh(z[..., 2 * u:3 * u])
        c = self.f * c_prev + self.i * self.g
        self.c_prev, self.tanh_c = c_prev, xp.tanh(c)
        return xp.stack([self.o * self.tanh_c, c])

    def backward(self, dy):
        xp, i, f, g, o = self.xp, self.i, self.f, self.g, self.o
        dh, dc = dy[0], dy[1]
        dc = dc + dh * o * (1 - self.tanh_c**2)  # c reaches the output directly and through h
        dz = xp.concatenate([dc * g * i * (1 - i),                    # z_i
                             dc * self.c_prev * f * (1 - f),          # z_f
                             dc * i * (1 - g**2),                     # z_c
                             dh * self.tanh_c * o * (1 - o)], axis=-1)  # z_o
        return dz, dc * f


class GRUGates(Op):
    """A GRU step (``reset_after=True``) after its matrix products. With ``x = inputs W + b_in`` and
    ``r_in = h_prev U + b_rec``, each split into the blocks ``z, r, h``::

        z = σ(x_z + r_in_z);  r = σ(x_r + r_in_r);  hh = tanh(x_h + r * r_in_h)
        h = z * h_prev + (1 - z) * hh

    Returns ``h``.
    """

    def forward(self, x, recurrent, h_prev):
        xp, u = self.xp, x.shape[-1] // 3
        zr = _sigmoid(xp, x[..., :2 * u] + recurrent[..., :2 * u])  # z and r in one call
        self.z, self.r, self.rec_h = zr[..., :u], zr[..., u:], recurrent[..., 2 * u:]
        self.hh = xp.tanh(x[..., 2 * u:] + self.r * self.rec_h)
        self.h_prev = h_prev
        return self.z * h_prev + (1 - self.z) * self.hh

    def backward(self, dh):
        xp, z, r = self.xp, self.z, self.r
        d_z = dh * (self.h_prev - self.hh) * z * (1 - z)
        d_h = dh * (1 - z) * (1 - self.hh**2)    # the candidate's pre-activation
        d_r = d_h * self.rec_h * r * (1 - r)
        dx = xp.concatenate([d_z, d_r, d_h], axis=-1)
        drecurrent = xp.concatenate([d_z, d_r, d_h * r], axis=-1)
        return dx, drecurrent, dh * z


def lstm_gates(z, c_prev):
    """The fused LSTM step: ``h, c`` from ``z = x W + h U + b`` (the gates ``i, f, c, o``) and the previous ``c``.

    Example:
        >>> from kerasnb.ops.recurrent import lstm_gates
        >>> h, c = lstm_gates(np.zeros((1, 8)), np.ones((1, 2)))   # every gate half open
        >>> c
        <Tensor shape=(1, 2) dtype=float64 numpy=[[0.5 0.5]]>
    """
    hc = LSTMGates()(convert_to_tensor(z), convert_to_tensor(c_prev))
    return hc[0], hc[1]


def gru_gates(x, recurrent, h_prev):
    """The fused GRU step (``reset_after=True``): the new ``h`` from the input projection ``x`` (bias included),
    the recurrent projection ``h_prev @ U + b_rec`` and ``h_prev``; the blocks are ``z, r, h``.

    Example:
        >>> from kerasnb.ops.recurrent import gru_gates
        >>> gru_gates(np.zeros((1, 6)), np.zeros((1, 6)), np.ones((1, 2)))   # z = 0.5, candidate 0
        <Tensor shape=(1, 2) dtype=float64 numpy=[[0.5 0.5]]>
    """
    return GRUGates()(convert_to_tensor(x), convert_to_tensor(recurrent), convert_to_tensor(h_prev))
