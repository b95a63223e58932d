/**
 * The 公文 in its documented JSON form (docs/document-json.md, docs/document.schema.json):
 * the one form used by import, export, the CLI, printing and this editor. Field names are
 * snake_case; every field but the ones marked required may be left out.
 *
 * Written by hand (the Rust type lives in gongwen-domain, which has no TypeScript export);
 * the generated bindings import it. Keep it in step with crates/gongwen-domain/src/document.rs.
 */

export const DOC_TYPES = [
  "决议",
  "决定",
  "命令",
  "公报",
  "公告",
  "通告",
  "意见",
  "通知",
  "通报",
  "报告",
  "请示",
  "批复",
  "议案",
  "函",
  "纪要",
] as const;
export type DocTypeName = (typeof DOC_TYPES)[number];

export type FormatName = "standard" | "letter" | "order" | "minutes";
export const FORMAT_LABELS: Record<FormatName, string> = {
  standard: "文件格式",
  letter: "信函格式",
  order: "命令格式",
  minutes: "纪要格式",
};

export type DirectionName = "up" | "parallel" | "down";
export const DIRECTION_LABELS: Record<DirectionName, string> = {
  up: "上行文",
  parallel: "平行文",
  down: "下行文",
};

export type SecrecyLevelName = "秘密" | "机密" | "绝密";
export type UrgencyName = "特急" | "加急";

export interface GwIssuer {
  /** 发文机关全称. */
  name: string;
  /** 发文机关标志, e.g. "鹤山市人民政府文件"; defaults to the name. */
  mark?: string;
}

export interface GwDocNumber {
  /** 机关代字, e.g. 鹤府. */
  prefix: string;
  year: number;
  seq: number;
}

export interface GwAttachment {
  /** 附件名称 (附件说明). */
  name: string;
  /** The file: a path when adding, `sha256:…` once stored. */
  file?: string;
  /** Text of an attachment printed after the body. */
  body?: string;
}

export interface GwDocument {
  format?: FormatName;
  doc_type?: DocTypeName;
  direction?: DirectionName;
  copy_number?: string;
  secrecy?: { level: SecrecyLevelName; term?: string };
  urgency?: UrgencyName;
  issuers?: GwIssuer[];
  doc_number?: GwDocNumber;
  signers?: string[];
  title?: string;
  main_recipients?: string[];
  /** One paragraph per line; headings are recognised from 一、（一）1.（1）. */
  body?: string;
  attachments?: GwAttachment[];
  signatures?: string[];
  /** 成文日期, YYYY-MM-DD. */
  date?: string;
  /** true for the organ's seal, or the path of a seal image. */
  seal?: boolean | string;
  note?: string;
  cc?: string[];
  printing?: { organ: string; date: string };
  order_number?: number;
  signer_title?: string;
  minutes?: { attendees?: string[]; absentees?: string[]; observers?: string[] };
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return true;
  if (typeof value === "string") return value.trim() === "";
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value as object).length === 0;
  return false;
}

function cleanList(list: string[] | undefined): string[] | undefined {
  const kept = (list ?? []).map((s) => s.trim()).filter((s) => s !== "");
  return kept.length ? kept : undefined;
}

/**
 * The document as the store accepts it: empty fields left out, lists without blank
 * entries, 份号/期限/文号 only when complete. The editor keeps whatever the user typed;
 * this is what each save sends.
 */
export function cleanDocument(doc: GwDocument): GwDocument {
  const out: GwDocument = { ...doc };
  out.issuers = (doc.issuers ?? [])
    .map((i) => ({ name: i.name.trim(), ...(i.mark?.trim() ? { mark: i.mark.trim() } : {}) }))
    .filter((i) => i.name !== "");
  for (const key of ["signers", "main_recipients", "signatures", "cc"] as const) {
    out[key] = cleanList(doc[key]);
  }
  out.attachments = (doc.attachments ?? []).filter((a) => a.name.trim() !== "" || a.file);
  if (doc.secrecy) {
    out.secrecy = doc.secrecy.term?.trim()
      ? { level: doc.secrecy.level, term: doc.secrecy.term.trim() }
      : { level: doc.secrecy.level };
  }
  const n = doc.doc_number;
  if (!n || !n.prefix?.trim() || !Number.isInteger(n.year) || !Number.isInteger(n.seq) || n.seq <= 0) {
    delete out.doc_number;
  } else {
    out.doc_number = { prefix: n.prefix.trim(), year: n.year, seq: n.seq };
  }
  if (doc.printing && (!doc.printing.organ.trim() || !doc.printing.date)) delete out.printing;
  for (const key of Object.keys(out) as (keyof GwDocument)[]) {
    if (isEmpty(out[key])) delete out[key];
  }
  return out;
}

/** "鹤府〔2026〕12号", the way 发文字号 is printed. */
export function formatDocNumber(n: GwDocNumber | undefined): string {
  return n ? `${n.prefix}〔${n.year}〕${n.seq}号` : "";
}

/** The heading level of a body line as the printer recognises it: 1 一、 2 （一） 3 1. 4 （1）; 0 text. */
export function headingLevel(line: string): 0 | 1 | 2 | 3 | 4 {
  const s = line.trimStart();
  if (/^[一二三四五六七八九十百]+、/.test(s)) return 1;
  if (/^（[一二三四五六七八九十百]+）/.test(s)) return 2;
  if (/^\d+[.．]/.test(s)) return 3;
  if (/^（\d+）/.test(s)) return 4;
  return 0;
}
