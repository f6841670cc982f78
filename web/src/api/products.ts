// Products, category rankings and the activity log: query keys, types and the live patch of a
// category's ranking stats from `board:ranking:<category>`.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useLive } from '../live/hooks';
import { api, call } from './client';
import type { operations } from './schema';

type Json<Op extends keyof operations> = operations[Op] extends { responses: { 200: { content: { 'application/json': infer Body } } } }
  ? Body
  : never;
export type ProductPage = Json<'getProduct'>;
export type Product = ProductPage['product'];
export type RankingStats = ProductPage['stats'];
export type CategoryRanking = Json<'getCategoryRanking'>;
export type ActivityPage = Json<'listMyActivity'>;
export const SORTS = ['relevance', 'name', 'newest', 'top', 'trending'] as const;
export type Sort = (typeof SORTS)[number];

export const productKeys = {
  list: (search: { q?: string; category?: string; sort?: Sort; offset: number }) => ['products', search] as const,
  product: (id: string) => ['product', id] as const,
  views: (id: string) => ['product', id, 'views'] as const,
  category: (category: string) => ['ranking', category] as const,
  myRanking: (category: string) => ['ranking', category, 'me'] as const,
  activity: ['activity'] as const,
};

/** A category's ranking stats, replaced live by `ranking-stats` on `board:ranking:<category>`. */
export function useCategoryRanking(category: string) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: productKeys.category(category),
    queryFn: () => call(api.GET('/api/rankings/{category}', { params: { path: { category } } })),
  });
  useLive<CategoryRanking>(`board:ranking:${category}`, 'ranking-stats', (next) => {
    if (next.category === category) queryClient.setQueryData(productKeys.category(category), next);
  });
  return query;
}

/** My current ranking of a category (null before the first one); only when signed in. */
export function useMyRanking(category: string, signedIn: boolean) {
  return useQuery({
    queryKey: productKeys.myRanking(category),
    enabled: signedIn && category !== '',
    queryFn: async () => (await call(api.GET('/api/rankings/{category}/me', { params: { path: { category } } }))).order,
  });
}

/** "3.2", an average position, or a dash before anyone ranked it. */
export const formatAverage = (stats: Pick<RankingStats, 'averagePosition'>): string => stats.averagePosition?.toFixed(1) ?? '–';

/** "2.1–4.3", the 95 % interval of the average position, or null below 2 rankers. */
export const formatInterval = ({ confidenceInterval: interval }: Pick<RankingStats, 'confidenceInterval'>): string | null =>
  interval && `${interval.low.toFixed(1)}–${interval.high.toFixed(1)}`;
