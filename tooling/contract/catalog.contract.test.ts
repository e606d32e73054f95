/**
 * The catalog contract, run against BOTH catalogs. A difference between them is fixed in a
 * service, never papered over here.
 */
import { catalogContract } from './catalog-cases.ts';
import { runContractAgainst } from './run-against.ts';

runContractAgainst('catalog contract', ['python-catalog', 'go-catalog'], (service) => catalogContract({ todo: `the ${service} reference service` }));
