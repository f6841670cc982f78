/**
 * An error and the errors it wraps through `cause`, outermost first. Drizzle, cockatiel and the
 * drivers nest the error that matters a few levels deep, so checks look down the whole chain.
 */
export function* causeChain(error: unknown, maxDepth = 5): Generator<object> {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < maxDepth; depth++) {
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}
