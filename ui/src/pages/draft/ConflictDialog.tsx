import { Alert, Button, Empty, Modal, Radio, Select, Skeleton, Space, Typography } from "antd";
import { useEffect, useMemo, useState } from "react";
import type { GwDocument } from "../../lib/document";
import { formatDateTime } from "../../lib/format";
import * as ipc from "../../lib/ipc";
import { usePersonName } from "../../components/personName";
import { Piece } from "./VersionsDrawer";
import "./ConflictDialog.css";

export type Side = "current" | "copy";

/**
 * The document a resolution saves: the current version with, for every field chosen as
 * "copy", the conflict copy's value (a field the copy does not have is removed).
 */
export function mergeDocuments(current: GwDocument, copy: GwDocument, choices: Record<string, Side>): GwDocument {
  const merged: Record<string, unknown> = { ...current };
  const from = copy as Record<string, unknown>;
  for (const [field, side] of Object.entries(choices)) {
    if (side !== "copy") continue;
    if (from[field] === undefined) delete merged[field];
    else merged[field] = from[field];
  }
  return merged as GwDocument;
}

export interface ConflictDialogProps {
  open: boolean;
  draftId: string;
  copies: ipc.ConflictCopyRow[];
  /** The document in the editor (the current version plus unsaved typing). */
  current: GwDocument;
  onCancel: () => void;
  /** Saves `document` as a new version that resolves copy `copyId`. */
  onResolve: (document: GwDocument, copyId: string) => Promise<void>;
}

/**
 * 冲突副本: the current version and a conflict copy side by side, element by element, with
 * the copy's changes marked (insertions underlined, deletions struck). The user keeps the
 * current version, takes the copy, or picks per element; the result is saved as a new version.
 */
export function ConflictDialog({ open, draftId, copies, current, onCancel, onResolve }: ConflictDialogProps) {
  const [copyId, setCopyId] = useState<string>();
  const [comparison, setComparison] = useState<ipc.ConflictComparison>();
  const [error, setError] = useState<string>();
  const [choices, setChoices] = useState<Record<string, Side>>({});
  const [busy, setBusy] = useState(false);
  const nameOf = usePersonName();

  useEffect(() => {
    if (open) setCopyId((id) => (id && copies.some((c) => c.id === id) ? id : copies[0]?.id));
  }, [open, copies]);

  useEffect(() => {
    if (!open || !copyId) return;
    let alive = true;
    setComparison(undefined);
    setError(undefined);
    ipc
      .compareConflict(draftId, copyId)
      .then((c) => {
        if (!alive) return;
        setComparison(c);
        setChoices(Object.fromEntries(c.fields.map((f) => [f.field, "current" as Side])));
      })
      .catch((raw: unknown) => alive && setError(ipc.CommandError.from(raw).message));
    return () => {
      alive = false;
    };
  }, [open, draftId, copyId]);

  const copyDoc = comparison?.copy.document ?? null;
  const all = (side: Side) => setChoices(Object.fromEntries((comparison?.fields ?? []).map((f) => [f.field, side])));
  const takenFromCopy = useMemo(() => Object.values(choices).filter((s) => s === "copy").length, [choices]);

  const resolve = async (document: GwDocument) => {
    if (!copyId) return;
    setBusy(true);
    setError(undefined);
    try {
      await onResolve(document, copyId);
    } catch (raw) {
      setError(ipc.CommandError.from(raw).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title="处理冲突副本"
      width={1080}
      onCancel={onCancel}
      destroyOnHidden
      footer={
        <Space>
          <Button onClick={onCancel}>稍后处理</Button>
          <Button disabled={!comparison} loading={busy} onClick={() => void resolve(current)} data-testid="keep-current">
            保留当前版本
          </Button>
          <Button disabled={!copyDoc} loading={busy} onClick={() => copyDoc && void resolve(mergeDocuments(current, copyDoc, Object.fromEntries((comparison?.fields ?? []).map((f) => [f.field, "copy" as Side]))))} data-testid="take-copy">
            采用冲突副本
          </Button>
          <Button type="primary" disabled={!copyDoc} loading={busy} onClick={() => copyDoc && void resolve(mergeDocuments(current, copyDoc, choices))} data-testid="merge">
            按所选合并并保存{takenFromCopy > 0 ? `（${takenFromCopy} 处采用副本）` : ""}
          </Button>
        </Space>
      }
    >
      {copies.length > 1 && (
        <Select
          style={{ width: "100%", marginBottom: 12 }}
          value={copyId}
          onChange={setCopyId}
          options={copies.map((c) => ({ value: c.id, label: `${nameOf(c.author)} 于 ${formatDateTime(c.savedAt)} 保存（基于第${c.baseVersion ?? "?"}版）` }))}
          aria-label="选择冲突副本"
        />
      )}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      {!comparison && !error ? (
        <Skeleton active paragraph={{ rows: 8 }} />
      ) : comparison ? (
        <>
          <Typography.Paragraph type="secondary">
            左边是当前版本（第{comparison.currentVersion}版，{comparison.currentAuthor ? nameOf(comparison.currentAuthor) : "服务器"}），右边是 {nameOf(comparison.copy.author)} 于{" "}
            {formatDateTime(comparison.copy.savedAt)} 保存、未能成为新版本的副本。逐项选择要保留的内容，保存后成为新的版本。
          </Typography.Paragraph>
          {comparison.fields.length === 0 ? (
            <Empty description="两者内容相同，保留当前版本即可。" />
          ) : (
            <div className="gw-conflict-grid" data-testid="conflict-compare">
              <div className="gw-conflict-head">要素</div>
              <div className="gw-conflict-head">当前版本</div>
              <div className="gw-conflict-head">冲突副本（标出与当前版本的差异）</div>
              {comparison.fields.map((f) => (
                <ConflictRow key={f.field} field={f} nameOf={nameOf} side={choices[f.field] ?? "current"} onChoose={(side) => setChoices((c) => ({ ...c, [f.field]: side }))} />
              ))}
            </div>
          )}
          <Space style={{ marginTop: 8 }}>
            <Button size="small" type="link" onClick={() => all("current")}>
              全部选当前版本
            </Button>
            <Button size="small" type="link" onClick={() => all("copy")}>
              全部选冲突副本
            </Button>
          </Space>
        </>
      ) : null}
    </Modal>
  );
}

function ConflictRow({
  field,
  nameOf,
  side,
  onChoose,
}: {
  field: ipc.ConflictField;
  nameOf: (login: string) => string;
  side: Side;
  onChoose: (side: Side) => void;
}) {
  return (
    <>
      <div className="gw-conflict-element">
        <Typography.Text strong>{field.element}</Typography.Text>
        <Radio.Group
          size="small"
          value={side}
          onChange={(e) => onChoose(e.target.value as Side)}
          optionType="button"
          options={[
            { value: "current", label: "当前" },
            { value: "copy", label: "副本" },
          ]}
          aria-label={`${field.element}采用`}
        />
      </div>
      <div className={`gw-conflict-cell${side === "current" ? " gw-conflict-chosen" : ""}`}>{field.current || <Typography.Text type="secondary">（空）</Typography.Text>}</div>
      <div className={`gw-conflict-cell${side === "copy" ? " gw-conflict-chosen" : ""}`}>
        {field.pieces.length ? field.pieces.map((p, i) => <Piece key={i} piece={p} nameOf={nameOf} />) : field.copy || <Typography.Text type="secondary">（空）</Typography.Text>}
      </div>
    </>
  );
}
