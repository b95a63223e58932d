/**
 * Files dropped on the window. Tauri intercepts drag-and-drop (the webview never sees the
 * files' paths) and reports the dropped paths as an event; this wraps that event so pages
 * need not know about Tauri. Outside Tauri (tests, a plain browser) nothing is reported.
 */
import { getCurrentWebview } from "@tauri-apps/api/webview";

export type DropState = { kind: "over" } | { kind: "leave" } | { kind: "drop"; paths: string[] };

/** Calls `handler` on drag-over, leave and drop; returns the function that stops listening. */
export async function onFileDrop(handler: (state: DropState) => void): Promise<() => void> {
  try {
    return await getCurrentWebview().onDragDropEvent((event) => {
      const p = event.payload;
      if (p.type === "over" || p.type === "enter") handler({ kind: "over" });
      else if (p.type === "leave") handler({ kind: "leave" });
      else if (p.type === "drop") handler({ kind: "drop", paths: p.paths });
    });
  } catch {
    return () => {};
  }
}
