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
    // WebKitGTK 2.40+ (Debian 12) and WebView2 both handle ES2021.
    target: "es2021",
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
