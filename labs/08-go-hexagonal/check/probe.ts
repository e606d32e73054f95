/**
 * Lab 8's black-box probe: the Go catalog (`go run ./cmd/catalog`), started as `go-catalog-broker`
 * (SQLite in memory through the unit of work, the outbox relay publishing to a NATS JetStream the
 * kit starts first on a free port), still answers the whole catalog contract
 * (tooling/contract/catalog-cases.ts).
 */
import { catalogContract } from '../../../tooling/contract/catalog-cases.ts';

export default catalogContract({ todo: 'see the TODO(lab 8) markers (the unit of work first)' });
