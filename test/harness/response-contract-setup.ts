// Fails the test during which a test server answered outside its documented contract.
import { afterEach } from 'vitest';
import { takeViolations } from './response-contract.js';

afterEach(() => {
  const violations = takeViolations();
  if (violations.length > 0) throw new Error(`Responses outside /openapi.json:\n${violations.join('\n')}`);
});
