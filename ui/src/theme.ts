import { theme, type ThemeConfig } from "antd";

/** 深蓝 for actions and selection; the seal red is kept for urgency and the logo only. */
export const PRIMARY = "#1f4a87";
export const SIDER_BG = "#132b4f";
export const SEAL_RED = "#b71c1c";

/**
 * Page backgrounds the text is drawn on: the content area, the status bar and table headers
 * (the cards and inputs are white).
 */
export const BODY_BG = "#f3f5f8";
export const STATUS_BAR_BG = "#eef1f5";
export const TABLE_HEADER_BG = "#f5f7fa";

/** The navigation's text on {@link SIDER_BG}. */
export const SIDER_TEXT = "rgba(255, 255, 255, 0.78)";

/**
 * Status colours, as text. Every one reads at WCAG AA (4.5:1) on white and on the light
 * backgrounds above (theme.test.ts checks them): Ant Design's stock green #389e0d, orange
 * #d46b08 and greys at 45 % or 25 % black do not, so these are one shade darker.
 */
export const STATUS = {
  /** 在线, 已保存, 已同步 */
  ok: "#237804",
  /** 即将超期, lint warnings */
  warning: "#ad4e00",
  /** 超期, errors, 被退回 */
  error: "#c62828",
  /** 离线, hints, placeholders */
  muted: "rgba(0, 0, 0, 0.6)",
} as const;

const FONT_FAMILY = [
  '"Noto Sans CJK SC"',
  '"Source Han Sans SC"',
  '"Microsoft YaHei"',
  '"PingFang SC"',
  '"WenQuanYi Micro Hei"',
  "sans-serif",
].join(", ");

/** The font tokens Ant Design derives from a base size (sizes, line heights, heights). */
const FONT_TOKENS = [
  "fontSize",
  "fontSizeSM",
  "fontSizeLG",
  "fontSizeXL",
  "fontSizeHeading1",
  "fontSizeHeading2",
  "fontSizeHeading3",
  "fontSizeHeading4",
  "fontSizeHeading5",
  "lineHeight",
  "lineHeightSM",
  "lineHeightLG",
  "lineHeightHeading1",
  "lineHeightHeading2",
  "lineHeightHeading3",
  "lineHeightHeading4",
  "lineHeightHeading5",
] as const satisfies readonly (keyof MapToken)[];

type MapToken = ReturnType<typeof theme.defaultAlgorithm>;

/**
 * Compact spacing with the text at the chosen size. Ant Design's compact algorithm also
 * drops the text one step (its body text is the seed's small size: 14 → 12 px, and 18 →
 * 14 px, so 设置 · 字号 barely changed anything); this keeps its spacing and control
 * heights and puts back the font tokens the default algorithm derives from the seed.
 */
const compactSpacing: NonNullable<ThemeConfig["algorithm"]> = (seed, map) => {
  const compact = theme.compactAlgorithm(seed, map);
  const fonts = theme.defaultAlgorithm(seed);
  return { ...compact, ...Object.fromEntries(FONT_TOKENS.map((key) => [key, fonts[key]])) };
};

/** Calm and dense: compact spacing so a 1366×768 screen shows a full page of 待办. */
export const appTheme: ThemeConfig = {
  // The components' styles come from Ant Design's prebuilt stylesheet (imported in main.tsx)
  // instead of being generated in JavaScript at start-up; the tokens below still apply, as
  // CSS variables.
  zeroRuntime: true,
  algorithm: compactSpacing,
  token: {
    colorPrimary: PRIMARY,
    colorInfo: PRIMARY,
    colorError: STATUS.error,
    colorWarning: STATUS.warning,
    colorSuccess: STATUS.ok,
    // The tints of status tags and alerts stay light (derived from the darker colours above
    // they would be muddy and cut the contrast of their text).
    colorSuccessBg: "#f6ffed",
    colorSuccessBorder: "#b7eb8f",
    colorWarningBg: "#fff7e6",
    colorWarningBorder: "#ffd591",
    colorErrorBg: "#fff2f0",
    colorErrorBorder: "#ffccc7",
    // Secondary text, descriptions and placeholders (which label the filters) must stay
    // readable: Ant Design's 45 % and 25 % black are below 4.5:1 on white.
    colorTextTertiary: STATUS.muted,
    colorTextDescription: STATUS.muted,
    colorTextPlaceholder: "rgba(0, 0, 0, 0.56)",
    // The 加急 tag's palette is derived from this seed: one shade darker than the stock one
    // so its text reads at 4.5:1 on its tint.
    orange: "#d46b08",
    borderRadius: 4,
    fontFamily: FONT_FAMILY,
    fontSize: 14,
  },
  components: {
    Layout: {
      siderBg: SIDER_BG,
      headerBg: "#ffffff",
      bodyBg: BODY_BG,
      headerHeight: 52,
      headerPadding: "0 20px",
    },
    Menu: {
      darkItemBg: SIDER_BG,
      darkSubMenuItemBg: SIDER_BG,
      darkItemSelectedBg: PRIMARY,
      darkItemColor: SIDER_TEXT,
      itemHeight: 40,
    },
    Table: {
      headerBg: TABLE_HEADER_BG,
    },
  },
};
