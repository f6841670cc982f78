// The draw's proof, and a check that runs here, in this browser, with Web Crypto: it needs to
// trust neither the server's code nor its verdict. The same check accepts a pasted proof, so a
// copy kept from the day of the draw can be checked against what the server shows now.
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError, call } from '../api/client';
import { Button, Notice } from '../components/ui';
import { verifyProof, type Verdict } from '../lib/verify-proof';

const SHOWN = 20;

export default function LotteryProofPage() {
  const { id = '' } = useParams();
  const commitment = useQuery({ queryKey: ['lottery', id], queryFn: () => call(api.GET('/api/events/{id}/lottery', { params: { path: { id } } })) });
  const drawn = commitment.data?.drawn === true;
  const proof = useQuery({
    queryKey: ['lottery', id, 'proof'],
    enabled: drawn,
    queryFn: () => call(api.GET('/api/events/{id}/lottery/proof', { params: { path: { id } } })),
  });

  if (commitment.isPending) return <p>Loading…</p>;
  if (commitment.error) {
    const missing = commitment.error instanceof ApiError && commitment.error.problem.status === 404;
    return <Notice tone="bad">{missing ? 'This event has no draw.' : `The draw could not be loaded: ${commitment.error.message}`}</Notice>;
  }
  const info = commitment.data;
  return (
    <article className="stack">
      <h1>Draw proof</h1>
      <p>
        <Link to={`/events/${id}`}>Back to the event</Link>
      </p>
      <section className="card stack">
        <h2>How this works</h2>
        <p>
          Before entries opened, the server published the <strong>commitment</strong>: the SHA-256 of a secret seed. After the draw it publishes the
          seed, the list of entrants with their weights, and the order. Anyone can recompute the order from the seed and the list; nobody could choose
          a seed that matches a commitment made in advance.
        </p>
        <dl>
          <dt>Algorithm</dt>
          <dd className="mono">{info.algorithm}</dd>
          <dt>Commitment</dt>
          <dd className="mono" data-testid="commitment">
            {info.commitment}
          </dd>
          <dt>Entrants</dt>
          <dd className="num">{info.entrants}</dd>
        </dl>
      </section>
      {!drawn && <p>The draw has not happened yet. The seed and the order appear here once it has.</p>}
      {proof.data && (
        <section className="card stack">
          <h2>The published draw</h2>
          <dl>
            <dt>Seed</dt>
            <dd className="mono">{proof.data.seed}</dd>
            <dt>Entrants hash</dt>
            <dd className="mono">{proof.data.entrantsHash}</dd>
          </dl>
          <h3>
            Order (first {Math.min(SHOWN, proof.data.order.length)} of {proof.data.order.length})
          </h3>
          <ol className="mono">
            {proof.data.order.slice(0, SHOWN).map((entrant) => (
              <li key={entrant}>{entrant}</li>
            ))}
          </ol>
          <a download={`draw-${id}.json`} href={`data:application/json,${encodeURIComponent(JSON.stringify(proof.data, null, 2))}`}>
            Download the proof (JSON)
          </a>
          <Verifier proof={proof.data} />
        </section>
      )}
    </article>
  );
}

function Verifier({ proof }: { proof: unknown }) {
  const [pasted, setPasted] = useState('');
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [checking, setChecking] = useState(false);
  const textId = useId();

  async function check(input: unknown) {
    setChecking(true);
    setVerdict(await verifyProof(input));
    setChecking(false);
  }
  function checkPasted() {
    try {
      void check(JSON.parse(pasted));
    } catch {
      setVerdict({ ok: false, reason: 'the pasted text is not JSON', checks: [] });
    }
  }

  return (
    <div className="stack">
      <Button onClick={() => void check(proof)} disabled={checking} data-testid="verify">
        Verify in this browser
      </Button>
      <details>
        <summary>Check another copy of the proof</summary>
        <div className="field">
          <label htmlFor={textId}>Proof JSON</label>
          <textarea id={textId} rows={6} value={pasted} onChange={(event) => setPasted(event.target.value)} data-testid="pasted-proof" />
        </div>
        <Button variant="secondary" onClick={checkPasted} disabled={checking || pasted === ''} data-testid="verify-pasted">
          Verify the pasted proof
        </Button>
      </details>
      {verdict && (
        <div aria-live="polite" data-testid="verdict" data-ok={verdict.ok}>
          <Notice tone={verdict.ok ? 'ok' : 'bad'} role="status">
            {verdict.ok ? (
              <strong>It matches: this order is exactly what the committed seed gives for these entrants.</strong>
            ) : (
              <strong>It does not match: {verdict.reason}.</strong>
            )}
          </Notice>
          <ul>
            {verdict.checks.map((check) => (
              <li key={check.name}>
                {check.ok ? '✓' : '✗'} {check.name}: <span className="mono">{check.detail}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
