package main

import (
	"time"

	"languagetracks.example/go/services/catalog/internal/fanout"
	"languagetracks.example/go/services/catalog/internal/platform"
)

// drainFromEnv reads how the service shuts down (lab 9):
//
//	CATALOG_DRAIN_DELAY_MS (unset: 0)  how long /readyz answers 503 while requests are still
//	                                   accepted, before the listener closes
//	CATALOG_SHUTDOWN_GRACE_MS (5000)   how long in-flight requests then get to finish
func drainFromEnv(getenv func(string) string) (platform.ServeOptions, error) {
	opts := platform.ServeOptions{Grace: platform.ShutdownGrace}
	if getenv("CATALOG_DRAIN_DELAY_MS") != "" {
		delayMS, err := fanout.PositiveInt(getenv, "CATALOG_DRAIN_DELAY_MS", 1)
		if err != nil {
			return opts, err
		}
		opts.DrainDelay = time.Duration(delayMS) * time.Millisecond
	}
	graceMS, err := fanout.PositiveInt(getenv, "CATALOG_SHUTDOWN_GRACE_MS", int(platform.ShutdownGrace/time.Millisecond))
	if err != nil {
		return opts, err
	}
	opts.Grace = time.Duration(graceMS) * time.Millisecond
	return opts, nil
}
