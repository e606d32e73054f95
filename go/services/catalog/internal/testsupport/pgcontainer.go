package testsupport

import (
	"context"
	"fmt"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// containerImage is the Python catalog's test image (python/services/catalog/tests/conftest.py).
const containerImage = "postgres:16-alpine"

// startContainer runs PostgreSQL in a container through testcontainers-go: trust auth (a
// throw-away server on the engine's host), fsync off (the data is thrown away), ready once the
// server logged "ready" twice (the image restarts it once after its init scripts).
func startContainer(ctx context.Context) (srv server, err error) {
	// A panic inside the provider (seen with half-configured engines) is one more reason to
	// take the local path, not a crashed test binary.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("testcontainers panicked: %v", r)
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	container, err := testcontainers.Run(ctx, containerImage,
		testcontainers.WithExposedPorts("5432/tcp"),
		testcontainers.WithEnv(map[string]string{"POSTGRES_HOST_AUTH_METHOD": "trust"}),
		testcontainers.WithCmd("postgres", "-c", "fsync=off"),
		testcontainers.WithWaitStrategy(
			wait.ForLog("database system is ready to accept connections").WithOccurrence(2).WithStartupTimeout(time.Minute),
			wait.ForListeningPort("5432/tcp"),
		),
	)
	stop := func() {
		if container != nil {
			_ = container.Terminate(context.Background())
		}
	}
	if err != nil {
		stop()
		return server{}, err
	}
	endpoint, err := container.PortEndpoint(ctx, "5432/tcp", "")
	if err != nil {
		stop()
		return server{}, err
	}
	return server{dsnBase: "postgres://postgres@" + endpoint + "/", stop: stop}, nil
}
