// The WorkflowError a refused command rejects with, for asserting its code and message.
import { expect } from 'vitest';
import { WorkflowError } from '../../src/workflow/errors.ts';

export async function refusal(p: Promise<unknown>): Promise<WorkflowError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(WorkflowError);
  return e as WorkflowError;
}
