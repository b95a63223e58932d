import { MinusOutlined, PlusOutlined } from "@ant-design/icons";
import { Alert, Button, Flex, Skeleton, Tooltip, Typography } from "antd";
import { useEffect, useRef, useState, type ReactNode } from "react";
import * as ipc from "../lib/ipc";
import "./PdfPreview.css";

const ZOOMS = [0.5, 0.67, 0.8, 1, 1.25, 1.5, 2] as const;
/** A4 width in PDF points. */
const A4_WIDTH_PT = 595.3;
/** CSS pixels per PDF point at 100%. */
const PX_PER_PT = 96 / 72;

type PdfJs = typeof import("pdfjs-dist/legacy/build/pdf.mjs");
let pdfjsPromise: Promise<PdfJs> | undefined;

/** pdf.js is large: load it (and its worker) the first time a preview is shown. */
function loadPdfJs(): Promise<PdfJs> {
  pdfjsPromise ??= Promise.all([
    import("pdfjs-dist/legacy/build/pdf.mjs"),
    import("pdfjs-dist/legacy/build/pdf.worker.min.mjs?url"),
  ]).then(([pdfjs, worker]) => {
    pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
    return pdfjs;
  });
  return pdfjsPromise;
}

export interface PdfPreviewProps {
  /** What to lay out (the document, or a form of a task's flow); drawn again when it changes. */
  job: ipc.PrintJob | null;
  /** What to say when there is nothing to show. */
  emptyText?: string;
  /** Shown at the start of the toolbar (正文/稿纸 tabs). */
  leading?: ReactNode;
  /** Shown at the end of the toolbar (打印, 导出PDF). */
  actions?: ReactNode;
  /**
   * The caller has newer content than `job` (the editor waits for typing to pause): the
   * preview says it is updating, and `data-render` is "waiting" rather than "done".
   */
  stale?: boolean;
}

/**
 * The document exactly as it will print: gongwen-print lays it out (GB/T 9704) to PDF and
 * pdf.js draws each page on a canvas. Zoomable; 100% is A4 at screen resolution.
 */
export function PdfPreview({ job, emptyText = "本机暂无该公文的正文，同步后即可预览。", leading, actions, stale = false }: PdfPreviewProps) {
  // null: 适合宽度 (the page fills the pane's width), the default.
  const [fixedZoom, setZoom] = useState<number | null>(null);
  const [paneWidth, setPaneWidth] = useState(0);
  const [pages, setPages] = useState(0);
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  const container = useRef<HTMLDivElement>(null);
  const pdfRef = useRef<import("pdfjs-dist/legacy/build/pdf.mjs").PDFDocumentProxy | null>(null);
  const [version, setVersion] = useState(0);
  /** Where drawing is, for tests and support: idle, drawing N, done, or the failure. */
  const [phase, setPhase] = useState("idle");

  // Lay out and load the PDF whenever the job changes.
  useEffect(() => {
    if (!job) {
      setPages(0);
      setError(undefined);
      return;
    }
    let cancelled = false;
    setLoading(true);
    setError(undefined);
    // "done" describes the drawn job only: a new job is "loading" until it is drawn.
    setPhase("loading");
    Promise.all([ipc.renderPdf(job), loadPdfJs()])
      .then(async ([bytes, pdfjs]) => {
        // disableFontFace: pdf.js draws each glyph as a path from the embedded font instead of
        // registering every document's font subsets with the web view, which kept them (and
        // their glyph caches) for the session: ~12 MB less after 20 documents, same drawing.
        const pdf = await pdfjs.getDocument({ data: new Uint8Array(bytes), disableFontFace: true }).promise;
        if (cancelled) {
          void pdf.destroy();
          return;
        }
        const old = pdfRef.current;
        pdfRef.current = pdf;
        if (old) void old.destroy();
        setPages(pdf.numPages);
        setVersion((v) => v + 1);
      })
      .catch((raw: unknown) => {
        if (cancelled) return;
        setError(raw instanceof ipc.CommandError ? raw.message : "无法显示打印预览，请稍后重试。");
      })
      .finally(() => {
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [job]);

  useEffect(() => {
    const root = container.current;
    return () => {
      void pdfRef.current?.destroy();
      pdfRef.current = null;
      // A canvas keeps its bitmap until it is collected: free the pages' pixels as the
      // preview closes (the 办理 view and the 发文/收文 detail open one per document).
      root?.querySelectorAll("canvas").forEach((canvas) => {
        canvas.width = 0;
        canvas.height = 0;
      });
    };
  }, []);

  // Follow the pane's width for 适合宽度.
  useEffect(() => {
    const root = container.current;
    if (!root) return;
    const measure = () => setPaneWidth(root.clientWidth);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(root);
    return () => observer.disconnect();
  }, []);
  const fitZoom = paneWidth > 0 ? Math.max(0.3, Math.min(2, (paneWidth - 40) / (A4_WIDTH_PT * PX_PER_PT))) : 1;
  const zoom = fixedZoom ?? fitZoom;

  // Draw every page at the current zoom. Each page is drawn off screen and then copied onto
  // its canvas in one step: the canvas keeps showing the previous drawing (an earlier
  // version, or another zoom) until the new one is complete, so a redraw never shows a
  // blank page, and two draws never share a canvas (pdf.js refuses that, and a resize
  // mid-draw, e.g. when the scroll bar appears, starts a second draw).
  useEffect(() => {
    const pdf = pdfRef.current;
    const root = container.current;
    if (!pdf || !root) return;
    let cancelled = false;
    let task: { cancel: () => void } | undefined;
    const ratio = window.devicePixelRatio || 1;
    (async () => {
      for (let n = 1; n <= pdf.numPages && !cancelled; n++) {
        setPhase(`page ${n}`);
        const page = await pdf.getPage(n);
        if (cancelled) return;
        setPhase(`drawing ${n}`);
        const viewport = page.getViewport({ scale: zoom * PX_PER_PT });
        const offscreen = document.createElement("canvas");
        offscreen.width = Math.floor(viewport.width * ratio);
        offscreen.height = Math.floor(viewport.height * ratio);
        const context = offscreen.getContext("2d");
        if (!context) throw new Error("no 2d context");
        const rendering = page.render({ canvas: offscreen, canvasContext: context, viewport, transform: [ratio, 0, 0, ratio, 0, 0] });
        task = rendering;
        await rendering.promise;
        const canvas = root.querySelector<HTMLCanvasElement>(`canvas[data-page="${n}"]`);
        if (cancelled || !canvas) return;
        canvas.width = offscreen.width;
        canvas.height = offscreen.height;
        canvas.style.width = `${Math.floor(viewport.width)}px`;
        canvas.style.height = `${Math.floor(viewport.height)}px`;
        canvas.getContext("2d")?.drawImage(offscreen, 0, 0);
        // Give the off-screen bitmap and pdf.js's per-page data back now rather than at
        // the next garbage collection (each A4 page is several MB of pixels).
        offscreen.width = 0;
        offscreen.height = 0;
        page.cleanup();
      }
      if (!cancelled) setPhase("done");
    })().catch((e: unknown) => {
      if (!cancelled) {
        setPhase(`failed: ${e instanceof Error ? e.message : String(e)}`);
        setError("无法显示打印预览，请稍后重试。");
      }
    });
    return () => {
      cancelled = true;
      task?.cancel();
    };
  }, [zoom, version, pages]);

  // The preset at or just below / above the current zoom.
  const below = [...ZOOMS].reverse().find((z) => z < zoom - 0.001);
  const above = ZOOMS.find((z) => z > zoom + 0.001);

  return (
    <div className="gw-preview">
      <Flex className="gw-preview-bar" align="center" justify="space-between" wrap gap={4}>
        <Flex gap={8} align="center">
          {leading}
          <Typography.Text type="secondary" className="gw-preview-caption">{pages > 0 ? `打印预览 · 共 ${pages} 页` : "打印预览"}</Typography.Text>
          {(stale || loading || phase.startsWith("page") || phase.startsWith("drawing")) && pages > 0 && (
            <Typography.Text type="secondary" className="gw-preview-updating">
              更新中…
            </Typography.Text>
          )}
        </Flex>
        <Flex gap={4} align="center" wrap>
          <Tooltip title="缩小">
            <Button
              size="small"
              icon={<MinusOutlined />}
              aria-label="缩小"
              disabled={below === undefined}
              onClick={() => below !== undefined && setZoom(below)}
            />
          </Tooltip>
          <span className="gw-preview-zoom" data-testid="preview-zoom">
            {Math.round(zoom * 100)}%
          </span>
          <Tooltip title="放大">
            <Button
              size="small"
              icon={<PlusOutlined />}
              aria-label="放大"
              disabled={above === undefined}
              onClick={() => above !== undefined && setZoom(above)}
            />
          </Tooltip>
          <Button size="small" type={fixedZoom === null ? "primary" : "default"} ghost={fixedZoom === null} onClick={() => setZoom(null)}>
            适合宽度
          </Button>
          {actions}
        </Flex>
      </Flex>
      <div className="gw-preview-pages" ref={container} data-render={stale && phase === "done" ? "waiting" : phase} data-testid="preview-pages">
        {error && <Alert type="warning" showIcon title={error} />}
        {!job && !error && (
          <Typography.Text type="secondary" className="gw-preview-empty">
            {emptyText}
          </Typography.Text>
        )}
        {job && loading && pages === 0 && (
          <div className="gw-preview-sheet gw-preview-loading">
            <Skeleton active paragraph={{ rows: 12 }} />
          </div>
        )}
        {Array.from({ length: pages }, (_, i) => (
          // Keyed by page only: a new version is drawn over the old picture, not on a blank canvas.
          <canvas key={i + 1} data-page={i + 1} className="gw-preview-canvas" aria-label={`第 ${i + 1} 页`} />
        ))}
      </div>
    </div>
  );
}
