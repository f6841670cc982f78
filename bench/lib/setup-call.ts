// Setup requests of a scenario (log in, create what it measures, read the final counts). A 503
// from load shedding on a busy shared machine is retried, since setup is not what is measured.
const SETUP_ATTEMPTS = 20;
const SETUP_RETRY_MS = 250;

export async function setupCall<T>(baseUrl: string, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(baseUrl + path, {
      method,
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    if (response.ok) return (text ? JSON.parse(text) : undefined) as T;
    if (response.status !== 503 || attempt === SETUP_ATTEMPTS)
      throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, SETUP_RETRY_MS));
  }
}
