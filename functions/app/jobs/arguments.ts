/**
 * Argument schemas shared by Xikolo's jobs (zod/mini). A message whose
 * arguments do not fit is dead-lettered by the worker at once, with the
 * reason, instead of failing 25 times.
 */
import * as z from 'zod/mini';
import { GlobalId } from '../../runtime/jobs/serialization';
import { MalformedIdentifierError } from '../domain/errors';

const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** A record id: a UUID or number as string, a number, or a GlobalID of the given model. */
export function recordId(model: string) {
  return z.union([
    z.string().check(z.regex(ID, `must be a record id of ${model} (letters, digits, "-", "_")`)),
    z.number().check(z.int(), z.minimum(0)),
    z.custom<GlobalId>((value) => value instanceof GlobalId && value.modelName === model && ID.test(value.modelId), {
      message: `must be a GlobalID of ${model}`,
    }),
  ]);
}

export type RecordIdArgument = string | number | GlobalId;

/** The plain id of a record argument. */
export function idOf(field: string, value: RecordIdArgument): string {
  if (value instanceof GlobalId) {
    if (!ID.test(value.modelId)) throw new MalformedIdentifierError(field, value.modelId);
    return value.modelId;
  }
  if (typeof value === 'number') return String(value);
  if (!ID.test(value)) throw new MalformedIdentifierError(field, value);
  return value;
}
