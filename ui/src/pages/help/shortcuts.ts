/** The keyboard shortcuts, as 帮助 · 快捷键 lists them. */
export interface Shortcut {
  keys: string[];
  action: string;
  where: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ["Ctrl+N"], action: "新建发文（起草公文）", where: "任何页面" },
  { keys: ["Ctrl+S"], action: "立即保存草稿", where: "起草、修改草稿" },
  { keys: ["Ctrl+Enter"], action: "同意（连同填写的意见提交）", where: "办理" },
  { keys: ["Ctrl+↓", "J"], action: "下一件待办", where: "待办、待阅列表和办理" },
  { keys: ["Ctrl+↑", "K"], action: "上一件待办", where: "办理" },
  { keys: ["↑", "↓", "Enter"], action: "在列表中移动、打开选中的公文", where: "各类列表" },
  { keys: ["Ctrl+F", "/"], action: "查找（按标题筛选当前列表）", where: "各类列表" },
  { keys: ["Esc"], action: "关闭对话框或抽屉", where: "任何页面" },
  { keys: ["F1", "?"], action: "打开本快捷键说明", where: "任何页面" },
];

/** Whether a key event comes from a place where typed characters belong to the text. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  return Boolean(target.closest("input, textarea, select, [role='combobox'], .ant-select"));
}
