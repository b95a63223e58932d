import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "antd/dist/antd.css";
import { App } from "./App";
import { askEarly } from "./lib/early";
import { markScriptStart } from "./lib/startupProbe";

markScriptStart();
askEarly();

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
