// The answer ledger in process, for one instance without Redis. JavaScript runs each call to
// the end before another starts, so a claim is atomic without a lock.
import { assertClaim, type AnswerClaim, type AnswerLedger, type ClaimOutcome } from './port.js';

interface Scope {
  firsts: Map<string, string>;
  totals: Map<string, number>;
}

export class MemoryAnswerLedger implements AnswerLedger {
  private readonly scopes = new Map<string, Scope>();

  private scope(name: string): Scope {
    let scope = this.scopes.get(name);
    if (!scope) this.scopes.set(name, (scope = { firsts: new Map(), totals: new Map() }));
    return scope;
  }

  async claim(claims: AnswerClaim[]): Promise<ClaimOutcome[]> {
    claims.forEach(assertClaim);
    return claims.map(({ scope: name, key, value, member, points }) => {
      const scope = this.scope(name);
      const held = scope.firsts.get(key);
      if (held !== undefined) return { first: false, value: held };
      scope.firsts.set(key, value);
      scope.totals.set(member, (scope.totals.get(member) ?? 0) + points);
      return { first: true };
    });
  }

  async release(claims: AnswerClaim[]): Promise<void> {
    claims.forEach(assertClaim);
    for (const { scope: name, key, value, member, points } of claims) {
      const scope = this.scopes.get(name);
      if (scope?.firsts.get(key) !== value) continue;
      scope.firsts.delete(key);
      scope.totals.set(member, (scope.totals.get(member) ?? 0) - points);
    }
  }

  async totals(scope: string): Promise<Map<string, number>> {
    return new Map(this.scopes.get(scope)?.totals);
  }

  async drop(scope: string): Promise<void> {
    this.scopes.delete(scope);
  }

  async close(): Promise<void> {
    this.scopes.clear();
  }
}
