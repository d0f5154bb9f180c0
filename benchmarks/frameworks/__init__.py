"""The workloads written once per API: ``keras_api`` (kerasnb and real Keras 3) and ``torch_eager`` (PyTorch)."""
