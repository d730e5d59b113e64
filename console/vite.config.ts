import { defineConfig, type Plugin } from "vite";

// The console lives under /console/ on the local stack; a static host may serve it elsewhere
// (CONSOLE_BASE=/ npm run build). Deep links need the host to answer unknown paths with index.html.
const base = process.env.CONSOLE_BASE ?? "/console/";
// `npm run dev` serves the console with live reload and passes everything else (the API and the
// local stack's config.json) to a running `make run`.
const localStack = process.env.WACHANNEL_API_URL ?? "http://127.0.0.1:3000";

// Scripts and styles from the console itself only. The API may live on another origin (config.json's
// api_url, https when deployed); media comes from signed https URLs. Only in the build: the dev server
// injects styles inline for live reload.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // Uploads go to the media bucket's signed https URL; the local stack's gateway adds its own bucket's
  // loopback origin when it serves index.html (infra/local/console.py).
  "connect-src 'self' https:",
  "img-src 'self' data: https:",
  "media-src 'self' https:",
  "style-src 'self'",
  "script-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join("; ");

const contentSecurityPolicy: Plugin = {
  name: "content-security-policy",
  apply: "build",
  transformIndexHtml: () => [
    {
      tag: "meta",
      attrs: { "http-equiv": "Content-Security-Policy", content: CONTENT_SECURITY_POLICY },
      injectTo: "head-prepend",
    },
  ],
};

export default defineConfig({
  base,
  plugins: [contentSecurityPolicy],
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, assetsInlineLimit: 0 },
  server: {
    proxy: {
      [`^(?!${base})`]: { target: localStack },
      [`${base}config.json`]: { target: localStack },
    },
  },
});
