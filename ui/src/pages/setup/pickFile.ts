/** The native file dialogs the setup and settings screens use (Tauri's dialog plugin). */
import { open, save } from "@tauri-apps/plugin-dialog";

/** Asks for a CA certificate file; null when the user cancelled. */
export async function chooseCaFile(): Promise<string | null> {
  const path = await open({
    title: "选择 CA 证书文件",
    multiple: false,
    directory: false,
    filters: [
      { name: "证书文件", extensions: ["pem", "crt", "cer"] },
      { name: "所有文件", extensions: ["*"] },
    ],
  });
  return typeof path === "string" ? path : null;
}

/** Asks where to save the diagnostics archive; null when the user cancelled. */
export async function chooseDiagnosticsPath(defaultName: string): Promise<string | null> {
  const path = await save({
    title: "导出诊断信息",
    defaultPath: defaultName,
    filters: [{ name: "压缩包", extensions: ["tar.gz", "gz"] }],
  });
  return path ?? null;
}
