import { Alert, Button, Card, Empty, Table, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { PersonName } from "../components/personName";
import * as ipc from "../lib/ipc";
import { formatListTime } from "../lib/format";
import { usePolled } from "../lib/usePolled";

/** How many drafts one page shows; a clerk rarely keeps more than a few dozen open. */
export const DRAFTS_PAGE_SIZE = 200;

const COLUMNS: ColumnsType<ipc.DraftRow> = [
  {
    title: "标题",
    dataIndex: "title",
    ellipsis: true,
    render: (title: string) => title || <Typography.Text type="secondary">（未填写标题）</Typography.Text>,
  },
  { title: "文种", dataIndex: "docType", width: 80, render: (t: string | null) => t ?? "—" },
  { title: "发文字号", dataIndex: "docNumber", width: 180, render: (n: string | null) => n ?? "—" },
  { title: "起草人", dataIndex: "createdBy", width: 96, render: (login: string) => <PersonName login={login} /> },
  { title: "最后修改", dataIndex: "updatedAt", width: 120, render: (at: string) => formatListTime(at) },
  { title: "版本", dataIndex: "version", width: 72, render: (v: number) => `第${v}版` },
  { title: "操作", key: "action", width: 64, render: () => <Typography.Link>修改</Typography.Link> },
];

export interface DraftsPageProps {
  pollMs: number;
  onOpen: (draftId: string) => void;
  onNew: () => void;
}

/** 草稿: drafts not yet sent for review, straight from the local store. */
export function DraftsPage({ pollMs, onOpen, onNew }: DraftsPageProps) {
  const drafts = usePolled(() => ipc.listDrafts(DRAFTS_PAGE_SIZE, 0), pollMs);

  if (drafts.error) {
    return <Alert type="error" showIcon title="无法读取草稿" description={drafts.error.message} />;
  }
  return (
    <Card variant="borderless" className="gw-card" styles={{ body: { padding: 0 } }}>
      <Table<ipc.DraftRow>
        rowKey="id"
        size="middle"
        columns={COLUMNS}
        dataSource={drafts.data ?? []}
        loading={drafts.loading && !drafts.data}
        pagination={false}
        rowClassName="gw-row-openable"
        onRow={(row) => ({ onClick: () => onOpen(row.id) })}
        locale={{
          emptyText: (
            <Empty
              image={Empty.PRESENTED_IMAGE_SIMPLE}
              description={
                <>
                  <div className="gw-empty-title">暂无草稿</div>
                  <Typography.Text type="secondary">
                    您起草但尚未送审的公文会保存在这里，离线时也可以继续修改。
                  </Typography.Text>
                </>
              }
            >
              <Button type="primary" onClick={onNew}>
                新建发文（Ctrl+N）
              </Button>
            </Empty>
          ),
        }}
      />
    </Card>
  );
}
