import { Space, Tooltip, Typography } from "antd";
import type { CommandError, SyncStatus } from "../lib/ipc";
import { formatListTime } from "../lib/format";
import "./StatusBar.css";

export interface StatusBarProps {
  status: SyncStatus | undefined;
  error: CommandError | undefined;
  /** The local user's name, once known. */
  user: string | undefined;
}

/**
 * The line at the bottom of every screen: connection state, the outbox, and who works here.
 * It always says 在线 or 离线 and how many changes wait to sync, even before the first answer
 * arrives or when the store cannot be read (then it says so instead of a stale number).
 */
export function StatusBar({ status, error, user }: StatusBarProps) {
  const online = !error && (status?.online ?? false);

  return (
    <footer className="gw-statusbar" role="status" aria-label="状态栏">
      <Space size={6} separator={<span className="gw-statusbar-sep">·</span>}>
        {online ? (
          <span className="gw-statusbar-online" data-testid="connection">
            ● 在线
          </span>
        ) : (
          <Tooltip title="联网并登录服务器后，待同步的更改会自动上传">
            <span className="gw-statusbar-offline" data-testid="connection">
              ○ 离线
            </span>
          </Tooltip>
        )}
        {!online && !error && <span>离线工作中，联网后自动同步</span>}
        {status &&
          !error &&
          (status.lastSyncedAt ? <span>已同步 {formatListTime(status.lastSyncedAt)}</span> : <span>尚未同步</span>)}
        <span data-testid="pending">待同步 {error ? "—" : status ? status.pending : "…"}</span>
        {error && <Typography.Text type="danger">{error.message}</Typography.Text>}
      </Space>
      <span className="gw-statusbar-user" data-testid="account">
        {user ? `${user} · 未登录服务器` : "未登录服务器"}
      </span>
    </footer>
  );
}
