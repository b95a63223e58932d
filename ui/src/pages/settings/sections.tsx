import {
  ApiOutlined,
  ExportOutlined,
  FolderOpenOutlined,
  KeyOutlined,
  LogoutOutlined,
  ReloadOutlined,
  SyncOutlined,
} from "@ant-design/icons";
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Descriptions,
  Flex,
  InputNumber,
  Radio,
  Select,
  Skeleton,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from "antd";
import { useCallback, useEffect, useState } from "react";
import * as ipc from "../../lib/ipc";
import { FONT_LABELS, useShell } from "../../layout/shell";
import { usePolled } from "../../lib/usePolled";
import { ConnectForm } from "../setup/ConnectForm";
import { chooseDiagnosticsPath } from "../setup/pickFile";
import { ChangePasswordModal } from "./ChangePasswordModal";

const LABEL_STYLE = { styles: { label: { width: 120 } } } as const;

/** Loads `fetcher` once (and on `reload`), keeping the error for an inline message. */
function useLoad<T>(fetcher: () => Promise<T>) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const reload = useCallback(() => {
    setLoading(true);
    fetcher()
      .then((value) => {
        setData(value);
        setError(undefined);
      })
      .catch((raw: unknown) => setError(ipc.CommandError.from(raw).message))
      .finally(() => setLoading(false));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(reload, [reload]);
  return { data, error, loading, reload };
}

/** The part of the settings the page edits, saved as soon as a control changes. */
export function useSettings() {
  const { message } = AntApp.useApp();
  const { setFontSize } = useShell();
  const loaded = useLoad(ipc.getSettings);
  const [settings, setSettings] = useState<ipc.Settings>();
  useEffect(() => {
    if (loaded.data) setSettings(loaded.data);
  }, [loaded.data]);

  const change = async (patch: Partial<ipc.SettingsUpdate>) => {
    if (!settings) return;
    const update: ipc.SettingsUpdate = {
      printer: settings.printer,
      copies: settings.copies,
      syncIntervalSecs: settings.syncIntervalSecs,
      fontSize: settings.fontSize,
      notifications: settings.notifications,
      ...patch,
    };
    try {
      const saved = await ipc.saveSettings(update);
      setSettings(saved);
      setFontSize(saved.fontSize);
      message.success({ content: "设置已保存", key: "settings-saved", duration: 1.5 });
    } catch (raw) {
      message.error(ipc.CommandError.from(raw).message);
    }
  };
  return { settings, error: loaded.error, change };
}

export function ServerSection({ setup }: { setup: ipc.SetupStatus | undefined }) {
  const { refreshSetup } = useShell();
  const { message } = AntApp.useApp();
  const [checking, setChecking] = useState(false);
  const [check, setCheck] = useState<{ ok: boolean; text: string }>();
  const account = setup?.account;

  const test = async () => {
    if (!account) return;
    setChecking(true);
    try {
      const result = await ipc.checkServer(account.serverUrl, account.caFile);
      setCheck({ ok: result.compatible && result.databaseOk, text: result.message });
    } catch (raw) {
      setCheck({ ok: false, text: ipc.CommandError.from(raw).message });
    } finally {
      setChecking(false);
    }
  };

  return (
    <Card title="服务器" variant="borderless" className="gw-card" data-testid="settings-server">
      {account ? (
        <>
          <Descriptions
            column={1}
            size="small"
            {...LABEL_STYLE}
            items={[
              { key: "url", label: "服务器地址", children: <Typography.Text copyable>{account.serverUrl}</Typography.Text> },
              { key: "ca", label: "CA 证书文件", children: account.caFile ?? "未使用（系统证书）" },
            ]}
          />
          <Space style={{ marginTop: 8 }}>
            <Button icon={<ApiOutlined />} onClick={test} loading={checking}>
              测试连接
            </Button>
          </Space>
          {check && <Alert style={{ marginTop: 12 }} type={check.ok ? "success" : "warning"} showIcon title={check.text} />}
        </>
      ) : (
        <Flex gap={24} wrap>
          <div style={{ flex: "1 1 280px", maxWidth: 420 }}>
            <Typography.Paragraph type="secondary">
              当前在本机离线使用，所有数据保存在本机。登录本单位的公文服务器后，待办、草稿和办理记录会自动同步。
            </Typography.Paragraph>
          </div>
          <div style={{ flex: "1 1 360px", maxWidth: 460 }}>
            <ConnectForm
              initialServer={setup?.serverUrl}
              initialCaFile={setup?.caFile}
              submitLabel="登录并同步"
              onLoggedIn={(a) => {
                message.success(`已登录：${a.display}（${a.login}）`);
                refreshSetup();
              }}
            />
          </div>
        </Flex>
      )}
    </Card>
  );
}

/** 王芳（wangfang）: the name people know, and the login it goes by. */
function nameAndLogin(name: string, login: string): string {
  return name && name !== login ? `${name}（${login}）` : login;
}

export function AccountSection({ setup, info }: { setup: ipc.SetupStatus | undefined; info?: ipc.StoreInfo }) {
  const { modal, message } = AntApp.useApp();
  const { refreshSetup } = useShell();
  const account = setup?.account;
  const [changingPassword, setChangingPassword] = useState(false);

  const confirmLogout = () =>
    modal.confirm({
      title: "退出登录？",
      content: "退出后需要重新输入密码才能同步。本机的公文和还没同步的修改都会保留，下次登录后继续同步。",
      okText: "退出登录",
      okButtonProps: { danger: true },
      cancelText: "取消",
      onOk: async () => {
        try {
          await ipc.logout();
          refreshSetup();
        } catch (raw) {
          message.error(ipc.CommandError.from(raw).message);
        }
      },
    });

  return (
    <Card title="账户" variant="borderless" className="gw-card" data-testid="settings-account">
      <Descriptions
        column={1}
        size="small"
        {...LABEL_STYLE}
        items={[
          {
            key: "user",
            label: account ? "当前用户" : "本机用户",
            children: account
              ? nameAndLogin(account.display, account.login)
              : setup
                ? nameAndLogin(info && info.user === setup.user ? info.userName : "", setup.user)
                : "…",
          },
          {
            key: "password",
            label: "密码",
            children: account
              ? "修改后本机保持登录，其他设备需用新密码重新登录；忘记密码请联系本单位管理员重置"
              : "离线使用，无需密码",
          },
        ]}
      />
      {account && (
        <Space style={{ marginTop: 8 }}>
          <Button danger icon={<LogoutOutlined />} onClick={confirmLogout} data-testid="logout">
            退出登录
          </Button>
          <Button icon={<KeyOutlined />} onClick={() => setChangingPassword(true)} data-testid="change-password">
            修改密码
          </Button>
        </Space>
      )}
      {account && (
        <ChangePasswordModal
          open={changingPassword}
          login={account.login}
          onClose={() => setChangingPassword(false)}
        />
      )}
    </Card>
  );
}

export function PrintSection({ settings }: { settings: ReturnType<typeof useSettings> }) {
  const printers = useLoad(ipc.printers);
  const fonts = useLoad(ipc.fonts);
  const current = settings.settings;
  const systemDefault = printers.data?.systemDefault;
  const options = [
    { value: "", label: systemDefault ? `系统默认打印机（${systemDefault}）` : "系统默认打印机" },
    ...(printers.data?.printers ?? []).map((p) => ({ value: p, label: p })),
  ];
  if (current?.printer && !options.some((o) => o.value === current.printer)) {
    options.push({ value: current.printer, label: `${current.printer}（未找到）` });
  }
  return (
    <Card
      title="打印"
      variant="borderless"
      className="gw-card"
      data-testid="settings-print"
      extra={
        <Button size="small" type="text" icon={<ReloadOutlined />} onClick={printers.reload}>
          重新查找打印机
        </Button>
      }
    >
      {printers.data?.problem && <Alert type="warning" showIcon title={printers.data.problem} style={{ marginBottom: 12 }} />}
      {printers.error && <Alert type="error" showIcon title={printers.error} style={{ marginBottom: 12 }} />}
      <Descriptions
        column={1}
        size="small"
        {...LABEL_STYLE}
        items={[
          {
            key: "printer",
            label: "打印机",
            children: (
              <Select
                style={{ width: 320 }}
                loading={printers.loading}
                value={current?.printer ?? ""}
                options={options}
                onChange={(value: string) => settings.change({ printer: value || null })}
                aria-label="打印机"
                data-testid="settings-printer"
              />
            ),
          },
          {
            key: "copies",
            label: "份数",
            children: (
              <InputNumber
                min={1}
                max={99}
                value={current?.copies ?? 1}
                onChange={(value) => value && settings.change({ copies: value })}
                aria-label="份数"
              />
            ),
          },
        ]}
      />
      <Typography.Title level={5} style={{ margin: "16px 0 8px" }}>
        公文字体
      </Typography.Title>
      {fonts.loading && !fonts.data ? (
        <Skeleton active title={false} paragraph={{ rows: 3 }} />
      ) : fonts.error ? (
        <Alert type="error" showIcon title={fonts.error} />
      ) : (
        <>
          {fonts.data && !fonts.data.allOfficial && (
            <Alert
              type="info"
              showIcon
              style={{ marginBottom: 8 }}
              title="部分正式字体未安装，打印时用随附的免费字体代替，字形略有差别。安装正式字体后重新打开公文通即可使用。"
            />
          )}
          <Table<ipc.FontRole>
            size="small"
            pagination={false}
            rowKey="label"
            dataSource={fonts.data?.roles ?? []}
            data-testid="settings-fonts"
            columns={[
              { title: "用途", dataIndex: "label", width: 80 },
              { title: "正式字体", dataIndex: "expected", width: 160 },
              {
                title: "本机情况",
                render: (_: unknown, role) =>
                  role.official ? (
                    <Tag color="success">已安装：{role.official}</Tag>
                  ) : (
                    <span>
                      <Tag color="warning">未安装</Tag>
                      {role.used ? `用“${role.used}”代替` : "没有可用字体"}
                    </span>
                  ),
              },
            ]}
          />
          {fonts.data?.problems.map((p) => (
            <Alert key={p} type="warning" showIcon title={p} style={{ marginTop: 8 }} />
          ))}
        </>
      )}
    </Card>
  );
}

const INTERVALS = [
  { value: 30, label: "30 秒" },
  { value: 60, label: "1 分钟" },
  { value: 300, label: "5 分钟" },
  { value: 900, label: "15 分钟" },
  { value: 1800, label: "30 分钟" },
  { value: 3600, label: "1 小时" },
];

export function SyncSection({ settings, setup }: { settings: ReturnType<typeof useSettings>; setup: ipc.SetupStatus | undefined }) {
  const { message } = AntApp.useApp();
  const polled = usePolled(ipc.syncStatus, 5_000);
  const sync = polled.data;
  const [busy, setBusy] = useState(false);
  const connected = Boolean(setup?.account);
  const syncNow = async () => {
    setBusy(true);
    try {
      await ipc.syncNow();
      message.info("已开始同步");
      polled.refresh();
    } catch (raw) {
      message.error(ipc.CommandError.from(raw).message);
    } finally {
      setBusy(false);
    }
  };
  const interval = settings.settings?.syncIntervalSecs ?? 60;
  const intervalOptions = INTERVALS.some((i) => i.value === interval)
    ? INTERVALS
    : [...INTERVALS, { value: interval, label: `${interval} 秒` }];
  return (
    <Card title="同步" variant="borderless" className="gw-card" data-testid="settings-sync">
      <Descriptions
        column={1}
        size="small"
        {...LABEL_STYLE}
        items={[
          {
            key: "state",
            label: "状态",
            children: !connected
              ? "未登录服务器：在本机离线使用"
              : sync
                ? `${sync.state}${sync.lastSyncedAt ? ` · 上次同步 ${new Date(sync.lastSyncedAt).toLocaleString("zh-CN", { hour12: false })}` : " · 尚未同步"}`
                : "…",
          },
          { key: "pending", label: "待同步", children: sync ? `${sync.pending} 项` : "…" },
          ...(sync?.lastError ? [{ key: "error", label: "上次失败", children: sync.lastError }] : []),
          {
            key: "interval",
            label: "自动同步间隔",
            children: (
              <Select
                style={{ width: 160 }}
                value={interval}
                options={intervalOptions}
                onChange={(value: number) => settings.change({ syncIntervalSecs: value })}
                aria-label="自动同步间隔"
              />
            ),
          },
        ]}
      />
      <Button style={{ marginTop: 8 }} icon={<SyncOutlined />} onClick={syncNow} loading={busy} disabled={!connected} data-testid="sync-now">
        立即同步
      </Button>
    </Card>
  );
}

export function DisplaySection({ settings }: { settings: ReturnType<typeof useSettings> }) {
  const current = settings.settings;
  return (
    <Card title="显示与提醒" variant="borderless" className="gw-card" data-testid="settings-display">
      <Descriptions
        column={1}
        size="small"
        {...LABEL_STYLE}
        items={[
          {
            key: "font",
            label: "字号",
            children: (
              <Radio.Group
                optionType="button"
                value={current?.fontSize ?? "normal"}
                onChange={(e) => settings.change({ fontSize: e.target.value })}
                options={(["normal", "large", "larger"] as const).map((v) => ({ value: v, label: FONT_LABELS[v] }))}
                aria-label="字号"
                data-testid="settings-font-size"
              />
            ),
          },
          {
            key: "notify",
            label: "新待办提醒",
            children: (
              <Space>
                <Switch
                  checked={current?.notifications ?? true}
                  onChange={(checked) => settings.change({ notifications: checked })}
                  aria-label="新待办时弹出桌面通知"
                />
                <Typography.Text type="secondary">有新的待办时弹出桌面通知；待办件数显示在窗口标题上</Typography.Text>
              </Space>
            ),
          },
        ]}
      />
    </Card>
  );
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} 字节`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function AboutSection({ info }: { info: ipc.StoreInfo | undefined }) {
  const about = useLoad(ipc.about);
  const { message } = AntApp.useApp();
  const [exporting, setExporting] = useState(false);
  const a = about.data;

  const openFolder = () => ipc.openDataDir().catch((raw: unknown) => message.error(ipc.CommandError.from(raw).message));
  const exportDiagnostics = async () => {
    const stamp = new Date().toISOString().slice(0, 10);
    const path = await chooseDiagnosticsPath(`公文通诊断信息-${stamp}.tar.gz`);
    if (!path) return;
    setExporting(true);
    try {
      const size = await ipc.exportDiagnostics(path);
      message.success(`诊断信息已保存（${formatBytes(size)}）：${path}`);
    } catch (raw) {
      message.error(ipc.CommandError.from(raw).message);
    } finally {
      setExporting(false);
    }
  };

  return (
    <Card title="关于" variant="borderless" className="gw-card" data-testid="settings-about">
      {about.error ? (
        <Alert type="error" showIcon title="无法读取版本信息" description={about.error} />
      ) : (
        <Descriptions
          column={1}
          size="small"
          {...LABEL_STYLE}
          items={[
            { key: "version", label: "程序版本", children: a ? `公文通 ${a.appVersion}（${a.platform}）` : "…" },
            {
              key: "protocol",
              label: "通信协议",
              children: a ? `第 ${a.protocolVersion} 版 · 同步数据第 ${a.syncSchemaVersion} 版` : "…",
            },
            {
              key: "schema",
              label: "本机数据",
              children: a
                ? `第 ${a.storeSchemaVersion} 版（本程序支持到第 ${a.latestStoreSchemaVersion} 版）${info ? ` · ${formatBytes(info.dbBytes)} · 密钥保存在${info.keySource}` : ""}`
                : "…",
            },
            {
              key: "runtime",
              label: "运行环境",
              children: a ? `Tauri ${a.tauriVersion}${a.webviewVersion ? ` · 网页引擎 ${a.webviewVersion}` : ""}` : "…",
            },
            {
              key: "dir",
              label: "数据文件夹",
              children: a ? (
                <Space wrap>
                  <Typography.Text copyable data-testid="about-data-dir">
                    {a.dataDir}
                  </Typography.Text>
                  <Button size="small" icon={<FolderOpenOutlined />} onClick={openFolder}>
                    打开文件夹
                  </Button>
                </Space>
              ) : (
                "…"
              ),
            },
          ]}
        />
      )}
      <Button style={{ marginTop: 8 }} icon={<ExportOutlined />} onClick={exportDiagnostics} loading={exporting}>
        导出诊断信息
      </Button>
      <Typography.Text type="secondary" style={{ marginLeft: 12 }}>
        含版本、日志和数据统计，不含密码和公文内容，可发给技术支持。
      </Typography.Text>
    </Card>
  );
}
