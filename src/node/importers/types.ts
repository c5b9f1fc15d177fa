/** Progress callback of the parsers: phase, done, total (the job runner turns it into progress events). */
export type Progress = (phase: string, done: number, total: number) => void;

export const noProgress: Progress = () => undefined;
