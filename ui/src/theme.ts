import { theme, type ThemeConfig } from "antd";

/** 深蓝 for actions and selection; the seal red is kept for urgency and the logo only. */
export const PRIMARY = "#1f4a87";
export const SIDER_BG = "#132b4f";
export const SEAL_RED = "#b71c1c";

const FONT_FAMILY = [
  '"Noto Sans CJK SC"',
  '"Source Han Sans SC"',
  '"Microsoft YaHei"',
  '"PingFang SC"',
  '"WenQuanYi Micro Hei"',
  "sans-serif",
].join(", ");

/** Calm and dense: compact spacing so a 1366×768 screen shows a full page of 待办. */
export const appTheme: ThemeConfig = {
  algorithm: theme.compactAlgorithm,
  token: {
    colorPrimary: PRIMARY,
    colorInfo: PRIMARY,
    colorError: "#c62828",
    colorWarning: "#d46b08",
    colorSuccess: "#389e0d",
    borderRadius: 4,
    fontFamily: FONT_FAMILY,
    fontSize: 14,
  },
  components: {
    Layout: {
      siderBg: SIDER_BG,
      headerBg: "#ffffff",
      bodyBg: "#f3f5f8",
      headerHeight: 52,
      headerPadding: "0 20px",
    },
    Menu: {
      darkItemBg: SIDER_BG,
      darkSubMenuItemBg: SIDER_BG,
      darkItemSelectedBg: PRIMARY,
      darkItemColor: "rgba(255, 255, 255, 0.78)",
      itemHeight: 40,
    },
    Table: {
      headerBg: "#f5f7fa",
    },
  },
};
