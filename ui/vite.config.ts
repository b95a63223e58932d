/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The Tauri dev server must keep a fixed port: tauri.conf.json's devUrl points at it.
const DEV_PORT = 5173;

export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  server: {
    port: DEV_PORT,
    strictPort: true,
    host: "127.0.0.1",
    watch: { ignored: ["**/src-tauri/**"] },
  },
  build: {
    // The oldest engines the app runs in: WebKitGTK 2.40 (Debian 12; the WebKit of Safari 16.4)
    // and WebView2 (Chromium, evergreen). Naming them, rather than "es2021", matters most for the
    // CSS: for an ES2021-era Safari the minifier rewrites every logical property of Ant Design's
    // stylesheet (margin-inline-start …) into :lang()/direction fallbacks, which made it 1.8 MB
    // instead of 1.0 MB and slowed every style recalculation.
    target: ["chrome107", "safari16.4"],
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    restoreMocks: true,
    // jsdom plus Ant Design is slow to boot on a busy machine; this is a hang guard, not a speed target.
    testTimeout: 90_000,
  },
});
