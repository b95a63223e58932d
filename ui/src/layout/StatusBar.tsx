import { Space, Tooltip, Typography } from "antd";
import type { CommandError, SyncStatus } from "../lib/ipc";
import { formatListTime } from "../lib/format";
import "./StatusBar.css";

export interface StatusBarProps {
  status: SyncStatus | undefined;
  error: CommandError | undefined;
  /** Who works here, by name (王芳), once known. */
  user: string | undefined;
  /** Their login (wangfang), in the tooltip when it differs from the name. */
  login?: string;
  /** Actions the server refused (a red badge; click for 同步详情). */
  rejected?: number;
  /** Opens 同步详情. */
  onOpenSync?: () => void;
}

/**
 * The line at the bottom of every screen: connection state, the outbox, and who works here.
 * It always says 在线 or 离线 and how many changes wait to sync, even before the first answer
 * arrives or when the store cannot be read (then it says so instead of a stale number).
 */
export function StatusBar({ status, error, user, login, rejected: rejectedCount, onOpenSync }: StatusBarProps) {
  const rejected = Math.max(rejectedCount ?? 0, status?.rejected ?? 0);
  const online = !error && (status?.online ?? false);
  const syncing = online && status?.state === "同步中";
  const progress = syncing ? status?.progress : null;

  return (
    <footer className="gw-statusbar" role="status" aria-label="状态栏">
      <Space size={6} separator={<span className="gw-statusbar-sep">·</span>}>
        {syncing ? (
          <span className="gw-statusbar-online" data-testid="connection">
            ◐ 同步中{progress ? ` ${progress[0]}/${progress[1]}` : ""}
          </span>
        ) : online ? (
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
        {!error && status?.lastError && status.connected && (
          <Typography.Text type="warning" className="gw-statusbar-lasterror" title={status.lastError}>
            {status.lastError}
          </Typography.Text>
        )}
        {status &&
          !error &&
          (status.lastSyncedAt ? <span>已同步 {formatListTime(status.lastSyncedAt)}</span> : <span>尚未同步</span>)}
        <button type="button" className="gw-statusbar-link" onClick={onOpenSync} title="查看同步详情">
          <span data-testid="pending">待同步 {error ? "—" : status ? status.pending : "…"}</span>
        </button>
        {rejected > 0 && (
          <button type="button" className="gw-statusbar-link gw-statusbar-rejected" onClick={onOpenSync} data-testid="rejected">
            {rejected} 项被服务器拒绝
          </button>
        )}
        {error &&
          (error.code === "store_opening" ? (
            // Not a failure: the window's middle says what is happening.
            <Typography.Text type="secondary">正在准备本机数据…</Typography.Text>
          ) : (
            <Typography.Text type="danger">{error.message}</Typography.Text>
          ))}
      </Space>
      <span className="gw-statusbar-user" data-testid="account" title={login && login !== user ? `用户名：${login}` : undefined}>
        {status?.connected ? (user ?? "") : user ? `${user} · 未登录服务器` : "未登录服务器"}
      </span>
      {progress && progress[1] > 0 && (
        <div className="gw-statusbar-progress" style={{ width: `${Math.min(100, (progress[0] / progress[1]) * 100)}%` }} />
      )}
    </footer>
  );
}
