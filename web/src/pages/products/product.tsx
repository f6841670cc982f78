// A product: its details, its ranking stats (live from board:ranking:<category>), its views, and
// where I ranked it. Opening the page signed in counts a view (the API counts a signed-in GET).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, ApiError, call } from '../../api/client';
import { formatAverage, formatInterval, productKeys, useMyRanking, type CategoryRanking, type ProductPage } from '../../api/products';
import { session } from '../../api/session';
import { Notice, Time } from '../../components/ui';
import { useStore } from '../../lib/store';
import { useLive } from '../../live/hooks';

export default function ProductPageView() {
  const { id = '' } = useParams();
  const signedIn = useStore(session) !== null;
  const queryClient = useQueryClient();
  const page = useQuery({
    queryKey: productKeys.product(id),
    queryFn: () => call(api.GET('/api/products/{id}', { params: { path: { id } } })),
    // A missing product stays missing; asking again would not help.
    retry: (count, error) => !(error instanceof ApiError && error.problem.status === 404) && count < 1,
  });
  const product = page.data?.product;
  const category = product?.category ?? '';
  const views = useQuery({
    queryKey: productKeys.views(id),
    enabled: product !== undefined,
    queryFn: async () => {
      // The signed-in GET above counts my view off its answer's path; POST answers once that
      // batch has committed (deduplicated, so it never counts twice), so the count includes me.
      if (signedIn) await api.POST('/api/products/{id}/views', { params: { path: { id } } });
      return call(api.GET('/api/products/{id}/views', { params: { path: { id } } }));
    },
  });
  const mine = useMyRanking(category, signedIn);
  useLive<CategoryRanking>(category ? `board:ranking:${category}` : null, 'ranking-stats', (next) => {
    const item = product && next.category === category ? next.items.find((entry) => entry.productId === product.id) : undefined;
    if (!item) return;
    const { bordaScore, averagePosition, rankers, confidenceInterval } = item;
    queryClient.setQueryData<ProductPage>(
      productKeys.product(id),
      (old) => old && { ...old, stats: { bordaScore, averagePosition, rankers, confidenceInterval } },
    );
  });

  if (page.isPending) return <p>Loading the product…</p>;
  if (page.error) {
    const missing = page.error instanceof ApiError && page.error.problem.status === 404;
    return (
      <Notice tone="bad" role="alert">
        {missing ? 'There is no such product. It may have been removed.' : `Could not load the product: ${page.error.message}`}{' '}
        <Link to="/products">Back to the products</Link>
      </Notice>
    );
  }
  const { product: shown, stats } = page.data;
  const attributes = Object.entries(shown.attributes);
  const myPosition = mine.data ? mine.data.indexOf(shown.id) : -1;
  const rankPath = `/rankings/${encodeURIComponent(shown.category)}`;

  return (
    <article className="stack">
      <p>
        <Link to="/products">← Products</Link>
      </p>
      <h1>{shown.name}</h1>
      <p className="row muted">
        {shown.brand && <span>{shown.brand}</span>}
        <Link to={`/products?category=${encodeURIComponent(shown.category)}`}>{shown.category}</Link>
        <span>
          added <Time at={shown.createdAt} />
        </span>
      </p>
      {shown.imageUrl && <img className="product-image" src={shown.imageUrl} alt={shown.name} width={320} height={240} />}
      {attributes.length > 0 && (
        <dl className="attributes">
          {attributes.map(([name, value]) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
            </div>
          ))}
        </dl>
      )}

      <section className="card" aria-labelledby="stats-heading">
        <h2 id="stats-heading">Ranking in {shown.category}</h2>
        <div className="stats" data-testid="product-stats">
          <p className="stat">
            Borda score <strong>{stats.bordaScore}</strong>
          </p>
          <p className="stat">
            Average position <strong>{formatAverage(stats)}</strong>
            {formatInterval(stats) && <small className="muted">95 %: {formatInterval(stats)}</small>}
          </p>
          <p className="stat">
            Rankers <strong>{stats.rankers}</strong>
          </p>
          <p className="stat">
            Views <strong>{views.data?.views ?? '–'}</strong>
          </p>
        </div>
        <p className="muted">Views count each person once per 30 minutes. For what is hot today, sort the products by Trending.</p>
      </section>

      <section className="card stack" aria-labelledby="mine-heading">
        <h2 id="mine-heading">Your ranking</h2>
        {!signedIn ? (
          <p>
            <Link to="/signin" state={{ from: `/products/${id}` }}>
              Sign in
            </Link>{' '}
            to rank {shown.category}.
          </p>
        ) : mine.isPending ? (
          <p>Loading your ranking…</p>
        ) : mine.error ? (
          <p>Your ranking could not be loaded: {mine.error.message}</p>
        ) : myPosition >= 0 ? (
          <p data-testid="my-position">
            You ranked it <strong className="num">#{myPosition + 1}</strong> of {mine.data!.length} in {shown.category}.
          </p>
        ) : (
          <p>You have not ranked it yet.</p>
        )}
        {signedIn && <Link to={rankPath}>Rank {shown.category}</Link>}
      </section>
    </article>
  );
}
