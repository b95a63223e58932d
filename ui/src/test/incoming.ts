import type * as ipc from "../lib/ipc";

/** A 收文 row as the list and the detail get it, unsigned unless `overrides` say otherwise. */
export function incomingRow(overrides: Partial<ipc.IncomingRow> = {}): ipc.IncomingRow {
  return {
    id: "in-1",
    title: "关于做好春耕备耕工作的通知",
    docNumber: "鹤府办〔2026〕3号",
    docType: "通知",
    urgency: "加急",
    secrecy: null,
    fromOrgan: "鹤山市人民政府办公室",
    fromCode: "鹤府办",
    deliveredAt: "2026-11-27T09:00:00+08:00",
    status: "unsigned",
    statusLabel: "未签收",
    signedBy: null,
    signedAt: null,
    receiptNumber: null,
    flowId: null,
    files: 2,
    ...overrides,
  };
}
