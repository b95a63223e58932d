import { Alert, Card, Descriptions, Flex, Typography } from "antd";
import type { StoreInfo } from "../lib/ipc";
import type { Polled } from "../lib/usePolled";

const LABEL_STYLE = { styles: { label: { width: 120 } } } as const;

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} 字节`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** 设置: what is configured today; 关于 shows where the data lives and its version. */
export function SettingsPage({ info }: { info: Polled<StoreInfo> }) {
  const data = info.data;
  return (
    <Flex vertical gap={16}>
      <Card title="服务器与账户" variant="borderless" className="gw-card">
        <Descriptions
          column={1}
          size="small"
          {...LABEL_STYLE}
          items={[
            { key: "server", label: "服务器", children: "尚未配置：当前在本机离线使用，所有数据保存在本机" },
            { key: "user", label: "本机用户", children: data?.user ?? "…" },
          ]}
        />
      </Card>
      <Card title="关于" variant="borderless" className="gw-card">
        {info.error ? (
          <Alert type="error" showIcon title="无法读取本机数据信息" description={info.error.message} />
        ) : (
          <Descriptions
            column={1}
            size="small"
            {...LABEL_STYLE}
            items={[
              { key: "version", label: "程序版本", children: data?.appVersion ?? "…" },
              {
                key: "dir",
                label: "数据文件夹",
                children: data ? <Typography.Text copyable>{data.dataDir}</Typography.Text> : "…",
              },
              {
                key: "schema",
                label: "数据版本",
                children: data ? `第 ${data.schemaVersion} 版（本程序支持到第 ${data.latestSchemaVersion} 版）` : "…",
              },
              { key: "key", label: "数据库密钥", children: data ? `保存在${data.keySource}` : "…" },
              { key: "size", label: "数据大小", children: data ? formatBytes(data.dbBytes) : "…" },
            ]}
          />
        )}
      </Card>
    </Flex>
  );
}
