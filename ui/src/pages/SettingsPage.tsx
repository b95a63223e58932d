import { Flex } from "antd";
import { useShell } from "../layout/shell";
import type { StoreInfo } from "../lib/ipc";
import type { Polled } from "../lib/usePolled";
import { AboutSection, AccountSection, DisplaySection, PrintSection, ServerSection, SyncSection, useSettings } from "./settings/sections";

export interface SettingsPageProps {
  info: Polled<StoreInfo>;
}

/** 设置: 服务器 · 账户 · 打印 · 同步 · 显示与提醒 · 关于. Every change is saved at once. */
export function SettingsPage({ info }: SettingsPageProps) {
  const { setup } = useShell();
  const settings = useSettings();
  return (
    <Flex vertical gap={16} className="gw-settings" data-testid="settings-page">
      <ServerSection setup={setup} />
      <AccountSection setup={setup} info={info.data} />
      <PrintSection settings={settings} />
      <SyncSection settings={settings} setup={setup} />
      <DisplaySection settings={settings} />
      <AboutSection info={info.data} />
    </Flex>
  );
}
