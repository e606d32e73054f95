"""upstream_sim: three fake upstreams (pricing, inventory, reviews) with tunable behaviour.

Each upstream has a latency, a jitter and a failure rate, set at start (``--config``,
``UPSTREAM_SIM_CONFIG``) and at run time (``PUT /_sim/config``). Lab 2's probe, the catalog's
tests and the benchmarks use it to make upstreams slow, flaky or down on purpose.
"""
