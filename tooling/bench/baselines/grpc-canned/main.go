// Command grpc-canned is the gRPC baseline of `pnpm bench polyglot`: a bare grpc-go server
// implementing the generated RecommendationService (go/gen) that answers Recommend with one
// canned RecommendResponse (five items, shaped like the recommender's), no auth, no work. Put
// behind the same gateway, its requests/s are the ceiling the real recommender is held against.
// It serves the standard gRPC health service (SERVING), which the gateway's /readyz and the
// kit's gRPC health wait ask. --delay-ms makes Recommend wait that long first (or until the
// call's deadline or cancellation): a stand-in whose work cannot finish in time.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	recv1 "languagetracks.example/go/gen/recommendations/v1"
)

type canned struct {
	recv1.UnimplementedRecommendationServiceServer
	reply *recv1.RecommendResponse
	delay time.Duration
}

func (c *canned) Recommend(ctx context.Context, _ *recv1.RecommendRequest) (*recv1.RecommendResponse, error) {
	if c.delay > 0 {
		timer := time.NewTimer(c.delay)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
		}
	}
	return c.reply, nil
}

// cannedReply: five Spanish items like the recommender's answer to language=es&limit=5.
func cannedReply() *recv1.RecommendResponse {
	titles := []string{"Ser y estar", "Pretérito indefinido", "En el mercado", "Por y para", "Subjuntivo presente"}
	reply := &recv1.RecommendResponse{ModelVersion: "canned-1"}
	for i, title := range titles {
		reply.Recommendations = append(reply.Recommendations, &recv1.Recommendation{
			ItemId: fmt.Sprintf("es-%03d", i+1),
			Title:  title,
			Score:  0.9 - float64(i)*0.1,
			Reason: "popular with learners at your level",
		})
	}
	return reply
}

func main() {
	host := flag.String("host", "127.0.0.1", "address to listen on")
	port := flag.Int("port", 50051, "port to listen on (0 = any free port)")
	delayMs := flag.Int("delay-ms", 0, "wait this long in Recommend (bounded by the call's deadline)")
	flag.Parse()
	if *delayMs < 0 {
		fmt.Fprintln(os.Stderr, "grpc-canned: --delay-ms must not be negative")
		os.Exit(2)
	}
	listener, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		fmt.Fprintf(os.Stderr, "grpc-canned: %v\n", err)
		os.Exit(3)
	}
	server := grpc.NewServer()
	recv1.RegisterRecommendationServiceServer(server, &canned{reply: cannedReply(), delay: time.Duration(*delayMs) * time.Millisecond})
	healthServer := health.NewServer()
	healthServer.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(server, healthServer)
	go func() {
		signals := make(chan os.Signal, 1)
		signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
		<-signals
		healthServer.Shutdown()
		server.GracefulStop()
	}()
	fmt.Fprintf(os.Stderr, "grpc-canned listening on grpc://%s\n", listener.Addr())
	if err := server.Serve(listener); err != nil {
		fmt.Fprintf(os.Stderr, "grpc-canned: %v\n", err)
		os.Exit(1)
	}
}
