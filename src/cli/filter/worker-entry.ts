/**
 * Entry point of the worker-only bundle dist/filter-worker.js (see pool.ts): serves fragments on this
 * worker thread's parent port. It imports no filter parser or compiler: programs come from the main thread.
 */
import { serveFilterWorker } from './worker.js';

serveFilterWorker().catch((error: unknown) => {
  // The main thread sees the worker's error event and reports it; this line is for PKTFILTER_DEBUG runs.
  if (process.env.PKTFILTER_DEBUG) console.error(error);
  throw error;
});
