/** ActiveJob's wire format: the serialized job (envelope) and its arguments (with the Ruby value types). */
export * from './arguments';
export * from './envelope';
