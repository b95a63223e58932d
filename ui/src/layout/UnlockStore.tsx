import { LockOutlined } from "@ant-design/icons";
import { Alert, Button, Form, Input, Result, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import * as ipc from "../lib/ipc";

export interface UnlockStoreProps {
  /** Why the store did not open (the message of the `store_locked` error). */
  message: string;
  /** The store is open now: read everything again. */
  onUnlocked: () => void;
}

interface Values {
  passphrase: string;
  repeat?: string;
}

/**
 * Shown instead of the pages while the local store is shut. Asks for the passphrase of a
 * store protected by one; on a computer without a keychain and without a store yet, offers
 * to protect the new store with a passphrase; otherwise explains that only the keychain
 * that holds the key can open it. Nothing typed is lost on a wrong passphrase.
 */
export function UnlockStore({ message, onUnlocked }: UnlockStoreProps) {
  const [lock, setLock] = useState<ipc.StoreLock | null>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [form] = Form.useForm<Values>();

  const load = useCallback(() => {
    ipc
      .storeLock()
      .then((answer) => setLock(answer ?? null))
      .catch(() => setLock(null));
  }, []);

  useEffect(load, [load]);

  const submit = async (values: Values) => {
    setBusy(true);
    setError(undefined);
    try {
      await ipc.unlockStore(values.passphrase);
      onUnlocked();
    } catch (e) {
      setError(ipc.CommandError.from(e).message);
      form.setFieldValue("passphrase", values.passphrase);
    } finally {
      setBusy(false);
    }
  };

  if (lock === undefined) return <div className="gw-boot" aria-busy="true" />;

  const creating = lock?.kind === "no_keychain";
  const asking = lock?.kind === "passphrase_required";
  if (!creating && !asking) {
    return (
      <Result
        status="warning"
        title="本机数据已加密，暂时无法打开"
        subTitle={lock?.message ?? message}
        extra={
          <Button type="primary" onClick={onUnlocked}>
            重试
          </Button>
        }
      />
    );
  }

  const min = lock.minPassphraseChars;
  return (
    <Result
      icon={<LockOutlined />}
      title={creating ? "设置本机数据口令" : "输入本机数据口令"}
      subTitle={
        creating
          ? "这台电脑没有可用的系统钥匙串，公文通改用口令加密本机数据。请设置口令并牢记：忘记口令将无法打开本机数据。每次启动公文通时需要输入口令。"
          : "本机数据使用口令加密，请输入口令后继续。"
      }
      extra={
        <Form<Values>
          form={form}
          layout="vertical"
          requiredMark={false}
          onFinish={submit}
          className="gw-unlock-form"
          style={{ maxWidth: 360, margin: "0 auto", textAlign: "left" }}
        >
          <Form.Item
            name="passphrase"
            label="口令"
            rules={[
              { required: true, message: "请输入口令" },
              ...(creating ? [{ min, message: `口令至少需要 ${min} 个字符` }] : []),
            ]}
          >
            <Input.Password autoFocus autoComplete={creating ? "new-password" : "current-password"} data-testid="unlock-passphrase" />
          </Form.Item>
          {creating && (
            <Form.Item
              name="repeat"
              label="再次输入口令"
              dependencies={["passphrase"]}
              rules={[
                { required: true, message: "请再次输入口令" },
                ({ getFieldValue }) => ({
                  validator: (_, value) =>
                    !value || value === getFieldValue("passphrase")
                      ? Promise.resolve()
                      : Promise.reject(new Error("两次输入的口令不一致")),
                }),
              ]}
            >
              <Input.Password autoComplete="new-password" data-testid="unlock-repeat" />
            </Form.Item>
          )}
          {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
          <Button type="primary" htmlType="submit" loading={busy} block data-testid="unlock-submit">
            {creating ? "设置口令并打开" : "解锁"}
          </Button>
          {busy && (
            <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
              正在验证口令，约需一两秒……
            </Typography.Paragraph>
          )}
        </Form>
      }
    />
  );
}
