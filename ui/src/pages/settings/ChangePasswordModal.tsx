import { Alert, App as AntApp, Form, Input, Modal, Typography } from "antd";
import { useState } from "react";
import * as ipc from "../../lib/ipc";

/** The server's password policy (gongwen_protocol::auth::PASSWORD_MIN_LEN / MAX_LEN). */
export const PASSWORD_MIN_LEN = 8;
export const PASSWORD_MAX_LEN = 256;

interface Values {
  current: string;
  next: string;
  repeat: string;
}

/** Characters, not UTF-16 units: 汉字 and emoji count once, as on the server. */
const length = (s: string) => Array.from(s).length;

/**
 * 修改密码: current / new / repeat. The policy is checked as the user types; the server's
 * refusals go to the field they concern (当前密码不正确 → current, policy → new) and what
 * was typed stays. Needs the server: offline it says so and nothing changes.
 */
export function ChangePasswordModal({
  open,
  login,
  onClose,
}: {
  open: boolean;
  /** The login name, which the new password must not be. */
  login: string;
  onClose: () => void;
}) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();

  const close = () => {
    form.resetFields();
    setError(undefined);
    onClose();
  };

  const submit = async () => {
    let values: Values;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    setError(undefined);
    try {
      await ipc.changePassword(values.current, values.next);
      message.success("密码已修改。您在其他设备上的登录已失效，需要用新密码重新登录。");
      close();
    } catch (raw) {
      const e = ipc.CommandError.from(raw);
      if (e.code === "wrong_password") {
        form.setFields([{ name: "current", errors: [e.message] }]);
      } else if (e.code === "weak_password") {
        form.setFields([{ name: "next", errors: [e.message] }]);
      } else {
        // Offline, session ended, locked, busy: nothing changed; say what to do.
        setError(e.message);
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={open}
      title="修改密码"
      okText="修改密码"
      cancelText="取消"
      confirmLoading={saving}
      onOk={() => void submit()}
      onCancel={close}
      destroyOnHidden
      okButtonProps={{ "data-testid": "password-submit" } as Record<string, string>}
    >
      <Typography.Paragraph type="secondary">
        修改后，本机继续保持登录；您在其他电脑上的登录将失效，需要用新密码重新登录。修改密码需要连接服务器。
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="password-error" />}
      <Form form={form} layout="vertical" requiredMark={false} onFinish={() => void submit()}>
        <Form.Item
          name="current"
          label="当前密码"
          rules={[{ required: true, message: "请输入当前密码" }]}
        >
          <Input.Password autoComplete="current-password" autoFocus />
        </Form.Item>
        <Form.Item
          name="next"
          label="新密码"
          extra={`至少 ${PASSWORD_MIN_LEN} 个字符，不能与用户名或当前密码相同`}
          dependencies={["current"]}
          rules={[
            { required: true, message: "请输入新密码" },
            ({ getFieldValue }) => ({
              validator(_, value: string | undefined) {
                if (!value) return Promise.resolve();
                if (length(value) < PASSWORD_MIN_LEN)
                  return Promise.reject(new Error(`新密码太短：至少需要 ${PASSWORD_MIN_LEN} 个字符`));
                if (length(value) > PASSWORD_MAX_LEN)
                  return Promise.reject(new Error(`新密码太长：最多 ${PASSWORD_MAX_LEN} 个字符`));
                if (value.trim().toLowerCase() === login.trim().toLowerCase())
                  return Promise.reject(new Error("新密码不能与用户名相同"));
                if (value === getFieldValue("current"))
                  return Promise.reject(new Error("新密码不能与当前密码相同"));
                return Promise.resolve();
              },
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="repeat"
          label="再次输入新密码"
          dependencies={["next"]}
          rules={[
            { required: true, message: "请再次输入新密码" },
            ({ getFieldValue }) => ({
              validator(_, value: string | undefined) {
                if (!value || value === getFieldValue("next")) return Promise.resolve();
                return Promise.reject(new Error("两次输入的新密码不一致"));
              },
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        {/* Enter in a field submits. */}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}
