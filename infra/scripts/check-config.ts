// `npm start` runs this right after installing and before building: the API's and the worker's own
// config schemas judge the environment the processes will get, so a bad setting fails in a second
// rather than after the build. Prints the problems and exits 1, or prints nothing.
import { parseConfig } from '@dispatch/core';
import { apiConfigSchema } from '@dispatch/api/config';
import { workerConfigSchema } from '@dispatch/worker/config';

const problems = new Set<string>();
for (const schema of [apiConfigSchema, workerConfigSchema]) {
  try {
    parseConfig(schema, process.env);
  } catch (error) {
    for (const line of (error as Error).message.split('\n').slice(1)) problems.add(line);
  }
}
if (problems.size > 0) {
  console.error(`error: invalid configuration:\n${[...problems].join('\n')}`);
  process.exit(1);
}
