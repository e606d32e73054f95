package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The JetStream names the catalog's outbox uses. Every event is published on
// SubjectPrefix+topic (catalog.product.created ...) into one stream.
const (
	StreamName    = "CATALOG_EVENTS"
	SubjectPrefix = "catalog."
	// DefaultDuplicateWindow is how long the stream remembers a Nats-Msg-Id: a relay that
	// publishes a message again within it (a crash between the PubAck and MarkSent) adds
	// nothing to the stream.
	DefaultDuplicateWindow = 2 * time.Minute
	// DefaultPublishTimeout bounds one publish when the caller's context has no deadline. The
	// relay publishes inside its transaction (on SQLite: the one writer), so it stays well
	// under SQLite's 5 s busy timeout: a request writing meanwhile waits, it does not fail.
	DefaultPublishTimeout = 2 * time.Second
)

// ErrBrokerUnavailable is returned by Publish while the connection is down.
var ErrBrokerUnavailable = errors.New("outbox: the broker is not connected")

// EnsureStream creates the catalog's stream (file storage, subjects catalog.>) or updates it
// to this configuration: idempotent, every replica calls it at start. A zero duplicates
// means DefaultDuplicateWindow.
func EnsureStream(ctx context.Context, js jetstream.JetStream, duplicates time.Duration) (jetstream.Stream, error) {
	if duplicates <= 0 {
		duplicates = DefaultDuplicateWindow
	}
	stream, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:       StreamName,
		Subjects:   []string{SubjectPrefix + ">"},
		Storage:    jetstream.FileStorage,
		Duplicates: duplicates,
	})
	if err != nil {
		return nil, fmt.Errorf("create or update stream %s: %w", StreamName, err)
	}
	return stream, nil
}

// JetStreamPublisher is the Publisher for a real broker. Publish returns nil only once
// JetStream acknowledged the message (it is in the file-backed stream): only then does the
// relay mark the row sent, so a crash at any point loses nothing. Each message carries its
// outbox id as Nats-Msg-Id, and the stream drops a second copy within its duplicate window.
type JetStreamPublisher struct {
	nc      *nats.Conn
	js      jetstream.JetStream
	timeout time.Duration
}

// NewJetStreamPublisher returns a publisher over nc; timeout (zero: DefaultPublishTimeout)
// bounds each publish when the caller's context has no earlier deadline. Call EnsureStream
// first: a publish to a subject no stream takes fails (no PubAck), it is never lost silently.
func NewJetStreamPublisher(nc *nats.Conn, timeout time.Duration) (*JetStreamPublisher, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	if timeout <= 0 {
		timeout = DefaultPublishTimeout
	}
	return &JetStreamPublisher{nc: nc, js: js, timeout: timeout}, nil
}

// Publish sends the message to catalog.<topic> and waits for the PubAck.
func (p *JetStreamPublisher) Publish(ctx context.Context, message Message) error {
	// Fail fast while reconnecting: the relay holds its transaction (SQLite's only writer)
	// during the publish, and the row stays pending for the next run anyway.
	if status := p.nc.Status(); status != nats.CONNECTED {
		return fmt.Errorf("%w (%s)", ErrBrokerUnavailable, status)
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	msg := nats.NewMsg(SubjectPrefix + message.Topic)
	msg.Header.Set(jetstream.MsgIDHeader, message.ID)
	msg.Data = message.Payload
	ack, err := p.js.PublishMsg(ctx, msg)
	if err != nil {
		return fmt.Errorf("jetstream publish: %w", err)
	}
	if ack.Stream != StreamName {
		return fmt.Errorf("jetstream publish: acknowledged by stream %q, want %q", ack.Stream, StreamName)
	}
	return nil
}

// decodeMessage is the inverse of Publish: the id from Nats-Msg-Id, the topic from the
// subject, the payload byte for byte.
func decodeMessage(msg jetstream.Msg) (Message, error) {
	id := msg.Headers().Get(jetstream.MsgIDHeader)
	if id == "" {
		return Message{}, fmt.Errorf("%w: no %s header on %s", ErrUndecodable, jetstream.MsgIDHeader, msg.Subject())
	}
	topic := msg.Subject()
	if len(topic) <= len(SubjectPrefix) || topic[:len(SubjectPrefix)] != SubjectPrefix {
		return Message{}, fmt.Errorf("%w: subject %q is not under %s", ErrUndecodable, topic, SubjectPrefix)
	}
	payload := append([]byte(nil), msg.Data()...) // the message's buffer is not ours to keep
	return Message{ID: id, Topic: topic[len(SubjectPrefix):], Payload: payload}, nil
}

// ErrUndecodable is a broker message that is not an outbox message.
var ErrUndecodable = errors.New("outbox: not an outbox message")
