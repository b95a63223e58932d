import { createContext, useContext } from "react";
import type { FontSize, SetupStatus } from "../lib/ipc";

/** What the frame shares with the pages: the profile, and the window-wide text size. */
export interface Shell {
  /** The last answer of `setup_status`; undefined while it loads. */
  setup: SetupStatus | undefined;
  /** Reads the profile again (after login or logout) and shows setup or the queue. */
  refreshSetup: () => void;
  fontSize: FontSize;
  setFontSize: (size: FontSize) => void;
}

export const ShellContext = createContext<Shell>({
  setup: undefined,
  refreshSetup: () => {},
  fontSize: "normal",
  setFontSize: () => {},
});

export function useShell(): Shell {
  return useContext(ShellContext);
}

/** Base font size in px for each setting (Ant Design derives the rest from it). */
export const FONT_PX: Record<FontSize, number> = { normal: 14, large: 16, larger: 18 };

export const FONT_LABELS: Record<FontSize, string> = { normal: "标准", large: "大", larger: "特大" };
