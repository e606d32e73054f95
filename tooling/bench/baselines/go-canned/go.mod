module languagetracks.example/tooling/bench/baselines/go-canned

go 1.26.0
