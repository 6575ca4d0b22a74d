/** `npm run build:worker`: bundles the worker threads' code (lib/jobs/worker/build.ts). */
import { buildWorkerBundle } from "@/lib/jobs/worker/build";

try {
  const out = buildWorkerBundle(process.cwd());
  console.log(`noisefloor: worker bundle ${out}`);
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
