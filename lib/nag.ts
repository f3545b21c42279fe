/**
 * cdk-nag's AwsSolutions pack on every synth. A finding fails the synth unless
 * it is acknowledged on its construct with a specific reason; acknowledgments
 * are written into the templates' metadata so they can be audited from the
 * synthesized output alone.
 */
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export function enableNag(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
}

/** Acknowledges one AwsSolutions rule (e.g. `IAM5`) on a construct and its children, with a reason. */
export function acknowledgeNag(scope: IConstruct, rule: string, reason: string): void {
  if (reason.trim().length < 20) throw new Error(`cdk-nag acknowledgment of ${rule} at ${scope.node.path} needs a specific reason`);
  const id = rule.startsWith('AwsSolutions::') ? rule : `AwsSolutions::AwsSolutions-${rule.replace(/^AwsSolutions-/, '')}`;
  Validations.of(scope).acknowledge({ id, reason });
}

interface ReportViolation {
  ruleName: string;
  description: string;
  violatingConstructs: { constructPath: string }[];
}

/** Reads the validation report of a failed synth and lists each unacknowledged finding on one line. */
export function describeValidationFailure(outdir: string): string {
  const file = join(outdir, 'validation-report.json');
  if (!existsSync(file)) return '(no validation report written)';
  const report = JSON.parse(readFileSync(file, 'utf8')) as { pluginReports: { pluginName: string; violations: ReportViolation[] }[] };
  return report.pluginReports
    .flatMap((plugin) =>
      plugin.violations.flatMap((v) =>
        v.violatingConstructs.map((c) => `${plugin.pluginName} ${v.ruleName} at ${c.constructPath}: ${v.description}`),
      ),
    )
    .join('\n');
}
