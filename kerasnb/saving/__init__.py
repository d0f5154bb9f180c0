"""Saving and loading models: configs, the registry, JSON/YAML, .keras and legacy .h5 files, weights."""
