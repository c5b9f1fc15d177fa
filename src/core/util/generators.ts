import type { JobEvent } from '../../shared/protocol';

/**
 * Runs a job generator to completion and returns its result, passing each event to onEvent.
 * Tests and in-process callers use this; the job child uses the same generator with its own loop.
 */
export async function drain<R>(gen: AsyncGenerator<JobEvent, R, void>, onEvent?: (ev: JobEvent) => void): Promise<R> {
  for (;;) {
    const r = await gen.next();
    if (r.done) return r.value;
    onEvent?.(r.value);
  }
}

/** Yields control to the event loop so an AbortSignal (cancel message) can be delivered between steps. */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
