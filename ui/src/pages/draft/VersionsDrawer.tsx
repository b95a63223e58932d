import { Alert, Drawer, Empty, Flex, List, Radio, Select, Skeleton, Tag, Tooltip, Typography } from "antd";
import dayjs from "dayjs";
import { useEffect, useState } from "react";
import { usePersonName } from "../../components/personName";
import * as ipc from "../../lib/ipc";
import { formatDateTime } from "../../lib/format";

export interface VersionsDrawerProps {
  open: boolean;
  draftId: string;
  onClose: () => void;
  /** Changes after each save: reload the list. */
  reloadKey: number;
}

export function Piece({ piece, nameOf = (login) => login }: { piece: ipc.DiffPiece; nameOf?: (login: string) => string }) {
  if (piece.kind === "equal") return <span>{piece.text}</span>;
  const who = piece.author ? `${nameOf(piece.author)}（第${piece.version}版，${formatDateTime(piece.at)}）` : "";
  return (
    <Tooltip title={`${piece.kind === "insert" ? "插入" : "删除"}：${who}`}>
      {piece.kind === "insert" ? <ins className="gw-diff-ins">{piece.text}</ins> : <del className="gw-diff-del">{piece.text}</del>}
    </Tooltip>
  );
}

/** 版本: every saved version with author and time, and the changes between any two (修订 marks). */
export function VersionsDrawer({ open, draftId, onClose, reloadKey }: VersionsDrawerProps) {
  const [versions, setVersions] = useState<ipc.VersionRow[]>();
  const [from, setFrom] = useState<number>();
  const [to, setTo] = useState<number>();
  const [comparison, setComparison] = useState<ipc.VersionComparison>();
  const [error, setError] = useState<string>();
  const nameOf = usePersonName();

  useEffect(() => {
    if (!open) return;
    ipc
      .draftHistory(draftId)
      .then((list) => {
        setVersions(list);
        setError(undefined);
        if (list.length >= 2) {
          setTo(list[0].version);
          setFrom(list[1].version);
        } else if (list.length === 1) {
          setTo(list[0].version);
          setFrom(list[0].version);
        }
      })
      .catch((raw: unknown) => setError(ipc.CommandError.from(raw).message));
  }, [open, draftId, reloadKey]);

  useEffect(() => {
    if (!open || from === undefined || to === undefined) return;
    setComparison(undefined);
    ipc
      .compareVersions(draftId, from, to)
      .then(setComparison)
      .catch((raw: unknown) => setError(ipc.CommandError.from(raw).message));
  }, [open, draftId, from, to]);

  const options = (versions ?? []).map((v) => ({ value: v.version, label: `第${v.version}版 · ${nameOf(v.author)} · ${formatDateTime(v.createdAt)}` }));

  return (
    <Drawer open={open} onClose={onClose} title="版本与修改痕迹" size={640} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} />}
      {!versions ? (
        <Skeleton active />
      ) : (
        <Flex vertical gap={16}>
          <List
            size="small"
            bordered
            header={<Typography.Text strong>共 {versions.length} 个版本（每次保存生成一个新版本，最新在上）</Typography.Text>}
            dataSource={versions}
            className="gw-versions"
            style={{ maxHeight: 260, overflowY: "auto" }}
            renderItem={(v) => (
              <List.Item>
                <Flex justify="space-between" style={{ width: "100%" }} align="center">
                  <span>
                    第{v.version}版 {v.version === versions[0].version && <Tag color="blue">清稿</Tag>}
                  </span>
                  <Typography.Text type="secondary">
                    {nameOf(v.author)} · {dayjs(v.createdAt).format("YYYY年M月D日 HH:mm:ss")}
                  </Typography.Text>
                  <Radio.Group
                    size="small"
                    value={v.version === from ? "from" : v.version === to ? "to" : undefined}
                    onChange={(e) => (e.target.value === "from" ? setFrom(v.version) : setTo(v.version))}
                    options={[
                      { value: "from", label: "原版" },
                      { value: "to", label: "新版" },
                    ]}
                    optionType="button"
                  />
                </Flex>
              </List.Item>
            )}
          />
          <Flex gap={8} align="center" wrap>
            <span>比较</span>
            <Select style={{ width: 250 }} value={from} onChange={setFrom} options={options} aria-label="原版本" />
            <span>→</span>
            <Select style={{ width: 250 }} value={to} onChange={setTo} options={options} aria-label="新版本" />
          </Flex>
          {!comparison ? (
            <Skeleton active />
          ) : comparison.changes.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="两个版本的内容相同" />
          ) : (
            <div className="gw-diff" data-testid="diff">
              <Typography.Text type="secondary">
                <ins className="gw-diff-ins">蓝色下划线</ins> 为插入，<del className="gw-diff-del">红色删除线</del> 为删除；鼠标停留可查看修改人。
              </Typography.Text>
              {comparison.changes.map((c) => (
                <div key={c.field} className="gw-diff-element">
                  <div className="gw-diff-head">
                    <strong>{c.element}</strong>
                    {c.changedBy.length > 0 && <Typography.Text type="secondary">修改人：{c.changedBy.map(nameOf).join("、")}</Typography.Text>}
                  </div>
                  <div className="gw-diff-text">
                    {c.pieces.map((p, i) => (
                      <Piece key={i} piece={p} nameOf={nameOf} />
                    ))}
                  </div>
                </div>
              ))}
            </div>
          )}
        </Flex>
      )}
    </Drawer>
  );
}
