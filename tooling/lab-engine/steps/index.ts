/** Dispatches a manifest step to its runner and says which tools each kind needs. */
import type { Step } from '../manifest.ts';
import type { StepResult } from '../report/schema.ts';
import { toolsOfService } from '../../services/registry.ts';
import type { StepContext } from './context.ts';
import { importLinter } from './import-linter.ts';
import { gofmt, goTest, goVet, golangciLint, staticcheck } from './go.ts';
import { probe } from './probe.ts';
import { promtool } from './promtool.ts';
import { mypy, pytest, ruffCheck, ruffFormat } from './python.ts';
import { tsc, vitest } from './typescript.ts';

export function toolsFor(step: Step): readonly string[] {
  switch (step.kind) {
    case 'ruff-check':
    case 'ruff-format':
      return ['ruff'];
    case 'mypy':
      return ['mypy'];
    case 'pytest':
      return ['python'];
    case 'import-linter':
      return ['lint-imports'];
    case 'gofmt':
      return ['gofmt'];
    case 'go-vet':
    case 'go-test':
      return ['go'];
    case 'staticcheck':
      return ['staticcheck', 'go'];
    case 'golangci-lint':
      return ['golangci-lint', 'go'];
    case 'probe':
      return toolsOfService(step.service);
    case 'vitest':
    case 'tsc':
      return ['node'];
    case 'promtool':
      return ['promtool'];
  }
}

export function runStep(ctx: StepContext, step: Step): Promise<StepResult> {
  switch (step.kind) {
    case 'ruff-check':
      return ruffCheck(ctx, step);
    case 'ruff-format':
      return ruffFormat(ctx, step);
    case 'mypy':
      return mypy(ctx, step);
    case 'pytest':
      return pytest(ctx, step);
    case 'import-linter':
      return importLinter(ctx, step);
    case 'gofmt':
      return gofmt(ctx, step);
    case 'go-vet':
      return goVet(ctx, step);
    case 'staticcheck':
      return staticcheck(ctx, step);
    case 'golangci-lint':
      return golangciLint(ctx, step);
    case 'go-test':
      return goTest(ctx, step);
    case 'probe':
      return probe(ctx, step);
    case 'vitest':
      return vitest(ctx, step);
    case 'tsc':
      return tsc(ctx, step);
    case 'promtool':
      return promtool(ctx, step);
  }
}
