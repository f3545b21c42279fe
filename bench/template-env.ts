/**
 * The environment each Lambda bundle is deployed with, read from a
 * synthesized cloud assembly: every AWS::Lambda::Function whose staged asset
 * holds the very same index.mjs gets its `Environment.Variables`, with
 * CloudFormation intrinsics rendered as dummy values (queue URLs, ARNs,
 * names) that point nowhere.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const REGION = 'eu-central-1';
const ACCOUNT = '000000000000';

export interface DeployedEnv {
  /** Template and logical id of the function the environment was taken from. */
  readonly source: string;
  readonly variables: Record<string, string>;
}

const PSEUDO: Record<string, string> = {
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'bench-stack',
  'AWS::StackId': `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/bench-stack/0`,
  'AWS::NoValue': '',
};

/** A dummy for `Ref` of a resource: what CloudFormation returns, pointing nowhere. */
function refValue(logicalId: string, resources: Record<string, { Type?: string }>): string {
  const type = resources[logicalId]?.Type ?? '';
  const name = `bench-${logicalId.toLowerCase()}`;
  if (type === 'AWS::SQS::Queue') return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
  if (type === 'AWS::SNS::Topic' || type === 'AWS::SecretsManager::Secret') return `arn:aws:${type === 'AWS::SNS::Topic' ? 'sns' : 'secretsmanager'}:${REGION}:${ACCOUNT}:${name}`;
  return name;
}

function getAttValue(logicalId: string, attribute: string, resources: Record<string, { Type?: string }>): string {
  const type = resources[logicalId]?.Type ?? '';
  const name = `bench-${logicalId.toLowerCase()}`;
  const service = type.split('::')[1]?.toLowerCase() ?? 'bench';
  if (attribute === 'Arn' || attribute.endsWith('Arn')) return `arn:aws:${service}:${REGION}:${ACCOUNT}:${name}`;
  if (attribute === 'QueueUrl') return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
  if (attribute === 'QueueName' || attribute.endsWith('Name')) return name;
  if (/Endpoint|Url/i.test(attribute)) return `https://${name}.${REGION}.amazonaws.com`;
  return `${name}-${attribute.toLowerCase()}`;
}

function render(value: unknown, resources: Record<string, { Type?: string }>): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return value.map((v) => render(v, resources)).join(',');
  const [fn, arg] = Object.entries(value as Record<string, unknown>)[0] ?? [];
  switch (fn) {
    case 'Ref':
      return PSEUDO[String(arg)] ?? refValue(String(arg), resources);
    case 'Fn::GetAtt': {
      const [id, attr] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
      return getAttValue(id ?? '', attr ?? '', resources);
    }
    case 'Fn::Join': {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((p) => render(p, resources)).join(separator);
    }
    case 'Fn::Select': {
      const [index, list] = arg as [number | string, unknown];
      const items = Array.isArray(list) ? list.map((v) => render(v, resources)) : render(list, resources).split(',');
      return items[Number(index)] ?? '';
    }
    case 'Fn::Split': {
      const [separator, source] = arg as [string, unknown];
      return render(source, resources).split(separator).join(',');
    }
    case 'Fn::Sub': {
      const [template, vars] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Record<string, unknown>];
      return template.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        if (name in vars) return render(vars[name], resources);
        if (PSEUDO[name] !== undefined) return PSEUDO[name]!;
        const [id, attr] = name.split('.');
        return attr ? getAttValue(id!, attr, resources) : refValue(id!, resources);
      });
    }
    case 'Fn::ImportValue':
      return `bench-import-${render(arg, resources)}`;
    case 'Fn::If': {
      const [, whenTrue] = arg as [string, unknown, unknown];
      return render(whenTrue, resources);
    }
    default:
      return JSON.stringify(value);
  }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Deployed environments by the sha256 of the bundle file they run. */
export function deployedEnvironments(assemblyDirs: readonly string[]): Map<string, DeployedEnv> {
  const found = new Map<string, DeployedEnv>();
  for (const dir of assemblyDirs) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.template.json'))) {
      const template = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { Resources?: Record<string, { Type?: string; Metadata?: Record<string, unknown>; Properties?: Record<string, unknown> }> };
      const resources = template.Resources ?? {};
      for (const [id, resource] of Object.entries(resources)) {
        if (resource.Type !== 'AWS::Lambda::Function') continue;
        const assetPath = resource.Metadata?.['aws:asset:path'];
        if (typeof assetPath !== 'string') continue;
        const bundle = join(dir, assetPath, 'index.mjs');
        if (!existsSync(bundle)) continue;
        const key = sha256(readFileSync(bundle));
        if (found.has(key)) continue;
        const raw = ((resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
        const variables = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, render(v, resources)]));
        found.set(key, { source: `${file.replace(/\.template\.json$/, '')}/${id}`, variables });
      }
    }
  }
  return found;
}

export function bundleKey(file: string): string {
  return sha256(readFileSync(file));
}
