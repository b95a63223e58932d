/**
 * The native file dialogs (Tauri's dialog plugin), behind one small function each so the
 * screens can be tested without a window.
 */
import { save } from "@tauri-apps/plugin-dialog";

/** Characters no file system accepts in a name. */
const UNSAFE = /[\\/:*?"<>|\u0000-\u001f]/g;

/** A file name for a document title: unsafe characters removed, not too long. */
export function pdfFileName(title: string, fallback = "公文"): string {
  const clean = title.replace(UNSAFE, "").trim().slice(0, 80);
  return `${clean || fallback}.pdf`;
}

/** 导出PDF: asks where to save; null when the user cancelled. */
export async function choosePdfPath(defaultName: string): Promise<string | null> {
  const path = await save({
    title: "导出PDF",
    defaultPath: defaultName,
    filters: [{ name: "PDF 文件", extensions: ["pdf"] }],
  });
  return path ?? null;
}

/** 另存为: asks where to save a file; null when the user cancelled. */
export async function chooseSavePath(defaultName: string): Promise<string | null> {
  const path = await save({ title: "另存为", defaultPath: defaultName.replace(UNSAFE, "") || "文件" });
  return path ?? null;
}
