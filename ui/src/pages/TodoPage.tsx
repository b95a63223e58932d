import { Card, Empty, Table, Tag, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import type { SyncStatus } from "../lib/ipc";
import { formatListTime } from "../lib/format";

/** One row of the 待办 table; filled once the store lists tasks. */
export interface TodoRow {
  id: string;
  urgency: "特急" | "加急" | null;
  title: string;
  unread: boolean;
  docType: string;
  fromOrgan: string;
  step: string;
  receivedAt: string;
  dueAt: string | null;
}

const URGENCY_COLOR: Record<string, string> = { 特急: "red", 加急: "orange" };

const COLUMNS: ColumnsType<TodoRow> = [
  {
    title: "紧急程度",
    dataIndex: "urgency",
    width: 88,
    render: (urgency: TodoRow["urgency"]) =>
      urgency ? <Tag color={URGENCY_COLOR[urgency]}>{urgency}</Tag> : <Typography.Text type="secondary">—</Typography.Text>,
  },
  {
    title: "标题",
    dataIndex: "title",
    ellipsis: true,
    render: (title: string, row) => (row.unread ? <strong>{title}</strong> : title),
  },
  { title: "文种", dataIndex: "docType", width: 72 },
  { title: "来文单位/拟稿单位", dataIndex: "fromOrgan", width: 180, ellipsis: true },
  { title: "当前环节", dataIndex: "step", width: 88 },
  { title: "收到时间", dataIndex: "receivedAt", width: 112, render: (at: string) => formatListTime(at) },
  {
    title: "办理时限",
    dataIndex: "dueAt",
    width: 112,
    render: (at: string | null) => (at ? formatListTime(at) : "—"),
  },
  { title: "操作", key: "action", width: 72, render: () => <Typography.Link>办理</Typography.Link> },
];

export interface TodoPageProps {
  rows: TodoRow[];
  sync: SyncStatus | undefined;
}

/** 待办: what waits for me, drawn from the local store before any network call. */
export function TodoPage({ rows, sync }: TodoPageProps) {
  return (
    <Card variant="borderless" className="gw-card" styles={{ body: { padding: 0 } }}>
      <Table<TodoRow>
        rowKey="id"
        size="middle"
        columns={COLUMNS}
        dataSource={rows}
        pagination={false}
        locale={{
          emptyText: (
            <Empty
              image={Empty.PRESENTED_IMAGE_SIMPLE}
              description={
                <>
                  <div className="gw-empty-title">暂无待办事项</div>
                  <Typography.Text type="secondary">
                    {sync?.lastSyncedAt
                      ? `上次同步：${formatListTime(sync.lastSyncedAt)}`
                      : "尚未与服务器同步；在“设置”中配置服务器并登录后，新的待办会自动出现在这里。"}
                  </Typography.Text>
                </>
              }
            />
          ),
        }}
      />
    </Card>
  );
}
