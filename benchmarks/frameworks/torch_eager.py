"""The workloads in idiomatic eager PyTorch: ``nn.Sequential`` models, batches taken from a shuffled index tensor
(no DataLoader: the data are already tensors in memory), ``zero_grad`` / ``backward`` / ``step``.

The models compute what the Keras ones compute. Where PyTorch's idiom differs, the idiom wins: the classifier
heads emit logits and ``CrossEntropyLoss`` / ``BCEWithLogitsLoss`` apply the softmax / sigmoid (the same function
as Keras' activation + crossentropy); images are channels-first. Optimizer settings follow Keras' defaults
(RMSprop rho 0.9, epsilon 1e-7) so both sides train the same way.
"""

import os

import numpy as np


def _torch():
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    return torch


def build_model(torch, workload, dropout=None):
    nn = torch.nn
    rate = workload.dropout if dropout is None else dropout
    if workload.model == "mlp":
        return nn.Sequential(
            nn.Linear(784, 128), nn.Sigmoid(), nn.Dropout(rate),
            nn.Linear(128, 128), nn.Sigmoid(), nn.Dropout(rate),
            nn.Linear(128, 10),
        )
    if workload.model == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 64, 3), nn.ReLU(),
            nn.Flatten(),
            nn.Linear(576, 64), nn.ReLU(),
            nn.Linear(64, 10),
        )
    if workload.model == "lstm":
        from benchmarks.workloads import VOCABULARY

        class TextModel(nn.Module):
            def __init__(self):
                super().__init__()
                self.embedding = nn.Embedding(VOCABULARY, 16)
                self.lstm = nn.LSTM(16, 64, batch_first=True)
                self.head = nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 1))

            def forward(self, tokens):
                outputs, _ = self.lstm(self.embedding(tokens))
                return self.head(outputs[:, -1])

        return TextModel()
    if workload.model == "small_mlp":
        return nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    raise ValueError(f"no PyTorch model for {workload.model!r}")


def _optimizer(torch, workload, parameters):
    lr = workload.learning_rate
    if workload.optimizer == "sgd":
        return torch.optim.SGD(parameters, lr=lr)
    if workload.optimizer == "adam":
        return torch.optim.Adam(parameters, lr=lr, eps=1e-7)
    if workload.optimizer == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=lr, alpha=0.9, eps=1e-7)
    raise ValueError(f"unknown optimizer {workload.optimizer!r}")


def keras_formula_optimizer(torch, workload, parameters):
    """The optimizer exactly as Keras computes it, for the correctness check only.

    ``torch.optim`` puts Adam's and RMSprop's epsilon elsewhere (Adam: outside the bias correction; RMSprop:
    ``sqrt(v) + eps`` where Keras has ``sqrt(v + eps)``), which changes the first updates of parameters whose
    gradients are near zero: a real difference between the libraries, not noise. The check compares kerasnb's
    numerics with PyTorch's, so here both sides run Keras' formulas.
    """
    lr = workload.learning_rate
    if workload.optimizer == "sgd":
        return torch.optim.SGD(parameters, lr=lr)

    class KerasFormula(torch.optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": lr})

        @torch.no_grad()
        def step(self):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    g, state = p.grad, self.state[p]
                    if not state:
                        state["t"], state["m"], state["v"] = 0, torch.zeros_like(p), torch.zeros_like(p)
                    state["t"] += 1
                    m, v, t = state["m"], state["v"], state["t"]
                    if workload.optimizer == "adam":  # Keras: alpha = lr sqrt(1 - b2^t) / (1 - b1^t)
                        m.mul_(0.9).add_(g, alpha=0.1)
                        v.mul_(0.999).addcmul_(g, g, value=0.001)
                        alpha = lr * (1 - 0.999**t) ** 0.5 / (1 - 0.9**t)
                        p.addcdiv_(m, v.sqrt().add_(1e-7), value=-alpha)
                    else:  # RMSprop, rho 0.9: w -= lr g / sqrt(v + eps)
                        v.mul_(0.9).addcmul_(g, g, value=0.1)
                        p.addcdiv_(g, v.add(1e-7).sqrt_(), value=-lr)

    if workload.optimizer not in ("adam", "rmsprop"):
        raise ValueError(f"unknown optimizer {workload.optimizer!r}")
    return KerasFormula(parameters)


def _loss(torch, workload):
    if workload.loss == "binary_crossentropy":
        return torch.nn.BCEWithLogitsLoss()
    return torch.nn.CrossEntropyLoss()  # softmax + categorical / sparse categorical crossentropy, on logits


def to_tensors(torch, workload, x, labels=None, device="cpu"):
    """NumPy arrays as the PyTorch model's inputs and targets (images channels-first, ids int64)."""
    if workload.model == "cnn":
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    elif workload.model == "lstm":
        x = x.astype(np.int64)
    x = torch.from_numpy(x).to(device)
    if labels is None:
        return x, None
    if workload.loss == "binary_crossentropy":
        y = torch.from_numpy(labels.astype(np.float32).reshape(-1, 1))
    else:
        y = torch.from_numpy(labels.astype(np.int64))
    return x, y.to(device)


class TorchJob:
    """One workload in PyTorch: ``warm_up()``, then ``run()`` timed by the caller."""

    def __init__(self, workload, data, device="cpu", dropout=None, seed=0):
        torch = self.torch = _torch()
        torch.manual_seed(seed)
        self.workload = workload
        self.device = device
        self.x, self.y = to_tensors(torch, workload, data["x"], data.get("labels"), device)
        self.model = build_model(torch, workload, dropout=dropout).to(device)
        if workload.kind == "fit":
            self.loss_fn = _loss(torch, workload)
            self.optimizer = _optimizer(torch, workload, self.model.parameters())
        self.generator = torch.Generator().manual_seed(seed)

    def warm_up(self):
        return self.predict(self.x) if self.workload.kind == "predict" else self.train_epoch()

    def run(self):
        """One timed unit: an epoch (W4: ten epochs), or one predict pass; returns the last epoch's mean loss."""
        if self.workload.kind == "predict":
            return float(self.predict(self.x)[:, 0].mean())
        loss = None
        for _ in range(self.workload.epochs):
            loss = self.train_epoch()
        return loss

    def train_epoch(self, x=None, y=None, shuffle=True, step_losses=None):
        """One epoch: a fresh permutation, then zero_grad / forward / loss / backward / step per batch."""
        torch = self.torch
        x = self.x if x is None else x
        y = self.y if y is None else y
        n, batch = len(x), self.workload.batch_size
        order = torch.randperm(n, generator=self.generator) if shuffle else torch.arange(n)
        order = order.to(self.device)
        self.model.train()
        total = torch.zeros((), device=self.device)
        for start in range(0, n, batch):
            index = order[start:start + batch]
            inputs, targets = x[index], y[index]
            self.optimizer.zero_grad()
            loss = self.loss_fn(self.model(inputs), targets)
            loss.backward()
            self.optimizer.step()
            total += loss.detach() * len(index)
            if step_losses is not None:
                step_losses.append(loss.item())
        return total.item() / n

    def predict(self, x):
        torch = self.torch
        self.model.eval()
        batch = self.workload.batch_size
        with torch.inference_mode():
            outputs = [self.model(x[start:start + batch]) for start in range(0, len(x), batch)]
        return torch.cat(outputs).cpu().numpy()

    # -------------------------------------------------------------------------------------------------------------
    # The correctness check: start from the Keras model's weights.
    # -------------------------------------------------------------------------------------------------------------
    def set_weights(self, weights):
        """Load weights in Keras' layout and order (``model.get_weights()`` of the Keras model)."""
        torch = self.torch
        converted = keras_to_torch(self.workload, [np.asarray(w) for w in weights])
        params = dict(self.model.named_parameters())
        with torch.no_grad():
            for name, value in converted.items():
                target = params[name]
                if tuple(target.shape) != value.shape:
                    raise ValueError(f"{name}: PyTorch shape {tuple(target.shape)}, converted {value.shape}")
                target.copy_(torch.from_numpy(np.ascontiguousarray(value)))

    def check_run(self, x, labels):
        x, y = to_tensors(self.torch, self.workload, x, labels, self.device)
        if self.workload.kind == "predict":
            return self.predict(x)
        if self.workload.model == "lstm":
            # Keras' LSTM has one bias where PyTorch's has two that always get the same gradient: training both
            # would move the sum twice as far. The second stays at zero.
            self.model.lstm.bias_hh_l0.requires_grad_(False)
        params = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = keras_formula_optimizer(self.torch, self.workload, params)
        losses = []
        self.train_epoch(x, y, shuffle=False, step_losses=losses)
        return losses


def keras_to_torch(workload, weights):
    """Keras weights (``get_weights()`` order and layout) as a dict of PyTorch parameter name -> array.

    Dense kernels are (in, out) in Keras and (out, in) in PyTorch; Conv2D kernels (kh, kw, in, out) against
    (out, in, kh, kw); the LSTM's gates are in the same order (input, forget, cell, output) and Keras has one bias
    where PyTorch has two (the second is set to zero). The CNN's first Dense layer reads a flattened (h, w, c)
    feature map in Keras and a (c, h, w) one in PyTorch, so its rows are reordered.
    """
    if workload.model in ("mlp", "small_mlp"):
        out = {}
        modules = {"mlp": [0, 3, 6], "small_mlp": [0, 2, 4]}[workload.model]  # the Linear layers' indices
        for module, kernel, bias in zip(modules, weights[0::2], weights[1::2]):
            out[f"{module}.weight"] = kernel.T
            out[f"{module}.bias"] = bias
        return out
    if workload.model == "cnn":
        c1, b1, c2, b2, c3, b3, d1, e1, d2, e2 = weights
        h, w, c = 3, 3, 64
        d1 = d1.reshape(h, w, c, -1).transpose(2, 0, 1, 3).reshape(h * w * c, -1)
        return {
            "0.weight": c1.transpose(3, 2, 0, 1), "0.bias": b1,
            "3.weight": c2.transpose(3, 2, 0, 1), "3.bias": b2,
            "6.weight": c3.transpose(3, 2, 0, 1), "6.bias": b3,
            "9.weight": d1.T, "9.bias": e1,
            "11.weight": d2.T, "11.bias": e2,
        }
    if workload.model == "lstm":
        embeddings, kernel, recurrent, bias, d1, e1, d2, e2 = weights
        return {
            "embedding.weight": embeddings,
            "lstm.weight_ih_l0": kernel.T, "lstm.weight_hh_l0": recurrent.T,
            "lstm.bias_ih_l0": bias, "lstm.bias_hh_l0": np.zeros_like(bias),
            "head.0.weight": d1.T, "head.0.bias": e1,
            "head.2.weight": d2.T, "head.2.bias": e2,
        }
    raise ValueError(f"no weight conversion for {workload.model!r}")
