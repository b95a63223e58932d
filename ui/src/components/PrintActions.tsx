import { FilePdfOutlined, PrinterOutlined } from "@ant-design/icons";
import { Alert, App, Button, Form, InputNumber, Modal, Select, Space, Typography } from "antd";
import { useState } from "react";
import { choosePdfPath, pdfFileName } from "../lib/dialog";
import * as ipc from "../lib/ipc";

export interface PrintActionsProps {
  /** What to print and export. */
  job: ipc.PrintJob | null;
  /** The document's title: the default file name and the print job's name. */
  title: string;
}

/** The printer choice meaning "the system's default printer". */
const SYSTEM_DEFAULT = "";

/**
 * 打印 and 导出PDF for a print job. 打印 asks for the number of copies and the printer, both
 * proposed from 设置 · 打印 (its printer, else the system's default, and its copies); when
 * no printer can take the job, the dialog says why and offers 导出PDF.
 * 导出PDF asks where to save (the system's save dialog) and writes the file.
 */
export function PrintActions({ job, title }: PrintActionsProps) {
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [copies, setCopies] = useState(1);
  const [printer, setPrinter] = useState(SYSTEM_DEFAULT);
  const [printers, setPrinters] = useState<ipc.PrinterList>();
  const [printing, setPrinting] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [error, setError] = useState<ipc.CommandError>();

  const exportPdf = async () => {
    if (!job) return;
    setExporting(true);
    try {
      const path = await choosePdfPath(pdfFileName(title));
      if (!path) return;
      const done = await ipc.exportPdf(job, path);
      message.success(`已导出PDF（${done.pages} 页）：${done.path}`);
      setOpen(false);
    } catch (raw) {
      const e = ipc.CommandError.from(raw);
      message.error({ content: e.message, duration: 8 });
    } finally {
      setExporting(false);
    }
  };

  const print = async () => {
    if (!job) return;
    setPrinting(true);
    setError(undefined);
    try {
      const done = await ipc.printJob(job, copies, printer || null);
      message.success(`已发送到打印机${done.printer ? `“${done.printer}”` : ""}，共 ${done.copies} 份`);
      setOpen(false);
    } catch (raw) {
      setError(ipc.CommandError.from(raw));
    } finally {
      setPrinting(false);
    }
  };

  const openDialog = async () => {
    setError(undefined);
    // The printer list (CUPS) may take a moment: it fills the choices when it comes.
    ipc
      .printers()
      .then(setPrinters)
      .catch(() => {});
    // Proposed from 设置 · 打印 (read before the dialog shows, so nothing typed is
    // overwritten); without them, 1 copy on the system's default printer.
    const settings = await ipc.getSettings().catch(() => undefined);
    setCopies(settings?.copies ?? 1);
    setPrinter(settings?.printer ?? SYSTEM_DEFAULT);
    setOpen(true);
  };

  const systemDefault = printers?.systemDefault;
  const printerOptions = [
    { value: SYSTEM_DEFAULT, label: `系统默认打印机${systemDefault ? `（${systemDefault}）` : ""}` },
    ...[...(printers?.printers ?? []), ...(printer && !printers?.printers.includes(printer) ? [printer] : [])].map((p) => ({
      value: p,
      label: p,
    })),
  ];

  return (
    <>
      <Space size={4}>
        <Button
          size="small"
          icon={<PrinterOutlined />}
          disabled={!job}
          onClick={() => void openDialog()}
          data-testid="print"
        >
          打印
        </Button>
        <Button size="small" icon={<FilePdfOutlined />} disabled={!job} loading={exporting} onClick={() => void exportPdf()} data-testid="export-pdf">
          导出PDF
        </Button>
      </Space>
      <Modal
        open={open}
        title="打印"
        okText="打印"
        cancelText="取消"
        confirmLoading={printing}
        onOk={() => void print()}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }}>
          {title || "（无标题）"}
        </Typography.Paragraph>
        <Form layout="inline">
          <Form.Item label="份数">
            <InputNumber min={1} max={99} value={copies} onChange={(v) => setCopies(v ?? 1)} aria-label="打印份数" data-testid="print-copies" />
          </Form.Item>
          <Form.Item label="打印机">
            <Select
              value={printer}
              onChange={setPrinter}
              options={printerOptions}
              aria-label="打印机"
              style={{ minWidth: 220 }}
              data-testid="print-printer"
            />
          </Form.Item>
        </Form>
        {error && (
          <Alert
            className="gw-print-error"
            type={error.code === "no_printer" ? "warning" : "error"}
            showIcon
            title={error.code === "no_printer" ? "无法打印" : "打印失败"}
            description={error.message}
            action={
              <Button size="small" onClick={() => void exportPdf()} loading={exporting}>
                导出PDF
              </Button>
            }
            data-testid="print-error"
            style={{ marginTop: 16 }}
          />
        )}
      </Modal>
    </>
  );
}
