/**
 * The project's shared reference material lives beside the checkout
 * (`../shared`): ActiveJob fixtures made by real Rails, and fugit's fire-time
 * tool. XIKOLO_SHARED_DIR points elsewhere when it is not there.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const PROJECT_ROOT = join(import.meta.dirname, '..', '..');
export const SHARED_DIR = process.env.XIKOLO_SHARED_DIR ?? join(PROJECT_ROOT, '..', 'shared');

/** A path under shared/, checked to exist, with what to do when it does not. */
export function sharedPath(...parts: string[]): string {
  const path = join(SHARED_DIR, ...parts);
  if (!existsSync(path)) {
    throw new Error(`${path} not found: the tests read shared/ (fixtures, tools) from beside the project checkout; put it there or set XIKOLO_SHARED_DIR`);
  }
  return path;
}

export const ACTIVEJOB_FIXTURES = () => sharedPath('fixtures', 'activejob');
