// The ceiling: a bare Fastify route, no plugins, no logger, on the same machine in the same run.
// Runs as its own process so it gets a core of its own, like the Stampede server does.
import Fastify from 'fastify';

const app = Fastify();
app.get('/bare', async () => ({ ok: true }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });

// The bench holds our stdin open; when it goes away, even killed, so do we.
process.stdin.on('end', () => process.exit(0)).resume();
