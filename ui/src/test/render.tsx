import { render } from "@testing-library/react";
import { App as AntApp, ConfigProvider } from "antd";
import zhCN from "antd/locale/zh_CN";
import type { ReactElement } from "react";

/** Renders inside the same providers as the app (zh_CN locale, App context for messages). */
export function renderInApp(ui: ReactElement) {
  return render(
    <ConfigProvider locale={zhCN}>
      <AntApp>{ui}</AntApp>
    </ConfigProvider>,
  );
}
