// The catalogue with search: q, category and sort live in the URL (a search can be shared or
// reloaded), the text fields ask the server once the typing pauses, and the API tolerates typos.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, call } from '../../api/client';
import { productKeys, SORTS, type Sort } from '../../api/products';
import { Button, Field, Notice } from '../../components/ui';
import { useDebounced } from '../../lib/debounce';

const PAGE = 20;
const SORT_LABEL: Record<Sort, string> = { relevance: 'Best match', name: 'Name', newest: 'Newest', top: 'Top ranked', trending: 'Trending' };
const isSort = (value: string | null): value is Sort => SORTS.includes(value as Sort);

function withCategory(params: URLSearchParams, category: string): URLSearchParams {
  const next = new URLSearchParams(params);
  next.set('category', category);
  next.delete('offset');
  return next;
}

export default function ProductsPage() {
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(params.get('q') ?? '');
  const [categoryText, setCategoryText] = useState(params.get('category') ?? '');
  const q = useDebounced(text.trim(), 300);
  const category = useDebounced(categoryText.trim(), 300);
  const rawSort = params.get('sort');
  const sort = isSort(rawSort) && (rawSort !== 'relevance' || q) ? rawSort : undefined;
  const offset = Math.max(0, Number(params.get('offset')) || 0);
  const sortId = useId();

  // The settled text goes into the URL, replacing the entry so Back leaves the search.
  useEffect(() => {
    setParams(
      (old) => {
        const next = new URLSearchParams(old);
        for (const [name, value] of [
          ['q', q],
          ['category', category],
        ] as const) {
          if (value === (old.get(name) ?? '')) continue;
          if (value) next.set(name, value);
          else next.delete(name);
          next.delete('offset');
        }
        return next;
      },
      { replace: true },
    );
  }, [q, category, setParams]);

  const search = { q: q || undefined, category: category || undefined, sort, offset };
  const list = useQuery({
    queryKey: productKeys.list(search),
    placeholderData: keepPreviousData,
    queryFn: () => call(api.GET('/api/products', { params: { query: { ...search, limit: PAGE } } })),
  });

  function setParam(name: string, value: string | undefined) {
    setParams((old) => {
      const next = new URLSearchParams(old);
      if (value) next.set(name, value);
      else next.delete(name);
      if (name !== 'offset') next.delete('offset');
      return next;
    });
  }

  const total = list.data?.total ?? 0;
  return (
    <section className="stack">
      <h1>Products</h1>
      <form className="card search-form" role="search" onSubmit={(event) => event.preventDefault()}>
        <Field label="Search products" type="search" name="q" value={text} maxLength={200} onChange={(event) => setText(event.target.value)} />
        <Field label="Category" name="category" value={categoryText} maxLength={64} onChange={(event) => setCategoryText(event.target.value)} />
        <div className="field">
          <label htmlFor={sortId}>Sort by</label>
          <select id={sortId} value={sort ?? ''} onChange={(event) => setParam('sort', event.target.value || undefined)}>
            <option value="">{q ? SORT_LABEL.relevance : SORT_LABEL.name}</option>
            {SORTS.filter((value) => value !== 'relevance').map((value) => (
              <option key={value} value={value}>
                {SORT_LABEL[value]}
              </option>
            ))}
          </select>
        </div>
      </form>

      {list.isPending && <p>Loading products…</p>}
      {list.error && (
        <Notice tone="bad" role="alert">
          Could not load the products: {list.error.message}
        </Notice>
      )}
      {list.data && (
        <p role="status" className="muted">
          {total === 0 ? '' : `${total} ${total === 1 ? 'product' : 'products'}${q ? ` for “${q}”` : ''}`}
        </p>
      )}
      {list.data && total === 0 && (
        <Notice tone="warn">
          {q ? `No products match “${q}”${category ? ` in ${category}` : ''}. Try fewer or other words.` : 'No products here yet.'}
        </Notice>
      )}
      <ul className="product-list" aria-busy={list.isFetching}>
        {list.data?.items.map(({ product, score }) => (
          <li key={product.id} className="card">
            <h2>
              <Link to={`/products/${product.slug}`}>{product.name}</Link>
            </h2>
            <p className="row muted">
              {product.brand && <span>{product.brand}</span>}
              <Link to={`?${withCategory(params, product.category)}`} onClick={() => setCategoryText(product.category)}>
                {product.category}
              </Link>
              {score !== null && sort === 'top' && <span className="num">{score} points</span>}
              {score !== null && sort === 'trending' && <span className="num">trending {score.toFixed(1)}</span>}
            </p>
          </li>
        ))}
      </ul>
      {total > PAGE && (
        <nav className="row" aria-label="Pages">
          <Button variant="secondary" disabled={offset === 0} onClick={() => setParam('offset', String(Math.max(0, offset - PAGE)))}>
            Previous
          </Button>
          <span className="num">
            {offset + 1}–{Math.min(offset + PAGE, total)} of {total}
          </span>
          <Button variant="secondary" disabled={offset + PAGE >= total} onClick={() => setParam('offset', String(offset + PAGE))}>
            Next
          </Button>
        </nav>
      )}
    </section>
  );
}
