"""kerasnb's benchmark suite: the issue-7 workloads on kerasnb and on its peers (see ``benchmarks/README.md``)."""
