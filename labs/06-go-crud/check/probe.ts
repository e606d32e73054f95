/**
 * Lab 6's black-box probe: the Go catalog (`go run ./cmd/catalog`) on a free port, driven over
 * HTTP with the contract both catalogs answer (tooling/contract/catalog-cases.ts).
 */
import { catalogContract } from '../../../tooling/contract/catalog-cases.ts';

export default catalogContract({ todo: 'see the TODO(lab 6) markers' });
