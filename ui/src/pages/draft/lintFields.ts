import type { LintFinding } from "../../lib/ipc";

/** The element names of the standard (第九条), by JSON field, for the findings list. */
export const FIELD_LABELS: Record<string, string> = {
  format: "公文格式",
  doc_type: "文种",
  direction: "行文方向",
  copy_number: "份号",
  secrecy: "密级和保密期限",
  urgency: "紧急程度",
  issuers: "发文机关",
  doc_number: "发文字号",
  signers: "签发人",
  title: "标题",
  main_recipients: "主送机关",
  body: "正文",
  attachments: "附件说明",
  signatures: "发文机关署名",
  date: "成文日期",
  seal: "印章",
  note: "附注",
  cc: "抄送机关",
  printing: "印发机关和印发日期",
  order_number: "令号",
  signer_title: "签署人职务",
  minutes: "出席、请假和列席人员",
};

/** Findings grouped by field, errors first. */
export function findingsByField(findings: LintFinding[]): Map<string, LintFinding[]> {
  const map = new Map<string, LintFinding[]>();
  for (const f of findings) {
    const list = map.get(f.field) ?? [];
    list.push(f);
    map.set(f.field, list);
  }
  for (const list of map.values()) {
    list.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1));
  }
  return map;
}

/** Where a finding points, in words: "正文（第3行）", "主送机关（第2项）". */
export function findingPlace(f: LintFinding): string {
  const label = FIELD_LABELS[f.field] ?? f.field;
  if (f.index === null) return label;
  return f.field === "body" ? `${label}（第${f.index + 1}行）` : `${label}（第${f.index + 1}项）`;
}
