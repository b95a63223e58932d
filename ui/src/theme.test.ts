/// <reference types="node" />
import { readFileSync } from "node:fs";
import { theme } from "antd";
import { describe, expect, it } from "vitest";
import { AA_LARGE, AA_NORMAL, contrastRatio, parseColor } from "./lib/contrast";
import { appTheme, BODY_BG, PRIMARY, SIDER_BG, SIDER_TEXT, STATUS, STATUS_BAR_BG, TABLE_HEADER_BG } from "./theme";

/** The tokens Ant Design derives from the app's theme: what the components really use. */
const token = theme.getDesignToken(appTheme);
const WHITE = "#ffffff";
const LIGHT_BACKGROUNDS = { white: WHITE, body: BODY_BG, "table header": TABLE_HEADER_BG, "status bar": STATUS_BAR_BG };

/** `color: …` of the first rule for `selector` in a stylesheet of the UI (path from src/). */
function cssColor(file: string, selector: string, property = "color"): string {
  const here = import.meta.url.slice(0, import.meta.url.lastIndexOf("/") + 1);
  const css = readFileSync(new URL(file, here), "utf8");
  const escaped = selector.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const rule = new RegExp(`${escaped}\\s*\\{([^}]*)\\}`).exec(css);
  if (!rule) throw new Error(`${selector} is not in ${file}`);
  const value = new RegExp(`(?:^|;|\\s)${property}:\\s*([^;]+);`).exec(rule[1]);
  if (!value) throw new Error(`${selector} in ${file} sets no ${property}`);
  return value[1].trim();
}

describe("contrast arithmetic", () => {
  it("matches the WCAG reference values", () => {
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#ffffff", "#ffffff")).toBeCloseTo(1, 5);
    // #767676 is the lightest grey that passes AA on white.
    expect(contrastRatio("#767676", "#ffffff")).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio("#777777", "#ffffff")).toBeLessThan(4.5);
    // Translucent text is composited over the background first.
    expect(contrastRatio("rgba(0, 0, 0, 0.5)", "#ffffff")).toBeCloseTo(contrastRatio("#808080", "#ffffff"), 1);
    expect(parseColor("#fff")).toEqual({ r: 255, g: 255, b: 255, a: 1 });
    expect(() => contrastRatio("#000", "rgba(0, 0, 0, 0.5)")).toThrow();
  });
});

describe("the theme's colours meet WCAG AA", () => {
  const texts: Record<string, string> = {
    "body text": token.colorText,
    "secondary text": token.colorTextSecondary,
    "tertiary text": token.colorTextTertiary,
    descriptions: token.colorTextDescription,
    placeholders: token.colorTextPlaceholder,
    links: token.colorLink,
    primary: token.colorPrimary,
    "error text": token.colorErrorText,
    "warning text": token.colorWarningText,
    "success text": token.colorSuccessText,
    "status ok": STATUS.ok,
    "status warning": STATUS.warning,
    "status error": STATUS.error,
    "status muted": STATUS.muted,
  };
  for (const [what, colour] of Object.entries(texts)) {
    for (const [where, background] of Object.entries(LIGHT_BACKGROUNDS)) {
      it(`${what} (${colour}) on the ${where} background (${background})`, () => {
        expect(contrastRatio(colour, background)).toBeGreaterThanOrEqual(AA_NORMAL);
      });
    }
  }

  it("navigation text on the dark sider, and the selected item", () => {
    expect(contrastRatio(SIDER_TEXT, SIDER_BG)).toBeGreaterThanOrEqual(AA_NORMAL);
    expect(contrastRatio("#ffffff", SIDER_BG)).toBeGreaterThanOrEqual(AA_NORMAL);
    expect(contrastRatio("#ffffff", PRIMARY)).toBeGreaterThanOrEqual(AA_NORMAL);
  });

  it("text on filled buttons and badges", () => {
    expect(contrastRatio(token.colorTextLightSolid, token.colorPrimary)).toBeGreaterThanOrEqual(AA_NORMAL);
    expect(contrastRatio(token.colorTextLightSolid, token.colorError)).toBeGreaterThanOrEqual(AA_NORMAL);
  });

  it("the tags' text on their tint (紧急程度 特急/加急, 待同步, 办理中)", () => {
    // The preset colours the app's tags use: text = shade 7 on tint = shade 1.
    const palette = token as unknown as Record<string, string>;
    for (const hue of ["red", "orange", "blue"]) {
      const [text, tint] = [palette[`${hue}7`], palette[`${hue}1`]];
      expect(contrastRatio(text, tint), `${hue} tag ${text} on ${tint}`).toBeGreaterThanOrEqual(AA_NORMAL);
    }
  });

  it("the status tags' text on their tint (已安装, 未安装)", () => {
    expect(contrastRatio(token.colorSuccess, token.colorSuccessBg)).toBeGreaterThanOrEqual(AA_NORMAL);
    expect(contrastRatio(token.colorWarning, token.colorWarningBg)).toBeGreaterThanOrEqual(AA_NORMAL);
    expect(contrastRatio(token.colorError, token.colorErrorBg)).toBeGreaterThanOrEqual(AA_NORMAL);
  });

  it("the page title at its large size", () => {
    expect(contrastRatio(cssColor("layout/AppLayout.css", ".gw-page-title"), BODY_BG)).toBeGreaterThanOrEqual(AA_LARGE);
  });
});

describe("the editor's save state and hints meet WCAG AA on its white header", () => {
  for (const selector of [".gw-save-saved", ".gw-save-clean", ".gw-save-hint", ".gw-drop-hint"]) {
    it(`${selector} text`, () => {
      expect(contrastRatio(cssColor("pages/draft/DraftEditor.css", selector), WHITE)).toBeGreaterThanOrEqual(AA_NORMAL);
    });
  }
  it("the drop hint on the drop zone's tint", () => {
    const zone = cssColor("pages/draft/DraftEditor.css", ".gw-attachments-drop", "background");
    expect(contrastRatio(cssColor("pages/draft/DraftEditor.css", ".gw-drop-hint"), zone)).toBeGreaterThanOrEqual(AA_NORMAL);
  });
});

describe("the status bar's colours meet WCAG AA", () => {
  const bar = cssColor("layout/StatusBar.css", ".gw-statusbar", "background");
  it("uses the status bar background of the theme", () => {
    expect(bar).toBe(STATUS_BAR_BG);
  });
  for (const selector of [".gw-statusbar", ".gw-statusbar-online", ".gw-statusbar-offline"]) {
    it(`${selector} text`, () => {
      expect(contrastRatio(cssColor("layout/StatusBar.css", selector), bar)).toBeGreaterThanOrEqual(AA_NORMAL);
    });
  }
  it("the 被拒绝 badge", () => {
    const badge = ".gw-statusbar-rejected";
    expect(
      contrastRatio(cssColor("layout/StatusBar.css", badge), cssColor("layout/StatusBar.css", badge, "background")),
    ).toBeGreaterThanOrEqual(AA_NORMAL);
  });
});

describe("text size", () => {
  it("draws the body text at the 字号 chosen, with compact spacing", async () => {
    const { FONT_PX } = await import("./layout/shell");
    for (const px of Object.values(FONT_PX)) {
      const t = theme.getDesignToken({ ...appTheme, token: { ...appTheme.token, fontSize: px } });
      expect(t.fontSize).toBe(px);
      expect(t.fontSizeLG).toBeGreaterThan(px);
      // Compact controls: lower than Ant Design's default at the same text size.
      const plain = theme.getDesignToken({ token: { fontSize: px } });
      expect(t.controlHeight).toBeLessThan(plain.controlHeight);
    }
  });
});
