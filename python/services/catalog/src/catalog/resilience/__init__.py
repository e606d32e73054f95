"""Lab 4's resilience: retries of idempotent calls (``retry``), a circuit breaker per upstream
(``breaker``) and the upstream adapter that combines them with telemetry (``upstream``)."""
