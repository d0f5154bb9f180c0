"""``make_refs.py`` runs only under real Keras, in its own virtual environment (see its docstring): keep
pytest's ``--doctest-modules`` from importing it in the kerasnb test environment, which has no Keras."""

collect_ignore = ["make_refs.py", "make_applications_refs.py"]
