/**
 * Loads config/routes.yml for the CDK app: YAML → validated routes, with every
 * problem reported as a ConfigError (file, route, reason and fix).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { consumers } from '../../functions/app/consumers/registry';
import type { ConsumerRegistry } from '../../functions/runtime/consumers/consumer';
import { checkRoutes, readRawRoutes, type Route } from '../../functions/runtime/consumers/routes';
import { CONFIG_DIR } from '../config/environment';
import { ConfigError, ConfigErrors } from '../config/errors';

export const ROUTES_FILE = join(CONFIG_DIR, 'routes.yml');

export function loadRoutes<S>(file: string = ROUTES_FILE, registry: ConsumerRegistry<S> = consumers as unknown as ConsumerRegistry<S>): Route[] {
  const shown = relative(process.cwd(), file) || file;
  if (!existsSync(file)) {
    throw new ConfigError(shown, '', 'the routes file does not exist: create it (see docs/consumers.md) with a `routes:` list');
  }
  let document: unknown;
  try {
    document = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(shown, '', `is not valid YAML: ${(error as Error).message}`);
  }
  const shape = readRawRoutes(document);
  const checked = checkRoutes(shape.routes, registry);
  const problems = [...shape.problems, ...checked.problems];
  if (problems.length > 0) {
    throw new ConfigErrors(problems.map((p) => new ConfigError(shown, p.route, `${p.reason}: ${p.fix}`)));
  }
  return checked.routes;
}

/** Routes grouped by consumer name, in registry order. */
export function routesByConsumer(routes: readonly Route[]): Map<string, Route[]> {
  const grouped = new Map<string, Route[]>();
  for (const route of routes) {
    const list = grouped.get(route.consumer) ?? [];
    list.push(route);
    grouped.set(route.consumer, list);
  }
  return grouped;
}
