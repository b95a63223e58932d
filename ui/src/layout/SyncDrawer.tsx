import { Alert, App, Button, Drawer, Empty, Flex, List, Popconfirm, Skeleton, Tag, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import * as ipc from "../lib/ipc";
import { formatDateTime, formatListTime } from "../lib/format";

export interface SyncDrawerProps {
  open: boolean;
  onClose: () => void;
  status: ipc.SyncStatus | undefined;
  /** After 重试 or 放弃: the counts and queues changed. */
  onChanged: () => void;
}

/**
 * 同步详情: what waits to be sent, and what the server refused with its reason. A refused
 * action keeps the text the user typed; 重试 applies it again, 放弃 drops it (after confirming).
 */
export function SyncDrawer({ open, onClose, status, onChanged }: SyncDrawerProps) {
  const { message } = App.useApp();
  const [pending, setPending] = useState<ipc.OutboxRow[]>();
  const [rejected, setRejected] = useState<ipc.RejectedRow[]>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<number>();

  const load = useCallback(() => {
    Promise.all([ipc.outbox(), ipc.rejectedActions()])
      .then(([rows, refused]) => {
        setPending(rows.filter((r) => r.state === "pending"));
        setRejected(refused);
        setError(undefined);
      })
      .catch((raw: unknown) => setError(ipc.CommandError.from(raw).message));
  }, []);

  useEffect(() => {
    if (open) load();
  }, [open, load]);

  const handle = async (seq: number, what: "retry" | "discard") => {
    setBusy(seq);
    try {
      if (what === "retry") {
        const result = await ipc.retryRejected(seq);
        message.success(`已重新提交${result.action}，待同步`);
      } else {
        await ipc.discardRejected(seq);
        message.success("已放弃该操作");
      }
      onChanged();
    } catch (raw) {
      message.error(ipc.CommandError.from(raw).message);
    } finally {
      setBusy(undefined);
      load();
    }
  };

  return (
    <Drawer open={open} onClose={onClose} title="同步详情" size={520}>
      <Flex vertical gap={16}>
        <Alert
          type={status?.online ? "success" : "info"}
          showIcon
          title={status?.online ? "在线" : "离线工作中"}
          description={
            status?.lastSyncedAt
              ? `上次同步：${formatDateTime(status.lastSyncedAt)}`
              : "尚未与服务器同步。本机的办理和修改都已保存，联网并登录服务器后自动上传。"
          }
        />
        {error && <Alert type="error" showIcon title={error} />}
        <div>
          <Typography.Title level={5}>被服务器拒绝的操作</Typography.Title>
          {!rejected ? (
            <Skeleton active paragraph={{ rows: 2 }} />
          ) : rejected.length === 0 ? (
            <Typography.Text type="secondary">没有被拒绝的操作。</Typography.Text>
          ) : (
            <List
              dataSource={rejected}
              data-testid="rejected-list"
              renderItem={(r) => (
                <List.Item
                  actions={[
                    <Button key="retry" size="small" type="primary" loading={busy === r.seq} onClick={() => void handle(r.seq, "retry")}>
                      重试
                    </Button>,
                    <Popconfirm
                      key="discard"
                      title="确定放弃这个操作吗？"
                      description="放弃后这次办理不会再提交（记录会保留在审计日志中）。"
                      okText="放弃"
                      okButtonProps={{ danger: true }}
                      cancelText="取消"
                      onConfirm={() => handle(r.seq, "discard")}
                    >
                      <Button size="small" danger disabled={busy === r.seq}>
                        放弃
                      </Button>
                    </Popconfirm>,
                  ]}
                >
                  <List.Item.Meta
                    title={
                      <span>
                        <Tag color="red">{r.actionLabel}</Tag>
                        {r.title ?? "（公文已不在本机）"}
                      </span>
                    }
                    description={
                      <>
                        <div>
                          <Typography.Text type="danger">原因：{r.reason}</Typography.Text>
                        </div>
                        {r.opinion && <div>您填写的意见：{r.opinion}</div>}
                        <Typography.Text type="secondary">
                          办理于 {formatListTime(r.createdAt)}，被拒绝于 {formatListTime(r.rejectedAt)}
                        </Typography.Text>
                      </>
                    }
                  />
                </List.Item>
              )}
            />
          )}
        </div>
        <div>
          <Typography.Title level={5}>待同步（{pending?.length ?? "…"}）</Typography.Title>
          {!pending ? (
            <Skeleton active paragraph={{ rows: 2 }} />
          ) : pending.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="所有更改都已同步" />
          ) : (
            <List
              size="small"
              dataSource={pending}
              renderItem={(r) => (
                <List.Item>
                  <Flex justify="space-between" style={{ width: "100%" }}>
                    <span>
                      第 {r.seq} 号 · {r.label}
                    </span>
                    <Typography.Text type="secondary">{formatListTime(r.createdAt)}</Typography.Text>
                  </Flex>
                </List.Item>
              )}
            />
          )}
        </div>
      </Flex>
    </Drawer>
  );
}
