import { CheckCircleOutlined, ClockCircleOutlined } from "@ant-design/icons";
import { Button, Card, Empty, Flex, Progress, Segmented, Skeleton, Table, Tag, Typography } from "antd";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import * as ipc from "../../lib/ipc";
import { formatDateTime, formatListTime } from "../../lib/format";
import "../../components/DocList.css";
import "./Incoming.css";

export interface ReceiptsPageProps {
  reloadKey: number;
  lastSyncedAt: string | null | undefined;
}

type Show = "all" | "unsigned";

/**
 * 回执 for the sender's clerk: every document this organ sent, with each recipient organ
 * (主送 and 抄送) signed or not, who signed and when. Documents still waiting for some
 * recipient come first when 只看未签收 is on.
 */
export function ReceiptsPage({ reloadKey, lastSyncedAt }: ReceiptsPageProps) {
  const [docs, setDocs] = useState<ipc.SentDocumentRow[]>();
  const [error, setError] = useState<ipc.CommandError>();
  const [show, setShow] = useState<Show>("all");
  const generation = useRef(0);

  const load = useCallback(() => {
    const mine = ++generation.current;
    ipc
      .receiptOverview()
      .then((rows) => {
        if (mine !== generation.current) return;
        setDocs(rows);
        setError(undefined);
      })
      .catch((raw: unknown) => {
        if (mine === generation.current) setError(ipc.CommandError.from(raw));
      });
  }, []);

  useEffect(() => {
    load();
  }, [load, reloadKey]);

  const shown = useMemo(() => (docs ?? []).filter((d) => show === "all" || d.signed < d.total), [docs, show]);

  if (error) {
    return (
      <Card variant="borderless" className="gw-card">
        <div className="gw-queue-error">
          <Typography.Text type="danger">{error.message}</Typography.Text>
          <Button size="small" onClick={load}>
            重试
          </Button>
        </div>
      </Card>
    );
  }
  if (!docs) {
    return (
      <Card variant="borderless" className="gw-card" data-testid="receipts-loading">
        <Skeleton active title={false} paragraph={{ rows: 6 }} />
      </Card>
    );
  }

  return (
    <Flex vertical gap={12}>
      <Flex align="center" gap={12}>
        <Segmented<Show>
          value={show}
          onChange={setShow}
          options={[
            { value: "all", label: "全部发文" },
            { value: "unsigned", label: "只看有未签收单位的" },
          ]}
          aria-label="显示范围"
          data-testid="receipts-filter"
        />
        <Typography.Text type="secondary">
          共 {docs.length} 件发文{lastSyncedAt ? `，回执同步于 ${formatListTime(lastSyncedAt)}` : ""}
        </Typography.Text>
      </Flex>
      {shown.length === 0 ? (
        <Card variant="borderless" className="gw-card">
          <Empty
            image={Empty.PRESENTED_IMAGE_SIMPLE}
            description={
              <>
                <div className="gw-empty-title">{docs.length === 0 ? "暂无发文回执" : "所有发文都已签收"}</div>
                <Typography.Text type="secondary">
                  {docs.length === 0
                    ? "本单位核发的公文送达后，各收文单位签收的回执会显示在这里；尚未签收的单位也会列出，便于催收。"
                    : "切换到“全部发文”可查看每份发文的签收情况。"}
                </Typography.Text>
              </>
            }
          />
        </Card>
      ) : (
        shown.map((doc) => <SentDocumentCard key={doc.documentId} doc={doc} />)
      )}
    </Flex>
  );
}

function SentDocumentCard({ doc }: { doc: ipc.SentDocumentRow }) {
  const complete = doc.total > 0 && doc.signed === doc.total;
  return (
    <Card
      variant="borderless"
      className="gw-card gw-receipt-card"
      data-testid="receipt-document"
      data-document-id={doc.documentId}
      title={
        <Flex align="center" gap={8} wrap>
          <span className="gw-receipt-title">{doc.title || "（无标题）"}</span>
          {doc.docNumber && <Typography.Text type="secondary">{doc.docNumber}</Typography.Text>}
        </Flex>
      }
      extra={
        <Flex align="center" gap={8} style={{ minWidth: 200 }}>
          <Progress
            percent={doc.total ? Math.round((doc.signed / doc.total) * 100) : 0}
            size="small"
            showInfo={false}
            status={complete ? "success" : "active"}
            style={{ width: 100, margin: 0 }}
          />
          <Typography.Text strong={!complete} data-testid="receipt-progress">
            已签收 {doc.signed}/{doc.total}
          </Typography.Text>
        </Flex>
      }
      styles={{ body: { padding: 0 } }}
    >
      <Table<ipc.RecipientRow>
        size="small"
        rowKey="organ"
        pagination={false}
        dataSource={doc.recipients}
        locale={{ emptyText: "这份发文没有主送或抄送单位" }}
        onRow={(r) => ({ "data-testid": "receipt-row", "data-state": r.signed ? "signed" : "unsigned" }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: "收文单位", dataIndex: "organ", ellipsis: true },
          {
            title: "签收情况",
            key: "state",
            width: 110,
            render: (_: unknown, r) =>
              r.signed ? (
                <Tag icon={<CheckCircleOutlined />} color="green">
                  已签收
                </Tag>
              ) : (
                <Tag icon={<ClockCircleOutlined />} color="orange">
                  未签收
                </Tag>
              ),
          },
          {
            title: "签收人",
            dataIndex: "signedBy",
            width: 120,
            render: (by: string | null) => <span data-testid={by ? "receipt-signed-by" : undefined}>{by ?? "—"}</span>,
          },
          {
            title: "签收时间",
            dataIndex: "signedAt",
            width: 170,
            render: (at: string | null) => <span data-testid={at ? "receipt-signed-at" : undefined}>{at ? formatDateTime(at) : "—"}</span>,
          },
        ]}
      />
    </Card>
  );
}
