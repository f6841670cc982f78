// PM2, cluster mode: pm2 start deploy/pm2/ecosystem.config.cjs, then pm2 reload stampede for a
// restart without downtime. Run it from the repository root after npm run build, with the
// settings (DATABASE_URL, REDIS_URL, JWT_SECRET, ...) in the environment. Stampede sends
// 'ready' once it listens (migrations done), which wait_ready waits for before PM2 stops the
// next old process.
module.exports = {
  apps: [
    {
      name: 'stampede',
      script: 'dist/main.js',
      args: 'start',
      exec_mode: 'cluster',
      instances: 'max',
      wait_ready: true,
      // How long a new process may take to send 'ready' (migrations included).
      listen_timeout: 60000,
      // SIGTERM, then this long to drain before SIGKILL: above SHUTDOWN_TIMEOUT_MS (10 s).
      kill_timeout: 15000,
      max_memory_restart: '512M',
      env: {
        NODE_ENV: 'production',
      },
    },
  ],
};
