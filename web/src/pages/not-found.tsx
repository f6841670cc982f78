import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <section className="card">
      <h1>Nothing here</h1>
      <p>
        This page does not exist. <Link to="/events">See the events</Link>.
      </p>
    </section>
  );
}
