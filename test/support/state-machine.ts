/**
 * The state machine definitions the CDK app deploys, taken from the
 * synthesized template (not a hand-written copy), with CloudFormation
 * references turned into plain ARNs so a local Step Functions runner can
 * execute them.
 */
import type { Template } from 'aws-cdk-lib/assertions';

type Part = string | { 'Fn::GetAtt'?: [string, string]; Ref?: string };

function render(part: Part): string {
  if (typeof part === 'string') return part;
  if (part['Fn::GetAtt']) return `arn:aws:lambda:eu-central-1:123456789012:function:${part['Fn::GetAtt'][0]}`;
  if (part.Ref === 'AWS::Partition') return 'aws';
  if (part.Ref === 'AWS::Region') return 'eu-central-1';
  if (part.Ref === 'AWS::AccountId') return '123456789012';
  if (part.Ref) return part.Ref;
  throw new Error(`cannot render ${JSON.stringify(part)} in a state machine definition`);
}

/** The ASL of the state machine whose name ends in `nameSuffix`, as deployed. */
export function deployedDefinition(template: Template, nameSuffix: string): { definition: Record<string, unknown>; timeoutSeconds: number } {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as { Properties: { StateMachineName: string; DefinitionString: unknown } }[];
  const machine = machines.find((m) => m.Properties.StateMachineName.endsWith(nameSuffix));
  if (!machine) throw new Error(`no state machine named *${nameSuffix}; have ${machines.map((m) => m.Properties.StateMachineName).join(', ')}`);
  const raw = machine.Properties.DefinitionString;
  const text = typeof raw === 'string' ? raw : (raw as { 'Fn::Join': [string, Part[]] })['Fn::Join'][1].map(render).join('');
  const definition = JSON.parse(text) as Record<string, unknown> & { TimeoutSeconds: number };
  return { definition, timeoutSeconds: definition.TimeoutSeconds };
}
