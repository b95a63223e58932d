import { Alert, Form, Input, InputNumber, Modal, Select, Typography, type ButtonProps } from "antd";
import { useEffect, useRef, useState } from "react";
import { PersonPicker } from "../../components/PersonPicker";
import * as ipc from "../../lib/ipc";
import { SECRECY_LEVELS } from "./stages";

export interface RegisterDialogProps {
  open: boolean;
  detail: ipc.IncomingDetail;
  onCancel: () => void;
  /** 登记 succeeded. */
  onDone: (result: ipc.RegisterResult) => void;
}

interface Values {
  receiptNumber: string;
  fromOrgan: string;
  docNumber: string;
  secrecy: string;
  urgency: string;
  copies: number;
  route: string;
  /** Who does the first step after 登记; empty: the route template's handlers. */
  firstHandlers: string[];
}

/** Route choice: chosen by 文种 (请示 → 请示件收文) unless the clerk picks one. */
const AUTO_ROUTE = "";

/**
 * 登记: the particulars of an incoming document (收文编号 suggested and editable, 来文单位 and
 * 文号 as sent, 密级, 紧急程度, 份数) and the 收文 route; on success the 收文 flow starts.
 */
export function RegisterDialog({ open, detail, onCancel, onDone }: RegisterDialogProps) {
  const [form] = Form.useForm<Values>();
  const [routes, setRoutes] = useState<ipc.RouteChoice[]>([]);
  const [preview, setPreview] = useState<ipc.FirstStepChoice>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const row = detail.row;
  // The detail is refreshed in the background (sync, polling); the form is filled once per
  // opening for a document so a refresh never overwrites what the clerk has typed.
  const rowRef = useRef(row);
  rowRef.current = row;

  useEffect(() => {
    if (!open) return;
    const row = rowRef.current;
    setError(undefined);
    form.setFieldsValue({
      receiptNumber: "",
      fromOrgan: row.fromOrgan,
      docNumber: row.docNumber ?? "（无）",
      secrecy: row.secrecy?.slice(0, 2) ?? "非密",
      urgency: row.urgency ?? "普通",
      copies: 1,
      route: AUTO_ROUTE,
      firstHandlers: [],
    });
    ipc
      .suggestReceiptNumber(row.id)
      .then((n) => {
        if (!form.getFieldValue("receiptNumber")) form.setFieldsValue({ receiptNumber: n });
      })
      .catch((raw: unknown) => setError(ipc.CommandError.from(raw).message));
    ipc
      .incomingRoutes()
      .then(setRoutes)
      .catch(() => setRoutes([]));
  }, [open, row.id, form]);

  // Who the chosen route gives the first step to: shown as the picker's default.
  // The automatic choice is "" in the form and undefined before the form is filled: one key.
  const route = Form.useWatch("route", form) || undefined;
  useEffect(() => {
    if (!open) return;
    let alive = true;
    ipc
      .firstStepPreview(row.id, route)
      .then((p) => alive && setPreview(p))
      .catch(() => alive && setPreview(undefined));
    return () => {
      alive = false;
    };
  }, [open, row.id, route]);
  const templateNames = preview?.handlers.map((h) => h.name).join("、");

  const submit = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      // The form says what is missing beside each field.
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const keepSecrecy = row.secrecy && row.secrecy.startsWith(v.secrecy) ? row.secrecy : v.secrecy;
      const result = await ipc.registerIncoming(row.id, {
        receiptNumber: v.receiptNumber.trim(),
        secrecy: v.secrecy === "非密" ? undefined : keepSecrecy,
        urgency: v.urgency === "普通" ? undefined : v.urgency,
        copies: v.copies,
        route: v.route || undefined,
        firstHandlers: v.firstHandlers?.length ? v.firstHandlers : undefined,
      });
      onDone(result);
    } catch (raw) {
      setError(ipc.CommandError.from(raw).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title="收文登记"
      okText="登记"
      cancelText="取消"
      onOk={() => void submit()}
      onCancel={onCancel}
      okButtonProps={{ loading: busy, "data-testid": "register-submit" } as ButtonProps}
      destroyOnHidden
      width={560}
    >
      {error && <Alert type="error" showIcon title="未能登记" description={error} style={{ marginBottom: 12 }} data-testid="register-error" />}
      <Form form={form} layout="horizontal" labelCol={{ span: 5 }} data-testid="register-form" preserve={false}>
        <Form.Item
          name="receiptNumber"
          label="收文编号"
          extra="已按本单位收文顺序建议编号，可修改。"
          rules={[
            { required: true, whitespace: true, message: "请填写收文编号" },
            { max: 64, message: "收文编号不能超过64个字" },
          ]}
        >
          <Input data-testid="register-number" aria-label="收文编号" autoFocus />
        </Form.Item>
        <Form.Item name="fromOrgan" label="来文单位">
          <Input readOnly data-testid="register-from" aria-label="来文单位" />
        </Form.Item>
        <Form.Item name="docNumber" label="文号">
          <Input readOnly data-testid="register-doc-number" aria-label="文号" />
        </Form.Item>
        <Form.Item name="secrecy" label="密级">
          <Select
            aria-label="密级"
            data-testid="register-secrecy"
            options={["非密", ...SECRECY_LEVELS].map((s) => ({ value: s, label: s }))}
          />
        </Form.Item>
        <Form.Item name="urgency" label="紧急程度">
          <Select aria-label="紧急程度" data-testid="register-urgency" options={["普通", "加急", "特急"].map((u) => ({ value: u, label: u }))} />
        </Form.Item>
        <Form.Item
          name="copies"
          label="份数"
          rules={[
            { required: true, message: "请填写份数" },
            { type: "integer", min: 1, max: 10000, message: "份数应为 1 到 10000 之间的整数" },
          ]}
        >
          <InputNumber min={1} max={10000} precision={0} style={{ width: 120 }} aria-label="份数" data-testid="register-copies" />
        </Form.Item>
        <Form.Item name="route" label="办理流程">
          <Select
            aria-label="办理流程"
            data-testid="register-route"
            options={[
              { value: AUTO_ROUTE, label: "按文种自动选择（请示件走请示件收文）" },
              ...routes.map((r) => ({
                value: r.name,
                label: (
                  <span>
                    {r.name}
                    <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12 }}>
                      {r.source} · {r.steps.join(" → ")}
                    </Typography.Text>
                  </span>
                ),
              })),
            ]}
          />
        </Form.Item>
        <Form.Item
          name="firstHandlers"
          label="首个办理人"
          extra={
            preview?.step
              ? `登记后“${preview.step}”由谁办理；留空则按流程模板${templateNames ? `（${templateNames}）` : "，但模板未指定办理人，请选择"}。`
              : "登记后第一个办理步骤（初审或拟办）由谁办理；留空则按流程模板的办理人。"
          }
        >
          <PersonPicker
            multiple
            aria-label="首个办理人"
            data-testid="register-first-handlers"
            placeholder={templateNames ? `按流程模板：${templateNames}` : "按流程模板"}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
