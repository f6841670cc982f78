// Entry: routes, server state and the live connection. Player pages load with the first chunk;
// proof, products, activity, big-screen, organizer and operations pages are separate chunks loaded on demand
// (test/web/bundle-budget.test.ts keeps the first load within 150 kB gzipped).
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { onResync } from './live/socket';
import { Layout } from './pages/layout';
import { EventsPage } from './pages/events';
import { EventPage } from './pages/event';
import { SignInPage } from './pages/sign-in';
import { NotFoundPage } from './pages/not-found';
import './styles/app.css';

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, staleTime: 5_000, refetchOnWindowFocus: true } } });
// After a reconnect, every page refetches its state.
onResync(() => void queryClient.invalidateQueries());

const lazy = (load: () => Promise<{ default: React.ComponentType }>) => async () => ({ Component: (await load()).default });

const router = createBrowserRouter([
  {
    path: '/',
    Component: Layout,
    children: [
      { index: true, element: <Navigate to="/events" replace /> },
      { path: 'signin', Component: SignInPage },
      { path: 'events', Component: EventsPage },
      { path: 'events/:id', Component: EventPage },
      { path: 'events/:id/proof', lazy: lazy(() => import('./pages/lottery-proof')) },
      { path: 'leaderboards', lazy: lazy(() => import('./pages/leaderboards')) },
      { path: 'leaderboards/:board', lazy: lazy(() => import('./pages/leaderboards')) },
      { path: 'sign-in/email', lazy: lazy(() => import('./pages/email-sign-in')) },
      { path: 'products', lazy: lazy(() => import('./pages/products/list')) },
      { path: 'products/:id', lazy: lazy(() => import('./pages/products/product')) },
      { path: 'rankings/:category', lazy: lazy(() => import('./pages/products/rank')) },
      { path: 'me', lazy: lazy(() => import('./pages/profile')) },
      { path: 'me/activity', lazy: lazy(() => import('./pages/activity')) },
      { path: 'polls/:id', lazy: lazy(() => import('./pages/poll')) },
      { path: 'play', lazy: lazy(() => import('./pages/trivia').then((page) => ({ default: page.JoinTrivia }))) },
      { path: 'play/:id', lazy: lazy(() => import('./pages/trivia')) },
      { path: 'organizer', lazy: lazy(() => import('./pages/organizer/console')) },
      { path: 'organizer/trivia', lazy: lazy(() => import('./pages/organizer/trivia')) },
      { path: 'organizer/quizzes', lazy: lazy(() => import('./pages/organizer/quizzes')) },
      { path: 'organizer/quizzes/new', lazy: lazy(() => import('./pages/organizer/quiz-editor')) },
      { path: 'organizer/quizzes/:id', lazy: lazy(() => import('./pages/organizer/quiz-editor')) },
      { path: 'organizer/events/:id', lazy: lazy(() => import('./pages/organizer/event')) },
      { path: 'ops', lazy: lazy(() => import('./pages/ops/dashboard')) },
      { path: '*', Component: NotFoundPage },
    ],
  },
  // Big screens: no header, no sign-in; the URL is the whole configuration.
  { path: '/screen/board/:name', lazy: lazy(() => import('./pages/screen/board')) },
  { path: '/screen/trivia/:pin', lazy: lazy(() => import('./pages/screen/trivia')) },
]);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
