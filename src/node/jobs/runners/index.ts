/** The job-runner registry: one line per runner. The child process looks a job's kind up here. */
import type { JobKind } from '../../../shared/protocol';
import type { JobRunner } from '../types';
import { auditRunner } from './audit';
import { buildRunner } from './build';
import { demoImportRunner } from './demo';
import { embedRunner } from './embed';
import { importRunner } from './import';
import { projectRunner } from './project';
import { trainRetrieverRunner } from './train-retriever';
import { evalRunner } from './eval';

/** 'import' of format 'demo' generates the demo catalog; every other format goes to the file importers. */
const importOrDemoRunner: JobRunner<{ demo?: true }> = {
  kind: 'import',
  parse: (params) =>
    (params.format === 'demo' ? demoImportRunner.parse(params) : importRunner.parse(params)) as { demo?: true },
  run: (p, ctx) => (p.demo ? demoImportRunner.run(p as never, ctx) : importRunner.run(p as never, ctx)),
};

// any: each runner has its own params type.
export const RUNNERS: Partial<Record<JobKind, JobRunner<any>>> = {
  import: importOrDemoRunner,
  embed: embedRunner,
  build: buildRunner,
  audit: auditRunner,
  project: projectRunner,
  'train-retriever': trainRetrieverRunner,
  eval: evalRunner,
};
