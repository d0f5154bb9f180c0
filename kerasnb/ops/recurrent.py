"""Fused recurrent ops: one LSTM or GRU step's gate arithmetic, or a whole sequence, as a single op.

Written with separate ops, an LSTM step after its matrix product is about a dozen ops (split into four gates,
three sigmoids, two tanhs, the products and the sum), each recorded on the tape and each run backward on its
own. Two levels of fusion:

* ``LSTMGates`` / ``GRUGates`` (:func:`lstm_gates`, :func:`gru_gates`): one step's arithmetic after its matrix
  product, in one forward and one hand-written backward. The cells' ``step`` uses them for the default
  activations (tanh and sigmoid) and falls back to the separate ops otherwise; both give the same values.
* ``LSTMSequence`` / ``GRUSequence`` / ``GRUResetBeforeSequence`` (:func:`lstm_sequence`, :func:`gru_sequence`):
  *every* step of a layer, recurrent matrix products included, in one op, its backward a hand-written
  backpropagation through time. The RNN layer uses them where they compute exactly what its loop over ``step``
  would (see :mod:`kerasnb.layers.recurrent`): a 200-step sequence is then one op on the tape instead of ~1,000.

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


# ---------------------------------------------------------------------------------------------------------
# Whole sequences: every time step of a layer in one op
# ---------------------------------------------------------------------------------------------------------
#
# Recorded step by step, a sequence of 200 steps is ~1,000 ops on the tape, and Python's bookkeeping around them
# costs far more than their arithmetic on small (batch, units) arrays. The ops below run the whole loop over time
# inside one forward (plain array code, buffers allocated once per sequence) and the whole backpropagation
# through time inside one backward. The matrix product of the *inputs* is not part of them: the layer computes it
# for all steps at once before (``projected = x W + b``), and its gradient flows back through that product.
#
# All three share the same conventions:
#
# * inputs are time-major: ``projected`` is ``(time, batch, gates * units)``; the result holds the states after
#   every step, in the order the steps ran (reversed with ``go_backwards``);
# * ``mask`` (``(batch, time)`` booleans, or None): where a step is masked the states carry over unchanged, so in
#   backward that step passes the states' gradients through and sends nothing into its gates;
# * the backward splits each gradient formula into a factor that does not depend on the incoming gradient
#   (``coef``, computed from what forward saved, for a block of ``_BLOCK`` steps at a time: vectorized, yet small
#   enough to stay in the processor's cache) and the product with the incoming gradient, done step by step. The
#   recurrent kernel's gradient, Σ_t h_{t-1}ᵀ dz_t, is one matrix product over all steps at the end.

_BLOCK = 16


def _sigmoid_inplace(xp, a):
    """``a = σ(a)`` in place, the same arithmetic as :func:`_sigmoid` (so both give identical values)."""
    a *= 0.5
    xp.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


def _blocks(steps):
    """The steps in blocks of ``_BLOCK``, from the last block to the first (backward's order): slices."""
    return [slice(start, min(start + _BLOCK, steps)) for start in reversed(range(0, steps, _BLOCK))]


class _SequenceOp(Op):
    """The mask and the direction of a whole-sequence op: fixed settings, not differentiable inputs."""

    def __init__(self, mask=None, go_backwards=False, last_only=False):
        self.mask, self.go_backwards, self.last_only = mask, go_backwards, last_only

    def _start(self, projected):
        """``projected`` in the order the steps run (a reversed view with ``go_backwards``). Sets ``self.keep``
        (``(time, batch, 1)`` booleans in that order, or None) and ``self.masked`` (its negation)."""
        xp = self.xp
        self.keep = self.masked = None
        if self.mask is not None:
            keep = xp.asarray(self.mask, dtype=bool).T[..., None]
            self.keep = keep[::-1] if self.go_backwards else keep
            self.masked = ~self.keep
        return projected[::-1] if self.go_backwards else projected

    def _input_order(self, dprojected):
        """The gradient of ``projected``, computed in step order, back in the input's order."""
        return dprojected[::-1] if self.go_backwards else dprojected

    def _kept(self, block, coef, gate):
        """Masked steps (of the steps ``block``): zero ``coef`` (no gradient reaches the gates) and give the carried
        state a factor 1 in place of ``gate`` (its gradient passes through unchanged)."""
        if self.keep is None:
            return gate
        coef *= self.keep[block]
        return self.xp.where(self.keep[block], gate, gate.dtype.type(1))


class LSTMSequence(_SequenceOp):
    """All steps of an LSTM: ``(projected, recurrent_kernel, h0, c0)`` -> ``h`` and ``c`` after every step, stacked
    as ``(2, time, batch, units)``. The gates' blocks are ``i, f, c, o`` (Keras's order).

    Forward, step t (``U``: the recurrent kernel; σ: sigmoid)::

        z = h_{t-1} U + projected_t                          split into the blocks z_i, z_f, z_c, z_o
        i, f, o = σ(z_i), σ(z_f), σ(z_o);   g = tanh(z_c)
        c_t = f * c_{t-1} + i * g;          h_t = o * tanh(c_t)

    Backward, from the last step to the first, carrying ``dh`` and ``dc`` (the loss's gradient w.r.t. h_t and c_t:
    what the outputs send, ``dH_t`` and ``dC_t``, plus what step t+1 sends back). With σ' = s (1 − s) and
    tanh' = 1 − s² written in terms of the gate's value s::

        dh = dH_t + dh_next
        dc = dC_t + dc_next + dh * o * (1 − tanh²(c_t))      c_t reaches the loss directly and through h_t
        dz_i = dc * g * i (1 − i)          dz_f = dc * c_{t-1} * f (1 − f)
        dz_c = dc * i * (1 − g²)           dz_o = dh * tanh(c_t) * o (1 − o)
        dprojected_t = dz;   dh_next = dz Uᵀ;   dc_next = dc * f
        at the end: dU = Σ_t h_{t-1}ᵀ dz_t;   dh0 = dh_next;   dc0 = dc_next

    So ``dz = [dc, dc, dc, dh] * coef`` with ``coef = [g i(1−i), c_{t-1} f(1−f), i(1−g²), tanh(c_t) o(1−o)]``.
    """

    def forward(self, projected, kernel, h0, c0):
        xp = self.xp
        x = self._start(projected)
        steps, batch, columns = x.shape
        u, dtype = columns // 4, x.dtype
        states = xp.empty((2, steps + 1, batch, u), dtype=dtype)  # states[:, t + 1]: h and c after step t
        states[0, 0], states[1, 0] = h0, c0
        gates = xp.empty((steps, batch, columns), dtype=dtype)  # the values i, f, g, o of every step
        tanh_c = xp.empty((steps, batch, u), dtype=dtype)
        ig = xp.empty((batch, u), dtype=dtype)
        # σ(z) = ½ + ½ tanh(z/2), so one tanh serves all four blocks: scale the σ blocks by ½ before and after the
        # tanh and add ½ (scale 1 and shift 0 leave the tanh block z_c as it is).
        scale = xp.full(columns, 0.5, dtype=dtype)
        scale[2 * u:3 * u] = 1
        shift = xp.full(columns, 0.5, dtype=dtype)
        shift[2 * u:3 * u] = 0
        for t in range(steps):
            h_prev, c_prev, h, c, a = states[0, t], states[1, t], states[0, t + 1], states[1, t + 1], gates[t]
            xp.matmul(h_prev, kernel, out=a)
            a += x[t]
            a *= scale
            xp.tanh(a, out=a)
            a *= scale
            a += shift
            i, f, g, o = a[:, :u], a[:, u:2 * u], a[:, 2 * u:3 * u], a[:, 3 * u:]
            xp.multiply(f, c_prev, out=c)
            xp.multiply(i, g, out=ig)
            c += ig
            xp.tanh(c, out=tanh_c[t])
            xp.multiply(o, tanh_c[t], out=h)
            if self.masked is not None:  # masked samples keep both states
                xp.copyto(states[:, t + 1], states[:, t], where=self.masked[t])
        self.kernel, self.states, self.gates, self.tanh_c = kernel, states, gates, tanh_c
        return states[:, -1].copy() if self.last_only else states[:, 1:]

    def _coefficients(self, block, coef, through_h):
        """``coef`` (see the class docstring), ``through_h = o (1 − tanh²(c_t))`` (dc gets dh * through_h) and the
        factor of ``dc_next`` (f) for the steps ``block``; ``coef`` and ``through_h`` are filled in place."""
        xp, u = self.xp, self.gates.shape[-1] // 4
        gates, tanh_c = self.gates[block], self.tanh_c[block]
        i, f, g, o = gates[..., :u], gates[..., u:2 * u], gates[..., 2 * u:3 * u], gates[..., 3 * u:]
        xp.subtract(1, gates, out=coef)
        coef *= gates  # s (1 − s): σ' of the blocks i, f, o
        c_i, c_f, c_c, c_o = coef[..., :u], coef[..., u:2 * u], coef[..., 2 * u:3 * u], coef[..., 3 * u:]
        xp.multiply(g, g, out=c_c)
        xp.subtract(1, c_c, out=c_c)  # 1 − g²: tanh' of the block c
        c_i *= g
        c_f *= self.states[1, block]  # c_{t-1}
        c_c *= i
        c_o *= tanh_c
        xp.multiply(tanh_c, tanh_c, out=through_h)
        xp.subtract(1, through_h, out=through_h)
        through_h *= o
        if self.keep is not None:
            through_h *= self.keep[block]
        return self._kept(block, coef, f)

    def backward(self, grad):
        xp, steps, batch, columns = self.xp, *self.gates.shape
        u, dtype = columns // 4, self.gates.dtype
        dprojected = xp.empty_like(self.gates)
        kernel_t = xp.ascontiguousarray(self.kernel.T)
        coef = xp.empty((_BLOCK, batch, columns), dtype=dtype)
        through_h = xp.empty((_BLOCK, batch, u), dtype=dtype)
        # dz = [dc, dc, dc, dh] * coef, written block by block through (…, 4, units) views: the first three
        # blocks in one product with dc broadcast over them.
        blocks_of, coef_blocks = dprojected.reshape(steps, batch, 4, u), coef.reshape(_BLOCK, batch, 4, u)
        dc = xp.empty((batch, u), dtype=dtype)
        if self.last_only:  # only the final h and c reach the loss: what the steps send back is all there is
            dH = dC = None
            dh_next, dc_next = grad[0].copy(), grad[1].copy()
        else:
            dH, dC = grad[0], grad[1]
            dh_next, dc_next = xp.zeros((batch, u), dtype=dtype), xp.zeros((batch, u), dtype=dtype)
        dh = dh_next if dH is None else xp.empty((batch, u), dtype=dtype)
        for block in _blocks(steps):
            n = block.stop - block.start
            forget = self._coefficients(block, coef[:n], through_h[:n])
            for k in reversed(range(n)):
                t = block.start + k
                if dH is not None:
                    xp.add(dH[t], dh_next, out=dh)
                xp.multiply(dh, through_h[k], out=dc)
                dc += dc_next
                if dC is not None:
                    dc += dC[t]
                xp.multiply(coef_blocks[k, :, :3], dc[:, None, :], out=blocks_of[t, :, :3])
                xp.multiply(coef_blocks[k, :, 3], dh, out=blocks_of[t, :, 3])
                if self.masked is not None:
                    kept_h = dh.copy()  # (dh may be dh_next itself, which the next line overwrites)
                xp.matmul(dprojected[t], kernel_t, out=dh_next)
                if self.masked is not None:
                    xp.copyto(dh_next, kept_h, where=self.masked[t])
                xp.multiply(dc, forget[k], out=dc_next)
        dkernel = None
        if self.needs_input_grad[1]:
            dkernel = xp.matmul(self.states[0, :-1].reshape(-1, u).T, dprojected.reshape(-1, columns))
        return self._input_order(dprojected), dkernel, dh_next, dc_next


class GRUSequence(_SequenceOp):
    """All steps of a GRU with ``reset_after=True`` (cuDNN's form): ``(projected, recurrent_kernel, h0[,
    recurrent_bias])`` -> ``h`` after every step, ``(time, batch, units)``. The blocks are ``z, r, h``.

    Forward, step t (``U``: the recurrent kernel, ``b``: the recurrent bias; ``x = projected_t`` includes the
    input bias)::

        rec = h_{t-1} U + b                                  split into rec_z, rec_r, rec_h
        z = σ(x_z + rec_z);   r = σ(x_r + rec_r);   hh = tanh(x_h + r * rec_h)
        h_t = z * h_{t-1} + (1 − z) * hh

    Backward, from the last step to the first (``a`` is the candidate's pre-activation ``x_h + r * rec_h``)::

        dh = dH_t + dh_next
        dz_z = dh * (h_{t-1} − hh) * z (1 − z)        da = dh * (1 − z) (1 − hh²)
        dz_r = da * rec_h * r (1 − r)                   drec = [dz_z, dz_r, da * r]
        dprojected_t = [dz_z, dz_r, da];   dh_next = dh * z + drec Uᵀ
        at the end: dU = Σ_t h_{t-1}ᵀ drec_t;   db = Σ_t drec_t (over the batch too);   dh0 = dh_next

    So ``[dz_z, dz_r, da * r, da] = dh * coef`` with
    ``coef = [(h_{t-1} − hh) z(1−z),  (1−z)(1−hh²) rec_h r(1−r),  (1−z)(1−hh²) r,  (1−z)(1−hh²)]``.
    """

    def forward(self, projected, kernel, h0, bias=None):
        xp = self.xp
        x = self._start(projected)
        steps, batch, columns = x.shape
        u, dtype = columns // 3, x.dtype
        hs = xp.empty((steps + 1, batch, u), dtype=dtype)  # hs[t + 1]: h after step t
        hs[0] = h0
        zr = xp.empty((steps, batch, 2 * u), dtype=dtype)  # the gate values z, r
        rec = xp.empty((steps, batch, columns), dtype=dtype)  # h_{t-1} U + b
        hh = xp.empty((steps, batch, u), dtype=dtype)  # the candidate
        tmp = xp.empty((batch, u), dtype=dtype)
        for t in range(steps):
            h_prev, h, s, r_t, c = hs[t], hs[t + 1], zr[t], rec[t], hh[t]
            xp.matmul(h_prev, kernel, out=r_t)
            if bias is not None:
                r_t += bias
            xp.add(x[t, :, :2 * u], r_t[:, :2 * u], out=s)
            _sigmoid_inplace(xp, s)
            z, r = s[:, :u], s[:, u:]
            xp.multiply(r, r_t[:, 2 * u:], out=c)
            c += x[t, :, 2 * u:]
            xp.tanh(c, out=c)
            xp.multiply(z, h_prev, out=h)
            xp.subtract(1, z, out=tmp)
            tmp *= c
            h += tmp
            if self.masked is not None:
                xp.copyto(h, h_prev, where=self.masked[t])
        self.kernel, self.has_bias, self.hs, self.zr, self.rec, self.hh = kernel, bias is not None, hs, zr, rec, hh
        return hs[1:]

    def _coefficients(self, block, coef):
        """``coef`` (see the class docstring) for the steps ``block``, in place, and the factor of dh in dh_next
        (z; 1 for masked steps)."""
        xp, u = self.xp, self.hh.shape[-1]
        hh, zr, rec_h = self.hh[block], self.zr[block], self.rec[block, :, 2 * u:]
        z, r = zr[..., :u], zr[..., u:]
        c_z, c_r, c_rec_h, c_a = coef[..., :u], coef[..., u:2 * u], coef[..., 2 * u:3 * u], coef[..., 3 * u:]
        xp.subtract(1, zr, out=coef[..., :2 * u])
        coef[..., :2 * u] *= zr  # z(1−z) and r(1−r)
        xp.subtract(self.hs[block], hh, out=c_rec_h)  # h_{t-1} − hh (c_rec_h is free scratch space until below)
        c_z *= c_rec_h
        xp.multiply(hh, hh, out=c_a)
        xp.subtract(1, c_a, out=c_a)
        xp.subtract(1, z, out=c_rec_h)
        c_a *= c_rec_h  # (1−z)(1−hh²)
        xp.multiply(c_a, r, out=c_rec_h)
        c_r *= rec_h
        c_r *= c_a
        return self._kept(block, coef, z)

    def backward(self, dH):
        xp, (steps, batch, u), dtype = self.xp, self.hh.shape, self.hh.dtype
        grads = xp.empty((steps, batch, 4 * u), dtype=dtype)  # [dz_z, dz_r, drec_h, da] of every step
        coef = xp.empty((_BLOCK, batch, 4 * u), dtype=dtype)
        kernel_t = xp.ascontiguousarray(self.kernel.T)
        d = xp.empty((batch, 4 * u), dtype=dtype)  # dh in each of the four blocks: the product with coef is one
        dh = d[:, :u]
        tmp, dh_next = xp.empty((batch, u), dtype=dtype), xp.zeros((batch, u), dtype=dtype)
        for block in _blocks(steps):
            n = block.stop - block.start
            keep_z = self._coefficients(block, coef[:n])
            for k in reversed(range(n)):
                t = block.start + k
                xp.add(dH[t], dh_next, out=dh)
                d[:, u:2 * u] = dh
                d[:, 2 * u:3 * u] = dh
                d[:, 3 * u:] = dh
                xp.multiply(coef[k], d, out=grads[t])
                xp.matmul(grads[t, :, :3 * u], kernel_t, out=dh_next)  # drec Uᵀ
                xp.multiply(dh, keep_z[k], out=tmp)
                dh_next += tmp
        drec = grads[..., :3 * u]
        dprojected = xp.concatenate([grads[..., :2 * u], grads[..., 3 * u:]], axis=-1)
        dkernel = dbias = None
        if self.needs_input_grad[1]:
            dkernel = xp.matmul(self.hs[:-1].reshape(-1, u).T, drec.reshape(-1, 3 * u))
        if self.has_bias and self.needs_input_grad[3]:
            dbias = drec.sum(axis=(0, 1))
        result = (self._input_order(dprojected), dkernel, dh_next)
        return (*result, dbias) if self.has_bias else result


class GRUResetBeforeSequence(_SequenceOp):
    """All steps of a GRU with ``reset_after=False`` (the original GRU): ``(projected, recurrent_kernel, h0)`` ->
    ``h`` after every step, ``(time, batch, units)``. The reset gate scales the state *before* the candidate's
    matrix product, so each step has two products: ``U_zr`` (the first two blocks of U) and ``U_h`` (the third).
    All biases are in ``projected``.

    Forward, step t (``x = projected_t``)::

        z = σ(x_z + h_{t-1} U_z);   r = σ(x_r + h_{t-1} U_r);   hh = tanh(x_h + (r * h_{t-1}) U_h)
        h_t = z * h_{t-1} + (1 − z) * hh

    Backward, from the last step to the first (``a``: the candidate's pre-activation)::

        dh = dH_t + dh_next
        dz_z = dh * (h_{t-1} − hh) * z (1 − z)        da = dh * (1 − z) (1 − hh²)
        d(r h) = da U_hᵀ                                dz_r = d(r h) * h_{t-1} * r (1 − r)
        dprojected_t = [dz_z, dz_r, da];   dh_next = dh * z + d(r h) * r + [dz_z, dz_r] U_zrᵀ
        at the end: dU_zr = Σ_t h_{t-1}ᵀ [dz_z, dz_r]_t;   dU_h = Σ_t (r * h_{t-1})ᵀ da_t;   dh0 = dh_next

    So ``[dz_z, ·, da] = dh * coef`` and ``dz_r = d(r h) * coef_r``, with
    ``coef = [(h_{t-1} − hh) z(1−z),  h_{t-1} r(1−r),  (1−z)(1−hh²)]``.
    """

    def forward(self, projected, kernel, h0):
        xp = self.xp
        x = self._start(projected)
        steps, batch, columns = x.shape
        u, dtype = columns // 3, x.dtype
        kernel_zr, kernel_h = xp.ascontiguousarray(kernel[:, :2 * u]), xp.ascontiguousarray(kernel[:, 2 * u:])
        hs = xp.empty((steps + 1, batch, u), dtype=dtype)  # hs[t + 1]: h after step t
        hs[0] = h0
        zr = xp.empty((steps, batch, 2 * u), dtype=dtype)  # the gate values z, r
        rh = xp.empty((steps, batch, u), dtype=dtype)  # r * h_{t-1}
        hh = xp.empty((steps, batch, u), dtype=dtype)  # the candidate
        tmp = xp.empty((batch, u), dtype=dtype)
        for t in range(steps):
            h_prev, h, s, c = hs[t], hs[t + 1], zr[t], hh[t]
            xp.matmul(h_prev, kernel_zr, out=s)
            s += x[t, :, :2 * u]
            _sigmoid_inplace(xp, s)
            z, r = s[:, :u], s[:, u:]
            xp.multiply(r, h_prev, out=rh[t])
            xp.matmul(rh[t], kernel_h, out=c)
            c += x[t, :, 2 * u:]
            xp.tanh(c, out=c)
            xp.multiply(z, h_prev, out=h)
            xp.subtract(1, z, out=tmp)
            tmp *= c
            h += tmp
            if self.masked is not None:
                xp.copyto(h, h_prev, where=self.masked[t])
        self.kernel, self.hs, self.zr, self.rh, self.hh = kernel, hs, zr, rh, hh
        return hs[1:]

    def _coefficients(self, block, coef):
        """``coef`` (see the class docstring) for the steps ``block``, in place, and the factor of dh in dh_next
        (z; 1 for masked steps)."""
        xp, u = self.xp, self.hh.shape[-1]
        hh, zr, h_prev = self.hh[block], self.zr[block], self.hs[block]
        z = zr[..., :u]
        c_z, c_r, c_a = coef[..., :u], coef[..., u:2 * u], coef[..., 2 * u:]
        xp.subtract(1, zr, out=coef[..., :2 * u])
        coef[..., :2 * u] *= zr  # z(1−z) and r(1−r)
        c_r *= h_prev
        xp.subtract(h_prev, hh, out=c_a)
        c_z *= c_a
        xp.multiply(hh, hh, out=c_a)
        xp.subtract(1, c_a, out=c_a)
        c_a *= 1 - z
        return self._kept(block, coef, z)  # zeroing coef_z and coef_a zeroes d(r h) and dz_r too

    def backward(self, dH):
        xp, (steps, batch, u), dtype = self.xp, self.hh.shape, self.hh.dtype
        kernel_zr_t = xp.ascontiguousarray(self.kernel[:, :2 * u].T)
        kernel_h_t = xp.ascontiguousarray(self.kernel[:, 2 * u:].T)
        dprojected = xp.empty((steps, batch, 3 * u), dtype=dtype)
        coef = xp.empty((_BLOCK, batch, 3 * u), dtype=dtype)
        dh, drh, tmp = (xp.empty((batch, u), dtype=dtype) for _ in range(3))
        dh_next = xp.zeros_like(dh)
        for block in _blocks(steps):
            n = block.stop - block.start
            keep_z = self._coefficients(block, coef[:n])
            r = self.zr[block, :, u:]
            for k in reversed(range(n)):
                t = block.start + k
                xp.add(dH[t], dh_next, out=dh)
                dz = dprojected[t]
                xp.multiply(coef[k, :, :u], dh, out=dz[:, :u])  # dz_z
                xp.multiply(coef[k, :, 2 * u:], dh, out=dz[:, 2 * u:])  # da
                xp.matmul(dz[:, 2 * u:], kernel_h_t, out=drh)  # d(r h)
                xp.multiply(drh, coef[k, :, u:2 * u], out=dz[:, u:2 * u])  # dz_r
                xp.matmul(dz[:, :2 * u], kernel_zr_t, out=dh_next)
                xp.multiply(drh, r[k], out=tmp)
                dh_next += tmp
                xp.multiply(dh, keep_z[k], out=tmp)
                dh_next += tmp
        dkernel = None
        if self.needs_input_grad[1]:
            dkernel = xp.concatenate([
                xp.matmul(self.hs[:-1].reshape(-1, u).T, dprojected[..., :2 * u].reshape(-1, 2 * u)),
                xp.matmul(self.rh.reshape(-1, u).T, dprojected[..., 2 * u:].reshape(-1, u))], axis=-1)
        return self._input_order(dprojected), dkernel, dh_next


def lstm_sequence(projected, recurrent_kernel, h0, c0, mask=None, go_backwards=False, last_only=False):
    """Every step of an LSTM as one op (:class:`LSTMSequence`): ``h`` and ``c`` after each step, stacked as
    ``(2, time, batch, units)`` in the order the steps ran — or, with ``last_only``, only after the last step,
    ``(2, batch, units)`` (what an LSTM without ``return_sequences`` needs: its backward then skips the
    gradients of the other steps' outputs, which are all zero).

    Args:
        projected: ``x_t @ kernel + bias`` for every step, time-major: ``(time, batch, 4 * units)``.
        recurrent_kernel: ``(units, 4 * units)``.
        h0, c0: the initial states, ``(batch, units)``.
        mask: ``(batch, time)`` booleans (False: the step is skipped and the states carry over), or None.
        go_backwards: run the steps from the last to the first.
        last_only: return the states after the last step only.

    Example:
        >>> from kerasnb.ops.recurrent import lstm_sequence
        >>> states = lstm_sequence(np.zeros((5, 1, 8)), np.zeros((2, 8)), np.zeros((1, 2)), np.ones((1, 2)))
        >>> states.shape                       # (h or c, time, batch, units)
        (2, 5, 1, 2)
        >>> states[1, :, 0, 0].numpy()         # c halves at every step: the forget gate is σ(0) = 0.5
        array([0.5    , 0.25   , 0.125  , 0.0625 , 0.03125])
    """
    return LSTMSequence(mask, go_backwards, last_only)(convert_to_tensor(projected),
                                                       convert_to_tensor(recurrent_kernel),
                                                       convert_to_tensor(h0), convert_to_tensor(c0))


def gru_sequence(projected, recurrent_kernel, h0, recurrent_bias=None, mask=None, go_backwards=False,
                 reset_after=True):
    """Every step of a GRU as one op (:class:`GRUSequence`, or :class:`GRUResetBeforeSequence` with
    ``reset_after=False``): ``h`` after each step, ``(time, batch, units)`` in the order the steps ran.

    Args:
        projected: ``x_t @ kernel + input bias`` for every step, time-major: ``(time, batch, 3 * units)``.
        recurrent_kernel: ``(units, 3 * units)``.
        h0: the initial state, ``(batch, units)``.
        recurrent_bias: ``(3 * units,)``, added to the recurrent product (``reset_after=True`` only), or None.
        mask, go_backwards: as in :func:`lstm_sequence`.
        reset_after: where the reset gate applies; see :class:`kerasnb.layers.GRUCell`.

    Example:
        >>> from kerasnb.ops.recurrent import gru_sequence
        >>> gru_sequence(np.zeros((3, 1, 6)), np.zeros((2, 6)), np.ones((1, 2)))[:, 0, 0].numpy()   # z = 0.5
        array([0.5  , 0.25 , 0.125])
    """
    tensors = [convert_to_tensor(a) for a in (projected, recurrent_kernel, h0)]
    if not reset_after:
        if recurrent_bias is not None:
            raise ValueError("gru_sequence: with reset_after=False all biases belong in `projected`.")
        return GRUResetBeforeSequence(mask, go_backwards)(*tensors)
    if recurrent_bias is not None:
        tensors.append(convert_to_tensor(recurrent_bias))
    return GRUSequence(mask, go_backwards)(*tensors)
