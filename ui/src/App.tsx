import { App as AntApp, ConfigProvider } from "antd";
import zhCN from "antd/locale/zh_CN";
import { AppLayout } from "./layout/AppLayout";
import { appTheme } from "./theme";
import "./lib/format";
import "./global.css";

export function App() {
  return (
    <ConfigProvider locale={zhCN} theme={appTheme} componentSize="middle">
      <AntApp>
        <AppLayout />
      </AntApp>
    </ConfigProvider>
  );
}
