import { DesktopOutlined } from "@ant-design/icons";
import { Alert, Button, Divider, Typography } from "antd";
import { useState } from "react";
import * as ipc from "../../lib/ipc";
import { ConnectForm } from "./ConnectForm";
import "./SetupPage.css";

export interface SetupPageProps {
  status: ipc.SetupStatus;
  /** Setup answered (logged in, or 离线试用 chosen): show the main window. */
  onDone: () => void;
}

/**
 * The first run: connect to the organ's server and log in, or try it out offline. One
 * short screen; every choice can be changed later in 设置.
 */
export function SetupPage({ status, onDone }: SetupPageProps) {
  const [offlineBusy, setOfflineBusy] = useState(false);
  const [offlineError, setOfflineError] = useState<string>();
  const loggedOut = status.profile === "server";

  const tryOffline = async () => {
    setOfflineBusy(true);
    setOfflineError(undefined);
    try {
      await ipc.startOffline();
      onDone();
    } catch (raw) {
      setOfflineError(ipc.CommandError.from(raw).message);
    } finally {
      setOfflineBusy(false);
    }
  };

  return (
    <main className="gw-setup" data-testid="setup-page">
      <section className="gw-setup-card" aria-labelledby="gw-setup-title">
        <header className="gw-setup-brand">
          <span className="gw-brand-seal" aria-hidden="true">
            公
          </span>
          <div>
            <h1 id="gw-setup-title" className="gw-setup-title">
              {loggedOut ? "重新登录公文通" : "欢迎使用公文通"}
            </h1>
            <Typography.Text type="secondary">
              {loggedOut
                ? "已退出登录。本机的公文和未同步的修改都已保留，登录后继续同步。"
                : "连接本单位的公文服务器并登录，即可查看待办、起草和办理公文。"}
            </Typography.Text>
          </div>
        </header>
        <ConnectForm initialServer={status.serverUrl} initialCaFile={status.caFile} onLoggedIn={onDone} />
        <Divider plain className="gw-setup-or">
          或
        </Divider>
        {offlineError && <Alert type="error" showIcon title={offlineError} style={{ marginBottom: 12 }} />}
        <Button block icon={<DesktopOutlined />} onClick={tryOffline} loading={offlineBusy} data-testid="setup-offline">
          离线试用
        </Button>
        <Typography.Paragraph type="secondary" className="gw-setup-note">
          离线试用时，公文只保存在本机；以后可在“设置 · 服务器”中登录，已有的草稿会一并同步。
        </Typography.Paragraph>
      </section>
    </main>
  );
}
