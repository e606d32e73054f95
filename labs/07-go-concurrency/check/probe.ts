/**
 * Lab 7's black-box probe: the Go catalog with the upstream simulator over HTTP
 * (`go-catalog-fanout`), driven with the fan-out cases both catalogs answer
 * (tooling/contract/fanout-cases.ts).
 */
import { fanoutContract } from '../../../tooling/contract/fanout-cases.ts';

export default fanoutContract({ todo: 'see TODO(lab 7) in go/services/catalog/internal/fanout/aggregator.go' });
