import { Modal, Table } from "antd";
import { SHORTCUTS, type Shortcut } from "./shortcuts";

export interface ShortcutsDialogProps {
  open: boolean;
  onClose: () => void;
}

/** 帮助 · 快捷键: every shortcut, where it works. */
export function ShortcutsDialog({ open, onClose }: ShortcutsDialogProps) {
  return (
    <Modal open={open} onCancel={onClose} footer={null} title="帮助 · 快捷键" width={560} destroyOnHidden>
      <Table<Shortcut>
        size="small"
        pagination={false}
        rowKey={(s) => s.action}
        dataSource={[...SHORTCUTS]}
        data-testid="shortcuts-table"
        columns={[
          {
            title: "按键",
            dataIndex: "keys",
            width: 170,
            render: (keys: string[]) => (
              <span className="gw-shortcut-keys">
                {keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && <span className="gw-shortcut-or">或</span>}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </span>
            ),
          },
          { title: "作用", dataIndex: "action" },
          { title: "适用于", dataIndex: "where", width: 130 },
        ]}
      />
    </Modal>
  );
}
