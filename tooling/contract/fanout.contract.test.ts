/**
 * The product-details fan-out, run against BOTH catalogs with the upstream simulator started
 * first. A difference between the catalogs is fixed in a service, never papered over here.
 */
import { fanoutContract } from './fanout-cases.ts';
import { runContractAgainst } from './run-against.ts';

runContractAgainst('fan-out contract', ['python-catalog-fanout', 'go-catalog-fanout'], (service) => fanoutContract({ todo: `the ${service} reference service` }));
