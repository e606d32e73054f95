"""Lab 2's fan-out: one product view assembled from several upstreams, concurrently.

- ``upstreams``   the ``Upstream`` port, an in-process simulated adapter (the default) and an
                  HTTP adapter (httpx), plus the typed payloads each upstream answers.
- ``reviews``     a pure, CPU-heavy function: drop near-duplicate reviews, rank the rest.
- ``aggregator``  the fan-out/fan-in itself: TaskGroup, timeouts, a shared semaphore, a
                  process pool for the CPU work (the file lab 2 owns).
- ``settings``    policy and upstream wiring read from the environment.
"""
