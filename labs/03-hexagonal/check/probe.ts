/**
 * Lab 3's black-box probe: the Python catalog, started alone with no configuration (embedded
 * SQLite in a temporary folder), still answers the whole catalog contract
 * (tooling/contract/catalog-cases.ts) once writes go through the unit of work and the outbox.
 */
import { catalogContract } from '../../../tooling/contract/catalog-cases.ts';

export default catalogContract({ todo: 'see the TODO(lab 3) markers (the unit of work first)' });
