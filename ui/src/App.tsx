import { App as AntApp, ConfigProvider } from "antd";
import zhCN from "antd/locale/zh_CN";
import { Suspense, useCallback, useEffect, useMemo, useState } from "react";
import { AppLayout } from "./layout/AppLayout";
import { FONT_PX, ShellContext, type Shell } from "./layout/shell";
import * as early from "./lib/early";
import * as ipc from "./lib/ipc";
import { lazyNamed } from "./lib/lazyNamed";
import { appTheme } from "./theme";
import "./lib/format";
import "./global.css";

// First run only: most launches never need the setup page's code.
const SetupPage = lazyNamed(() => import("./pages/setup/SetupPage"), "SetupPage");

/**
 * The window: the first-run setup when the profile has no server and no choice yet,
 * else the main frame. Both read only the local store, so the queue shows at once.
 */
export function App() {
  const [fontSize, setFontSize] = useState<ipc.FontSize>("normal");
  const [setup, setSetup] = useState<ipc.SetupStatus>();
  const [setupFailed, setSetupFailed] = useState(false);

  const refreshSetup = useCallback(() => {
    early
      .setupStatus()
      .then((status) => {
        if (status.needsSetup) early.forget();
        setSetup(status);
        setSetupFailed(false);
      })
      // The store did not open: the main frame explains why, in place.
      .catch(() => setSetupFailed(true));
  }, []);

  useEffect(() => {
    refreshSetup();
    early
      .settings()
      .then((s) => setFontSize(s.fontSize))
      .catch(() => {});
  }, [refreshSetup]);

  useEffect(() => {
    document.documentElement.dataset.fontSize = fontSize;
  }, [fontSize]);

  const theme = useMemo(() => ({ ...appTheme, token: { ...appTheme.token, fontSize: FONT_PX[fontSize] } }), [fontSize]);
  const shell = useMemo<Shell>(() => ({ setup, refreshSetup, fontSize, setFontSize }), [setup, refreshSetup, fontSize]);

  let content;
  if (setup?.needsSetup) {
    content = (
      <Suspense fallback={<div className="gw-boot" aria-busy="true" />}>
        <SetupPage status={setup} onDone={refreshSetup} />
      </Suspense>
    );
  } else if (setup || setupFailed) {
    content = <AppLayout />;
  } else {
    content = <div className="gw-boot" aria-busy="true" />;
  }

  return (
    <ConfigProvider locale={zhCN} theme={theme} componentSize="middle">
      <AntApp>
        <ShellContext.Provider value={shell}>{content}</ShellContext.Provider>
      </AntApp>
    </ConfigProvider>
  );
}
