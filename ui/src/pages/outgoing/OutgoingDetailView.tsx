import { ArrowLeftOutlined, CheckCircleOutlined, ClockCircleOutlined } from "@ant-design/icons";
import { Button, Descriptions, Progress, Result, Skeleton, Space, Tag, Tooltip, Typography } from "antd";
import { useCallback, useEffect, useMemo, useState } from "react";
import { URGENCY_COLOR } from "../../components/DocList";
import { PdfPreview } from "../../components/PdfPreview";
import { PrintActions } from "../../components/PrintActions";
import * as ipc from "../../lib/ipc";
import { formatDate, formatDateTime } from "../../lib/format";
import { FlowTimeline } from "../task/FlowTimeline";
import { IssueTag, NumberCell } from "./OutgoingList";
import "../task/TaskPage.css";
import "./Outgoing.css";
import { DETAIL_LABEL_STYLES } from "../../components/detailLabels";

export interface OutgoingDetailViewProps {
  documentId: string;
  onBack: () => void;
}

/** Each recipient organ: signed (who, when) or not yet. */
function Receipts({ detail }: { detail: ipc.OutgoingDetail }) {
  const { row, receipts } = detail;
  if (row.state !== "dispatched") {
    return (
      <Typography.Paragraph type="secondary" data-testid="outgoing-receipts-waiting">
        {row.state === "terminated"
          ? "流程已终止，这份公文没有核发。"
          : `尚未核发。核发后，主送和抄送的 ${receipts.total} 个单位签收的回执会显示在这里。`}
      </Typography.Paragraph>
    );
  }
  if (receipts.recipients.length === 0) {
    return <Typography.Paragraph type="secondary">这份发文没有主送或抄送单位。</Typography.Paragraph>;
  }
  const complete = receipts.signed === receipts.total;
  return (
    <>
      <Space size={8} className="gw-outgoing-progress">
        <Progress
          percent={receipts.total ? Math.round((receipts.signed / receipts.total) * 100) : 0}
          size="small"
          showInfo={false}
          status={complete ? "success" : "active"}
          style={{ width: 120, margin: 0 }}
        />
        <Typography.Text strong={!complete} data-testid="outgoing-receipt-progress">
          已签收 {receipts.signed}/{receipts.total}
        </Typography.Text>
      </Space>
      <ul className="gw-outgoing-recipients" aria-label="回执">
        {receipts.recipients.map((r) => (
          <li key={r.organ} data-testid="outgoing-recipient" data-state={r.signed ? "signed" : "unsigned"}>
            <span className="gw-outgoing-recipient-organ">{r.organ}</span>
            {r.signed ? (
              <Tooltip title={r.signedAt ? `${r.signedBy ?? ""} 签收于 ${formatDateTime(r.signedAt)}` : undefined}>
                <Tag icon={<CheckCircleOutlined />} color="green">
                  已签收{r.signedBy ? ` · ${r.signedBy}` : ""}
                </Tag>
              </Tooltip>
            ) : (
              <Tag icon={<ClockCircleOutlined />} color="orange">
                未签收
              </Tag>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

/**
 * One registered 发文, read-only: on the left exactly as it prints (with its 文号), with
 * 打印 and 导出PDF; on the right its particulars, where it stands, the 回执 of each recipient
 * organ and its flow.
 */
export function OutgoingDetailView({ documentId, onBack }: OutgoingDetailViewProps) {
  const [detail, setDetail] = useState<ipc.OutgoingDetail>();
  const [loadError, setLoadError] = useState<ipc.CommandError>();

  const load = useCallback(() => {
    setLoadError(undefined);
    ipc
      .outgoingDetail(documentId)
      .then(setDetail)
      .catch((raw: unknown) => setLoadError(ipc.CommandError.from(raw)));
  }, [documentId]);

  useEffect(() => {
    setDetail(undefined);
    load();
  }, [load]);

  const doc = detail?.document ?? null;
  const job = useMemo<ipc.PrintJob | null>(() => (doc ? { form: "document", document: doc } : null), [doc]);

  if (loadError) {
    return (
      <Result
        status={loadError.code === "not_found" ? "404" : "error"}
        title="无法打开这份发文"
        subTitle={loadError.message}
        extra={
          <Space>
            <Button onClick={onBack}>返回发文登记</Button>
            <Button type="primary" onClick={load}>
              重试
            </Button>
          </Space>
        }
      />
    );
  }

  const row = detail?.row;
  const fileTitle = row ? [row.docNumber, row.title].filter(Boolean).join(" ") : "";

  return (
    <div className="gw-task" data-testid="outgoing-detail" data-document-id={documentId}>
      <div className="gw-task-preview">
        <PdfPreview job={job} emptyText="本机暂无这份发文的正文，同步后即可预览和打印。" actions={<PrintActions job={job} title={fileTitle} />} />
      </div>
      <aside className="gw-task-panel" aria-label="发文">
        <Button type="link" icon={<ArrowLeftOutlined />} onClick={onBack} className="gw-task-back" data-testid="outgoing-back">
          返回发文登记
        </Button>
        {!detail || !row ? (
          <Skeleton active paragraph={{ rows: 10 }} />
        ) : (
          <>
            <Typography.Title level={5} className="gw-task-title" data-testid="outgoing-detail-title">
              {row.title || "（无标题）"}
            </Typography.Title>
            <Descriptions
              size="small"
              column={1}
              styles={DETAIL_LABEL_STYLES}
              items={[
                { key: "number", label: "文号", children: <NumberCell row={row} /> },
                { key: "type", label: "文种", children: row.docType ?? "—" },
                {
                  key: "marks",
                  label: "密级·缓急",
                  children: (
                    <Space size={4}>
                      {row.secrecy ? <Tag color="red">{row.secrecy}</Tag> : "非密"}
                      {row.urgency ? <Tag color={URGENCY_COLOR[row.urgency]}>{row.urgency}</Tag> : "普通"}
                    </Space>
                  ),
                },
                { key: "main", label: "主送", children: row.mainRecipients.join("、") || "—" },
                { key: "signers", label: "签发人", children: row.signers.join("、") || "—" },
                { key: "date", label: "成文日期", children: row.docDate ? formatDate(row.docDate) : "—" },
                { key: "registered", label: "登记", children: row.registeredAt ? formatDateTime(row.registeredAt) : "—" },
                {
                  key: "state",
                  label: "状态",
                  children: (
                    <Space size={4} wrap>
                      <IssueTag row={row} />
                      {row.state === "in_progress" && <Typography.Text type="secondary">{row.nowAt}</Typography.Text>}
                      {row.pendingSync && (
                        <Tooltip title="已在本机办理，联网后自动同步到服务器">
                          <Tag color="blue">待同步</Tag>
                        </Tooltip>
                      )}
                    </Space>
                  ),
                },
              ]}
            />
            <div className="gw-task-section">回执</div>
            <Receipts detail={detail} />
            <div className="gw-task-section">流程</div>
            <FlowTimeline flow={detail.flow} />
          </>
        )}
      </aside>
    </div>
  );
}
