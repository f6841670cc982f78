// Rank a category's products (drag and drop or keyboard, the RankList polls use too). The
// submission keeps one Idempotency-Key per intent, so a double click or a retry is one ranking;
// the stats below move live from board:ranking:<category>.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, Navigate, useParams } from 'react-router';
import { api, ApiError, call, idempotent } from '../../api/client';
import { useIntentKey } from '../../api/hooks';
import { formatAverage, formatInterval, productKeys, useCategoryRanking, useMyRanking } from '../../api/products';
import { session } from '../../api/session';
import { RankList } from '../../components/rank-list';
import { Button, Notice } from '../../components/ui';
import { useStore } from '../../lib/store';

// The API lists at most 100 per page; a ranking may name any subset of the category.
const MOST = 100;

export default function RankCategoryPage() {
  const { category = '' } = useParams();
  const signedIn = useStore(session) !== null;
  const queryClient = useQueryClient();
  const products = useQuery({
    queryKey: productKeys.list({ category, sort: 'name', offset: 0 }),
    enabled: signedIn,
    queryFn: () => call(api.GET('/api/products', { params: { query: { category, sort: 'name', limit: MOST, offset: 0 } } })),
  });
  const mine = useMyRanking(category, signedIn);
  const stats = useCategoryRanking(category);
  const [order, setOrder] = useState<string[] | null>(null);
  const intent = useIntentKey();
  const submit = useMutation({
    mutationFn: (ranked: string[]) => call(api.POST('/api/rankings', { body: { category, order: ranked }, headers: idempotent(intent.current()) })),
    onSuccess: (saved) => {
      intent.next();
      queryClient.setQueryData(productKeys.myRanking(category), saved.order);
      void queryClient.invalidateQueries({ queryKey: productKeys.activity });
    },
  });

  if (!signedIn) return <Navigate to="/signin" state={{ from: `/rankings/${category}` }} replace />;
  if (products.isPending || mine.isPending) return <p>Loading {category}…</p>;
  if (products.error || mine.error)
    return (
      <Notice tone="bad">
        Could not load {category}: {(products.error ?? mine.error)!.message}
      </Notice>
    );
  const items = products.data.items.map(({ product }) => ({ key: product.id, label: product.name }));
  if (items.length === 0) return <Notice tone="warn">There are no products in {category} to rank.</Notice>;
  // My previous ranking first, in its order; products it did not name follow.
  const known = new Set(items.map((item) => item.key));
  const previous = (mine.data ?? []).filter((key) => known.has(key));
  const current = order ?? [...previous, ...items.map((item) => item.key).filter((key) => !previous.includes(key))];

  return (
    <article className="stack">
      <h1>Rank {category}</h1>
      <section className="card stack">
        <h2>Your ranking</h2>
        {mine.data && <p className="muted">This is your current ranking. Submitting again replaces it.</p>}
        <RankList items={items} order={current} onChange={setOrder} />
        <Button onClick={() => submit.mutate(current)} disabled={submit.isPending}>
          Submit my ranking
        </Button>
        {submit.isSuccess && (
          <Notice tone="ok" role="status">
            Your ranking is in. You can change it and submit again.
          </Notice>
        )}
        {submit.error && (
          <Notice tone="bad" role="alert">
            {submit.error instanceof ApiError ? submit.error.message : 'Could not submit. Please try again.'}
          </Notice>
        )}
      </section>
      <section className="card" aria-labelledby="live-heading">
        <h2 id="live-heading">Live stats {stats.data && <span className="num">({stats.data.rankers} rankers)</span>}</h2>
        {stats.error && <Notice tone="bad">Could not load the stats: {stats.error.message}</Notice>}
        {stats.data && (
          <div className="table-wrap">
            <table data-testid="category-stats">
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">Borda</th>
                  <th scope="col">Avg. position (95 %)</th>
                  <th scope="col">Rankers</th>
                </tr>
              </thead>
              <tbody>
                {stats.data.items.map((item) => (
                  <tr key={item.productId}>
                    <td>
                      <Link to={`/products/${item.slug}`}>{item.name}</Link>
                    </td>
                    <td>{item.bordaScore}</td>
                    <td>
                      {formatAverage(item)}
                      {formatInterval(item) && <small className="muted"> ({formatInterval(item)})</small>}
                    </td>
                    <td>{item.rankers}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </article>
  );
}
