import { ApiOutlined, FolderOpenOutlined, LoginOutlined } from "@ant-design/icons";
import { Alert, Button, Form, Input, Space } from "antd";
import { useState } from "react";
import * as ipc from "../../lib/ipc";
import { chooseCaFile } from "./pickFile";

export interface ConnectFormProps {
  /** Prefilled server address and CA file (the last ones typed). */
  initialServer?: string | null;
  initialCaFile?: string | null;
  /** Called after a successful login. */
  onLoggedIn: (account: ipc.AccountInfo) => void;
  /** Label of the submit button. */
  submitLabel?: string;
}

type CheckState = { kind: "ok" | "warn"; check: ipc.ServerCheck } | { kind: "error"; message: string } | undefined;

/**
 * 服务器地址 with 测试连接, an optional CA file, 用户名 and 密码, then 登录. Used by the
 * first-run setup and by 设置 · 服务器. Whatever fails, what was typed stays in the form.
 */
export function ConnectForm({ initialServer, initialCaFile, onLoggedIn, submitLabel = "登录" }: ConnectFormProps) {
  const [server, setServer] = useState(initialServer ?? "");
  const [caFile, setCaFile] = useState(initialCaFile ?? "");
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [checking, setChecking] = useState(false);
  const [check, setCheck] = useState<CheckState>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const ca = caFile.trim() || null;

  const testConnection = async () => {
    setChecking(true);
    setCheck(undefined);
    try {
      const result = await ipc.checkServer(server, ca);
      setCheck({ kind: result.compatible && result.databaseOk ? "ok" : "warn", check: result });
    } catch (raw) {
      setCheck({ kind: "error", message: ipc.CommandError.from(raw).message });
    } finally {
      setChecking(false);
    }
  };

  const pickCa = async () => {
    const path = await chooseCaFile();
    if (path) setCaFile(path);
  };

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const account = await ipc.login(server, login, password, ca);
      setPassword("");
      onLoggedIn(account);
    } catch (raw) {
      setError(ipc.CommandError.from(raw).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Form layout="vertical" onFinish={submit} requiredMark={false} className="gw-connect-form">
      <Form.Item label="服务器地址" required>
        <Space.Compact style={{ width: "100%" }}>
          <Input
            value={server}
            onChange={(e) => {
              setServer(e.target.value);
              setCheck(undefined);
            }}
            placeholder="例如 https://oa.example.gov.cn:8443"
            autoComplete="url"
            data-testid="setup-server"
            aria-label="服务器地址"
          />
          <Button icon={<ApiOutlined />} onClick={testConnection} loading={checking} disabled={!server.trim()} data-testid="setup-check">
            测试连接
          </Button>
        </Space.Compact>
      </Form.Item>
      {check && (
        <Alert
          className="gw-connect-check"
          type={check.kind === "ok" ? "success" : check.kind === "warn" ? "warning" : "error"}
          showIcon
          title={check.kind === "error" ? check.message : check.check.message}
          data-testid="setup-check-result"
        />
      )}
      <Form.Item label="CA 证书文件（可选）" extra="机关使用自建证书时才需要，由信息中心提供（.pem / .crt）。">
        <Space.Compact style={{ width: "100%" }}>
          <Input value={caFile} onChange={(e) => setCaFile(e.target.value)} placeholder="未选择" allowClear aria-label="CA 证书文件" />
          <Button icon={<FolderOpenOutlined />} onClick={pickCa}>
            选择…
          </Button>
        </Space.Compact>
      </Form.Item>
      <Space size={12} style={{ width: "100%" }} styles={{ item: { flex: 1 } }}>
        <Form.Item label="用户名" required>
          <Input value={login} onChange={(e) => setLogin(e.target.value)} autoComplete="username" data-testid="setup-login" aria-label="用户名" />
        </Form.Item>
        <Form.Item label="密码" required>
          <Input.Password
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="current-password"
            data-testid="setup-password"
            aria-label="密码"
          />
        </Form.Item>
      </Space>
      {error && <Alert type="error" showIcon title={error} className="gw-connect-error" data-testid="setup-error" />}
      <Button
        type="primary"
        htmlType="submit"
        icon={<LoginOutlined />}
        loading={busy}
        disabled={!server.trim() || !login.trim() || !password}
        block
        data-testid="setup-submit"
      >
        {submitLabel}
      </Button>
    </Form>
  );
}
