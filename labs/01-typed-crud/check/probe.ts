/**
 * Lab 1's black-box probe: the Python catalog on a free port, driven over HTTP with the
 * catalog contract every catalog answers (tooling/contract/catalog-cases.ts).
 */
import { catalogContract } from '../../../tooling/contract/catalog-cases.ts';

export default catalogContract({ todo: 'see the TODO(lab 1) markers' });
