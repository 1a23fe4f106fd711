/**
 * Put in the `default` branch of a switch over a union's `type`: adding a member to the union
 * then fails to compile wherever it is not handled.
 */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
}
