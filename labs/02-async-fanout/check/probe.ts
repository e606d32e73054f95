/**
 * Lab 2's black-box probe: the Python catalog with the upstream simulator over HTTP
 * (`python-catalog-fanout`), driven with the fan-out cases both catalogs answer
 * (tooling/contract/fanout-cases.ts).
 */
import { fanoutContract } from '../../../tooling/contract/fanout-cases.ts';

export default fanoutContract({ todo: 'see TODO(lab 2) in python/services/catalog/src/catalog/fanout/aggregator.py' });
