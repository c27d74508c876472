import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The Maven build runs `npm run build`; the output lands directly in the jar's
// classes directory so the server finds it on the classpath at syslens/dashboard/.
export default defineConfig({
  plugins: [react()],
  // Relative asset URLs: the server may mount the dashboard at any path.
  base: './',
  build: {
    outDir: 'target/classes/syslens/dashboard',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        // Long-lived vendor chunks; ECharts is only reached from the lazily loaded node-detail page.
        manualChunks(id: string) {
          const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(id);
          if (!m) return undefined;
          const pkg = m[1];
          if (pkg === 'echarts' || pkg === 'zrender') return 'echarts';
          if (pkg === 'react' || pkg === 'react-dom' || pkg === 'scheduler') return 'react';
          if (pkg === 'i18next' || pkg === 'react-i18next') return 'i18n';
          // Everything else (Ant Design and its parts) is left to the bundler, which puts each module
          // in the chunk of the routes that use it: the first page no longer loads every component.
          return undefined;
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: process.env.SYSLENS_DEV_SERVER ?? 'http://127.0.0.1:9090', ws: true, changeOrigin: true, secure: false },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
  },
});
