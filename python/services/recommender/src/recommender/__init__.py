"""The recommender: a grpc.aio service behind the Go gateway (issue 6, labs 11-15)."""
