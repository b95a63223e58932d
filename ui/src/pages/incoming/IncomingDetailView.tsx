import { ArrowLeftOutlined, CheckCircleOutlined, DownloadOutlined } from "@ant-design/icons";
import { Alert, App, Button, Descriptions, Result, Skeleton, Space, Tag, Tooltip, Typography } from "antd";
import { useCallback, useEffect, useMemo, useState } from "react";
import { URGENCY_COLOR } from "../../components/DocList";
import { PdfPreview } from "../../components/PdfPreview";
import { PersonName } from "../../components/personName";
import { PrintActions } from "../../components/PrintActions";
import { chooseSavePath } from "../../lib/dialog";
import * as ipc from "../../lib/ipc";
import { formatDateTime } from "../../lib/format";
import { StatusTag } from "./IncomingList";
import { RegisterDialog } from "./RegisterDialog";
import "../task/TaskPage.css";
import "./Incoming.css";
import { DETAIL_LABEL_STYLES } from "../../components/detailLabels";

export interface IncomingDetailViewProps {
  incomingId: string;
  onBack: () => void;
  /** 签收 or 登记 changed the store. */
  onChanged: () => void;
  /** Opens the 办理 page of a task of the 收文 flow. */
  onOpenTask: (taskId: string) => void;
}

/** Who signed here and when, kept after 签收 until the server confirms it. */
interface LocalSign {
  by: string;
  at: string;
}

function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * One incoming document: on the left as it prints (laid out by gongwen-print from the document
 * the sender issued); on the right its particulars, 签收 (Alt+S), 登记, the files, and once
 * registered the way to its 收文 flow.
 */
export function IncomingDetailView({ incomingId, onBack, onChanged, onOpenTask }: IncomingDetailViewProps) {
  const { message } = App.useApp();
  const [detail, setDetail] = useState<ipc.IncomingDetail>();
  const [loadError, setLoadError] = useState<ipc.CommandError>();
  const [signing, setSigning] = useState(false);
  const [signError, setSignError] = useState<string>();
  const [localSign, setLocalSign] = useState<LocalSign>();
  const [registering, setRegistering] = useState(false);

  const load = useCallback(() => {
    setLoadError(undefined);
    ipc
      .incomingDetail(incomingId)
      .then(setDetail)
      .catch((raw: unknown) => setLoadError(ipc.CommandError.from(raw)));
  }, [incomingId]);

  useEffect(() => {
    setDetail(undefined);
    setLocalSign(undefined);
    load();
  }, [load]);

  const sign = useCallback(async () => {
    if (!detail || signing || detail.row.status !== "unsigned") return;
    setSigning(true);
    setSignError(undefined);
    try {
      const result = await ipc.signIncoming(detail.row.id);
      const user = await ipc
        .storeInfo()
        .then((i) => i.userName)
        .catch(() => "本人");
      setLocalSign({ by: user, at: new Date().toISOString() });
      message.success(`已签收，待同步（第 ${result.seq} 项）。联网后回执自动发回${detail.row.fromOrgan}。`);
      onChanged();
      load();
    } catch (raw) {
      setSignError(ipc.CommandError.from(raw).message);
    } finally {
      setSigning(false);
    }
  }, [detail, signing, message, onChanged, load]);

  // Alt+S signs (the button is also reachable with Tab).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey && !event.ctrlKey && (event.key === "s" || event.key === "S")) {
        event.preventDefault();
        void sign();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [sign]);

  const job = useMemo<ipc.PrintJob | null>(() => (detail ? { form: "document", document: detail.document } : null), [detail]);

  if (loadError) {
    return (
      <Result
        status={loadError.code === "not_found" ? "404" : "error"}
        title={loadError.code === "not_found" ? "找不到这份来文" : "无法打开这份来文"}
        subTitle={loadError.message}
        extra={
          <Space>
            <Button onClick={onBack}>返回列表</Button>
            <Button type="primary" onClick={load}>
              重试
            </Button>
          </Space>
        }
      />
    );
  }

  const row = detail?.row;
  const saveFile = async (file: ipc.IncomingFileRow) => {
    if (!detail) return;
    try {
      const path = await chooseSavePath(file.name);
      if (!path) return;
      const written = await ipc.saveIncomingFile(detail.row.id, file.name, path);
      message.success(`已保存：${written}`);
    } catch (raw) {
      message.error({ content: ipc.CommandError.from(raw).message, duration: 8 });
    }
  };

  return (
    <div className="gw-task" data-testid="incoming-detail" data-incoming-id={incomingId}>
      <div className="gw-task-preview">
        <PdfPreview
          job={job}
          emptyText="本机暂无这份来文的正文，同步后即可预览。"
          actions={<PrintActions job={job} title={detail?.row.title ?? ""} />}
        />
      </div>
      <aside className="gw-task-panel" aria-label="来文">
        <Button type="link" icon={<ArrowLeftOutlined />} onClick={onBack} className="gw-task-back" data-testid="incoming-back">
          返回列表
        </Button>
        {!detail || !row ? (
          <Skeleton active paragraph={{ rows: 10 }} />
        ) : (
          <>
            <Typography.Title level={5} className="gw-task-title" data-testid="incoming-detail-title">
              {row.title || "（无标题）"}
            </Typography.Title>
            <Descriptions
              size="small"
              column={1}
              styles={DETAIL_LABEL_STYLES}
              items={[
                { key: "from", label: "来文单位", children: row.fromOrgan },
                { key: "number", label: "文号", children: row.docNumber ?? "—" },
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
                { key: "sender", label: "发送人", children: detail.sentBy },
                { key: "at", label: "送达时间", children: formatDateTime(row.deliveredAt) },
                { key: "status", label: "状态", children: <StatusTag row={row} /> },
              ]}
            />

            <div className="gw-task-section">签收</div>
            {detail.signRejected && row.status === "unsigned" && (
              <Alert
                type="error"
                showIcon
                title="服务器未接受上次签收"
                description={`${detail.signRejected}。可以再次签收。`}
                className="gw-task-error"
              />
            )}
            {row.status === "unsigned" ? (
              <>
                <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
                  签收表示本单位已收到此件，回执会发回{row.fromOrgan}。签收后不能撤销。
                </Typography.Paragraph>
                {signError && <Alert type="error" showIcon title="未能签收" description={signError} className="gw-task-error" />}
                <Button type="primary" icon={<CheckCircleOutlined />} onClick={() => void sign()} loading={signing} autoFocus data-testid="incoming-sign">
                  签收 <span className="gw-kbd">Alt+S</span>
                </Button>
              </>
            ) : (
              <div data-testid="incoming-signed-info">
                <Space size={6} wrap>
                  <CheckCircleOutlined style={{ color: "#2e7d32" }} />
                  <span>
                    {row.signedBy ?? localSign?.by ?? "本单位"} 签收于 {formatDateTime(row.signedAt ?? localSign?.at ?? null) || "本机（时间待同步）"}
                  </span>
                  {row.status === "sign_pending" && (
                    <Tooltip title="已在本机签收，联网后自动同步，回执随即发回来文单位">
                      <Tag color="blue" data-testid="pending-sync">
                        待同步
                      </Tag>
                    </Tooltip>
                  )}
                </Space>
              </div>
            )}

            <div className="gw-task-section">登记</div>
            {detail.registration ? (
              <>
                <div data-testid="incoming-registration">
                <Descriptions
                  size="small"
                  column={1}
                  styles={DETAIL_LABEL_STYLES}
                  items={[
                    { key: "n", label: "收文编号", children: detail.registration.receiptNumber },
                    { key: "c", label: "份数", children: detail.registration.copies },
                    {
                      key: "by",
                      label: "登记",
                      children: (
                        <>
                          <PersonName login={detail.registration.registeredBy} /> · {formatDateTime(detail.registration.registeredAt)}
                        </>
                      ),
                    },
                  ]}
                />
                </div>
                {detail.taskId && (
                  <Button type="primary" onClick={() => onOpenTask(detail.taskId as string)} data-testid="incoming-open-flow">
                    办理（收文流程）
                  </Button>
                )}
              </>
            ) : row.status === "unsigned" ? (
              <Typography.Text type="secondary">签收后即可登记收文编号并启动收文流程。</Typography.Text>
            ) : (
              <Button type="primary" onClick={() => setRegistering(true)} data-testid="incoming-register">
                登记
              </Button>
            )}

            <div className="gw-task-section">文件（{detail.files.length}）</div>
            {detail.files.length === 0 ? (
              <Typography.Text type="secondary">来文没有附带文件。</Typography.Text>
            ) : (
              <ul className="gw-incoming-files" data-testid="incoming-files">
                {detail.files.map((f) => (
                  <li key={f.name}>
                    <span className="gw-incoming-file-name">
                      <Tag>{f.isPdf ? "正文PDF" : "附件"}</Tag>
                      {f.name}
                      <Typography.Text type="secondary"> · {fileSize(f.size)}</Typography.Text>
                    </span>
                    {f.state === "local" ? (
                      <Button size="small" type="link" icon={<DownloadOutlined />} onClick={() => void saveFile(f)}>
                        另存为
                      </Button>
                    ) : (
                      <Typography.Text type="secondary">
                        {f.state === "downloading" ? `下载中 ${fileSize(f.have ?? 0)}/${fileSize(f.size)}` : "等待同步下载"}
                      </Typography.Text>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </aside>
      {detail && (
        <RegisterDialog
          open={registering}
          detail={detail}
          onCancel={() => setRegistering(false)}
          onDone={(result) => {
            setRegistering(false);
            message.success(`已登记，收文编号 ${result.receiptNumber}，待同步。当前：${result.nowAt}`);
            onChanged();
            if (result.taskId) onOpenTask(result.taskId);
            else load();
          }}
        />
      )}
    </div>
  );
}
