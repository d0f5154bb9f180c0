# The scripts here run under `mpirun` with mpi4py (.ci/mpi.sh), never inside the main pytest run, which has
# neither: keep them out of its collection (and out of --doctest-modules, which would import them).
collect_ignore_glob = ["*.py"]
