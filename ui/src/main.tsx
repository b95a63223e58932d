import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "antd/dist/antd.css";
import { App } from "./App";
import { markScriptStart } from "./lib/startupProbe";

markScriptStart();

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
