/**
 * Lab 3's black-box probe: the Python catalog, started as `python-catalog-broker` (embedded
 * SQLite in a temporary folder, the outbox relay in its process publishing to a NATS JetStream the
 * kit starts first on a free port), still answers the whole catalog contract
 * (tooling/contract/catalog-cases.ts) once writes go through the unit of work and the outbox.
 */
import { catalogContract } from '../../../tooling/contract/catalog-cases.ts';

export default catalogContract({ todo: 'see the TODO(lab 3) markers (the unit of work first)' });
